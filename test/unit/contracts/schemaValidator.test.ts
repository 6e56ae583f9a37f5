import { planSchema } from '../../../runtime/contracts/plan';
import { schemaProblems } from '../../../runtime/contracts/schemaValidator';

const personSchema = {
	type: 'object',
	properties: {
		name: { type: 'string', minLength: 1 },
		age: { type: 'integer', minimum: 0 },
		tags: { type: 'array', items: { type: 'string' } },
	},
	required: ['name', 'age'],
};

const validPlan = {
	summary: 'A todo app.',
	techStack: ['Node.js'],
	tasks: [{ id: 'T1', title: 'Set up', description: '', dependsOn: [], acceptanceCriteria: ['runs'], estimateHours: 2 }],
	risks: [],
};

describe('schemaProblems', () => {
	it('returns no problems for a valid value', () => {
		expect(schemaProblems(personSchema, { name: 'Ada', age: 36, tags: ['x'] })).toEqual([]);
		expect(schemaProblems(planSchema, validPlan)).toEqual([]);
	});

	it('names a missing required field at the top level', () => {
		expect(schemaProblems(personSchema, { name: 'Ada' })).toEqual(['(the top level) is missing the required field "age"']);
	});

	it('names a missing required field with the path of the nested object', () => {
		const { id: _id, ...taskWithoutId } = validPlan.tasks[0];
		const problems = schemaProblems(planSchema, { ...validPlan, tasks: [validPlan.tasks[0], taskWithoutId] });
		expect(problems).toEqual(['/tasks/1 is missing the required field "id"']);
	});

	it('names the expected type with the path of the wrong value', () => {
		expect(schemaProblems(personSchema, { name: 'Ada', age: 'old' })).toEqual(['/age must be of type integer']);
		expect(schemaProblems(personSchema, { name: 'Ada', age: 1, tags: ['ok', 7] })).toEqual(['/tags/1 must be of type string']);
	});

	it("uses ajv's message for other keywords, with the path", () => {
		expect(schemaProblems(personSchema, { name: '', age: -1 })).toEqual([
			'/name must NOT have fewer than 1 characters',
			'/age must be >= 0',
		]);
	});

	it('reports every problem, not just the first', () => {
		const problems = schemaProblems(planSchema, { summary: 'x', techStack: 'Node', tasks: [] });
		expect(problems).toEqual(
			expect.arrayContaining([
				'(the top level) is missing the required field "risks"',
				'/techStack must be of type array',
				'/tasks must NOT have fewer than 1 items',
			]),
		);
		expect(problems).toHaveLength(3);
	});

	it('describes a value of the wrong type at the top level', () => {
		expect(schemaProblems(personSchema, 'not an object')).toEqual(['(the top level) must be of type object']);
	});

	it('gives the same answers when a schema is used again (compiled once, cached)', () => {
		const schema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };
		expect(schemaProblems(schema, {})).toEqual(['(the top level) is missing the required field "n"']);
		expect(schemaProblems(schema, { n: 1 })).toEqual([]);
		expect(schemaProblems(schema, { n: 'x' })).toEqual(['/n must be of type number']);
	});
});

describe('a field the schema does not allow', () => {
	it('is named in the problem, so the model (or the operator) knows what to remove', () => {
		const schema = { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false };
		expect(schemaProblems(schema, { a: 'x', colour: 'red' })).toEqual(['(the top level) has the field "colour", which is not allowed here']);
		expect(schemaProblems(schema, JSON.parse('{"a":"x","__proto__":{"polluted":true}}'))).toEqual(['(the top level) has the field "__proto__", which is not allowed here']);
	});
});

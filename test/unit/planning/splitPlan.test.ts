import { InvalidInputError } from '../../../runtime/errors';
import { splitPlan } from '../../../runtime/planning/splitPlan';
import { diamondPlan } from '../../support/fixtures/plans';

/** The error splitPlan throws, for asserting on its field and message. */
function splitError(...args: Parameters<typeof splitPlan>): InvalidInputError {
	try {
		splitPlan(...args);
	} catch (error) {
		expect(error).toBeInstanceOf(InvalidInputError);
		return error as InvalidInputError;
	}
	throw new Error('splitPlan did not throw');
}

const ids = (items: ReturnType<typeof splitPlan>) => items.map((i) => i.task.id);

describe('splitPlan', () => {
	it('in all mode, returns every task in dependency order with wave, position and counts', () => {
		const plan = diamondPlan();
		const items = splitPlan(plan, 'p-1', { mode: 'all' });
		expect(items.map((i) => [i.task.id, i.wave, i.position])).toEqual([
			['T1', 1, 1],
			['T2', 2, 2],
			['T3', 2, 3],
			['T4', 3, 4],
		]);
		expect(items.every((i) => i.projectId === 'p-1' && i.waveCount === 3 && i.taskCount === 4)).toBe(true);
		expect(items[0].task).toEqual(plan.tasks[0]);
	});

	it('keeps a null project id as null', () => {
		expect(splitPlan(diamondPlan(), null, { mode: 'all' }).every((i) => i.projectId === null)).toBe(true);
	});

	it('accepts the plan as JSON text', () => {
		expect(ids(splitPlan(JSON.stringify(diamondPlan()), null, { mode: 'all' }))).toEqual(['T1', 'T2', 'T3', 'T4']);
	});

	it('rejects text that is not JSON, naming the plan field', () => {
		const error = splitError('{"summary": ', null, { mode: 'all' });
		expect(error.field).toBe('plan');
		expect(error.message).toMatch(/^plan: is text but not JSON: /);
	});

	it.each([
		['undefined', undefined],
		['null', null],
		['the JSON text null', 'null'],
	])('rejects a missing plan (%s), saying where the plan comes from', (_name, plan) => {
		const error = splitError(plan, null, { mode: 'all' });
		expect(error.field).toBe('plan');
		expect(error.message).toContain('is missing');
		expect(error.message).toContain('{{ $json.plan }}');
	});

	it('rejects a plan of the wrong shape, naming the field inside the plan that is wrong', () => {
		const plan = diamondPlan() as unknown as { tasks: Record<string, unknown>[] };
		delete plan.tasks[1].dependsOn;
		const error = splitError(plan, null, { mode: 'all' });
		expect(error.field).toBe('plan');
		expect(error.message).toBe('plan: is not a valid plan: /tasks/1 is missing the required field "dependsOn"');
	});

	it('rejects a plan whose tasks field is not a list', () => {
		const error = splitError({ ...diamondPlan(), tasks: 'T1, T2' }, null, { mode: 'all' });
		expect(error.message).toContain('/tasks must be of type array');
	});

	it('rejects a plan with a dependency cycle under the field plan.tasks, naming the cycle', () => {
		const plan = diamondPlan();
		plan.tasks[0].dependsOn = ['T4'];
		const error = splitError(plan, null, { mode: 'all' });
		expect(error.field).toBe('plan.tasks');
		expect(error.message).toBe('plan.tasks: dependency cycle: "T1" → "T4" → "T2" → "T1"');
	});

	it('rejects a plan with a dependency on an unknown task', () => {
		const plan = diamondPlan();
		plan.tasks[3].dependsOn.push('T9');
		const error = splitError(plan, null, { mode: 'all' });
		expect(error.field).toBe('plan.tasks');
		expect(error.message).toContain('task "T4" depends on unknown task "T9"');
	});

	it('in ready mode with nothing done, returns only the tasks without dependencies', () => {
		expect(ids(splitPlan(diamondPlan(), null, { mode: 'ready' }))).toEqual(['T1']);
		expect(ids(splitPlan(diamondPlan(), null, { mode: 'ready', doneTaskIds: [] }))).toEqual(['T1']);
	});

	it('in ready mode, returns the tasks not done whose dependencies are all done', () => {
		expect(ids(splitPlan(diamondPlan(), null, { mode: 'ready', doneTaskIds: ['T1'] }))).toEqual(['T2', 'T3']);
		expect(ids(splitPlan(diamondPlan(), null, { mode: 'ready', doneTaskIds: ['T1', 'T2'] }))).toEqual(['T3']);
		expect(ids(splitPlan(diamondPlan(), null, { mode: 'ready', doneTaskIds: ['T1', 'T2', 'T3'] }))).toEqual(['T4']);
	});

	it('in ready mode, keeps each ready task its position in the whole schedule', () => {
		const [t3] = splitPlan(diamondPlan(), 'p', { mode: 'ready', doneTaskIds: ['T1', 'T2'] });
		expect(t3).toMatchObject({ position: 3, taskCount: 4, wave: 2, waveCount: 3 });
	});

	it('in ready mode, returns nothing once every task is done', () => {
		expect(splitPlan(diamondPlan(), null, { mode: 'ready', doneTaskIds: ['T1', 'T2', 'T3', 'T4'] })).toEqual([]);
	});

	it('in all mode, returns every task whatever is done', () => {
		expect(ids(splitPlan(diamondPlan(), null, { mode: 'all', doneTaskIds: ['T1', 'T2'] }))).toEqual(['T1', 'T2', 'T3', 'T4']);
	});

	it('rejects a single done id that is not a task of the plan, in any mode', () => {
		for (const mode of ['ready', 'all'] as const) {
			const error = splitError(diamondPlan(), null, { mode, doneTaskIds: ['T1', 't2'] });
			expect(error.field).toBe('doneTaskIds');
			expect(error.message).toBe('doneTaskIds: not tasks of this plan: "t2"');
		}
	});

	it('rejects done ids that are not tasks of the plan, naming each of them and the doneTaskIds field', () => {
		const error = splitError(diamondPlan(), null, { mode: 'ready', doneTaskIds: ['T1', 'T7', 'x'] });
		expect(error.field).toBe('doneTaskIds');
		expect(error.message).toBe('doneTaskIds: not tasks of this plan: "T7", "x"');
	});
});

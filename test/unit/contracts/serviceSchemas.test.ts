import { join } from 'node:path';
import ts from 'typescript';

import { schemaProblems } from '../../../runtime/contracts/schemaValidator';
import { samples } from './serviceShapes';

// The service's body types and the JSON schemas the API validates with are both written by hand
// (runtime/contracts/service.ts): this keeps them from drifting apart.

describe('the contract types and their JSON schemas', () => {
	it('agree field for field, required for required (serviceShapes.ts compiles)', () => {
		const file = join(__dirname, 'serviceShapes.ts');
		const { options } = ts.parseJsonConfigFileContent(ts.readConfigFile(join(__dirname, '../../../tsconfig.json'), ts.sys.readFile).config, ts.sys, join(__dirname, '../../..'));
		const program = ts.createProgram([file], { ...options, noEmit: true });
		const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
		expect(problems).toEqual([]);
	}, 60_000);

	it.each(samples.map((s) => [s.name, s] as const))('%s: a body with every field of the type is valid, and has every field of the schema', (_name, { schema, body }) => {
		expect(schemaProblems(schema, body)).toEqual([]);
		expect(Object.keys(body).sort()).toEqual(Object.keys((schema as { properties: object }).properties).sort());
	});
});

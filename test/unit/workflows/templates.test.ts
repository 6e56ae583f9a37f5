import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeProperties, INodePropertyCollection, INodeType } from 'n8n-workflow';

import { AiCompany } from '../../../nodes/AiCompany/AiCompany.node';
import { AiCompanyTrigger } from '../../../nodes/AiCompanyTrigger/AiCompanyTrigger.node';
import { AiDeveloper } from '../../../nodes/AiDeveloper/AiDeveloper.node';
import { AiPlanner } from '../../../nodes/AiPlanner/AiPlanner.node';
import { AiReviewer } from '../../../nodes/AiReviewer/AiReviewer.node';
import { AiTester } from '../../../nodes/AiTester/AiTester.node';
import { ProjectState } from '../../../nodes/ProjectState/ProjectState.node';
import { TaskSplitter } from '../../../nodes/TaskSplitter/TaskSplitter.node';

const PACKAGE = 'n8n-nodes-ai-company';
const ourNodes = new Map<string, INodeType>(
	[new AiPlanner(), new TaskSplitter(), new ProjectState(), new AiDeveloper(), new AiTester(), new AiReviewer(), new AiCompany(), new AiCompanyTrigger()].map((n) => [
		`${PACKAGE}.${n.description.name}`,
		n as INodeType,
	]),
);
const packageJson = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { n8n: { nodes: string[] } };

/**
 * The n8n-nodes-base node types of n8n 2.41.1, with their type versions, pinned in the repo:
 * test/fixtures/n8n-2.41.1-node-types.json, written by `node scripts/n8n-node-types.js` from a real
 * install (and compared with the install by the e2e suite, test/e2e/n8nNodeTypes.e2e.test.ts).
 * Never the cache: this test's verdict is the same on a machine that has never installed n8n.
 */
const pinned = JSON.parse(readFileSync(join(__dirname, '../../fixtures/n8n-2.41.1-node-types.json'), 'utf8')) as {
	n8nVersion: string;
	generatedFrom: string;
	types: Record<string, number[]>;
};
const n8nBase = { source: 'test/fixtures/n8n-2.41.1-node-types.json', types: new Map(Object.entries(pinned.types)) };

/** The credential `npm run start:local` creates (a plain CommonJS script; main() runs only when run itself). */
const runLocal = require('../../../scripts/run-local.js') as Record<'LOCAL_API_CREDENTIAL' | 'LOCAL_SMTP_CREDENTIAL', { id: string; name: string; type: string }>;
const localCredentials = new Map([runLocal.LOCAL_API_CREDENTIAL, runLocal.LOCAL_SMTP_CREDENTIAL].map(({ type, id, name }) => [type, { id, name }]));

/**
 * Where a template's parameter values are refused by the node's description: a name the node does
 * not have (at the top level, or inside a collection such as Options or Intake Fields), one set where
 * the node does not show it (its displayOptions), or a value that is not one of a fixed options
 * parameter's values. One line per problem, naming the parameter.
 */
function parameterProblems(properties: INodeProperties[], parameters: Record<string, unknown>, where = ''): string[] {
	const problems: string[] = [];
	const valueOf = (name: string) => (name in parameters ? parameters[name] : properties.find((p) => p.name === name)?.default);
	// Shown for these parameters: n8n ignores (and the editor hides) a value of a parameter that is not.
	const shown = (p: INodeProperties) => Object.entries(p.displayOptions?.show ?? {}).every(([key, values]) => (values as unknown[]).includes(valueOf(key)));
	for (const [name, value] of Object.entries(parameters)) {
		const named = properties.filter((p) => p.name === name);
		const candidates = named.filter(shown);
		if (named.length === 0) {
			problems.push(`${where}${name}: not a parameter of the node (it has ${[...new Set(properties.map((p) => p.name))].join(', ')})`);
			continue;
		}
		if (candidates.length === 0) {
			problems.push(`${where}${name}: not shown for these parameters (${JSON.stringify(named[0].displayOptions?.show)})`);
			continue;
		}
		const property = candidates[0];
		if (property.type === 'collection' && value && typeof value === 'object') {
			const options = candidates.flatMap((p) => (p.options ?? []) as INodeProperties[]);
			problems.push(...parameterProblems(options, value as Record<string, unknown>, `${where}${name}.`));
		} else if (property.type === 'options' && !property.typeOptions?.loadOptionsMethod && typeof value === 'string' && !value.startsWith('=')) {
			// (A dropdown filled from the service, like Model, takes any value.)
			const allowed = candidates.flatMap((p) => ((p.options ?? []) as INodePropertyCollection[]).map((o) => (o as unknown as { value: string }).value));
			if (!allowed.includes(value)) problems.push(`${where}${name}: "${value}" is not one of ${allowed.join(', ')}`);
		}
	}
	return problems;
}

interface TemplateNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, unknown>;
}

const workflowsDir = join(__dirname, '../../../workflows');
const templates = readdirSync(workflowsDir)
	.filter((f) => f.endsWith('.json'))
	.map((file) => ({ file, workflow: JSON.parse(readFileSync(join(workflowsDir, file), 'utf8')) }));

describe('shipped workflow templates', () => {
	it('exist', () => {
		expect(templates.length).toBeGreaterThan(0);
	});

	it('declare every node of this package in package.json, so n8n loads it', () => {
		const declared = packageJson.n8n.nodes.map((p) => p.split('/').pop()!.split('.')[0]);
		for (const node of ourNodes.values()) {
			expect(declared.map((c) => c.toLowerCase())).toContain(node.description.name.toLowerCase());
		}
	});

	it('check against the node types of n8n 2.41.1 pinned in the repo, not against the cache', () => {
		expect(pinned.n8nVersion).toBe('2.41.1');
		// Every type of n8n-nodes-base (444 node files in 2.41.1), not an allow-list of what the templates use.
		expect(n8nBase.types.size).toBeGreaterThan(400);
		expect(n8nBase.types.get('n8n-nodes-base.webhook')).toEqual([1, 1.1, 2, 2.1]);
	});

	describe.each(templates)('$file', ({ workflow }) => {
		const nodes = workflow.nodes as TemplateNode[];

		it('has an id so re-importing updates it instead of copying it', () => {
			expect(typeof workflow.id).toBe('string');
		});

		it('connects only nodes that exist', () => {
			const names = new Set(nodes.map((n) => n.name));
			for (const [from, outputs] of Object.entries(workflow.connections as Record<string, { main: { node: string }[][] }>)) {
				expect(names).toContain(from);
				for (const target of outputs.main.flat()) expect(names).toContain(target.node);
			}
		});

		it('uses only node types and parameters this package has', () => {
			for (const node of nodes.filter((n) => n.type.startsWith(`${PACKAGE}.`))) {
				const nodeType = ourNodes.get(node.type);
				expect(nodeType).toBeDefined();
				expect({ node: node.name, problems: parameterProblems(nodeType!.description.properties, node.parameters) }).toEqual({ node: node.name, problems: [] });
				for (const credentialType of Object.keys(node.credentials ?? {})) {
					expect(nodeType!.description.credentials?.map((c) => c.name)).toContain(credentialType);
				}
				// A credential the node needs with these parameters (Task Splitter: only for a stored project).
				const needed = (nodeType!.description.credentials ?? []).filter((c) =>
					Object.entries(c.displayOptions?.show ?? {}).every(([key, values]) =>
						(values as unknown[]).includes(key in node.parameters ? node.parameters[key] : nodeType!.description.properties.find((p) => p.name === key)?.default),
					),
				);
				expect({ node: node.name, credentials: Object.keys(node.credentials ?? {}).sort() }).toEqual({ node: node.name, credentials: needed.map((c) => c.name).sort() });
			}
		});

		it(`uses only n8n-nodes-base node types and versions n8n 2.41.1 has (checked against ${n8nBase.source})`, () => {
			for (const node of nodes.filter((n) => !n.type.startsWith(`${PACKAGE}.`))) {
				expect(node.type).toMatch(/^n8n-nodes-base\./);
				expect([...n8nBase.types.keys()]).toContain(node.type);
				expect(n8nBase.types.get(node.type)).toContain(node.typeVersion);
			}
		});

		it('refers to the credentials `npm run start:local` creates, by type, id and name', () => {
			for (const node of nodes) {
				for (const [type, reference] of Object.entries(node.credentials ?? {})) expect(reference).toEqual(localCredentials.get(type));
			}
		});

		it('holds no secrets in credential references', () => {
			for (const node of nodes) {
				for (const reference of Object.values(node.credentials ?? {})) {
					expect(Object.keys(reference as object).sort()).toEqual(['id', 'name']);
				}
			}
		});
	});
});

describe('parameterProblems (the check above)', () => {
	const planner = ourNodes.get(`${PACKAGE}.aiPlanner`)!.description.properties;
	const projectState = ourNodes.get(`${PACKAGE}.projectState`)!.description.properties;

	it('names a parameter the node does not have, also inside a collection', () => {
		expect(parameterProblems(planner, { projectId: '', requirement: 'x' })).toEqual([expect.stringMatching(/^requirement: not a parameter of the node/)]);
		expect(parameterProblems(planner, { options: { temperature: 0.1, temprature: 1 } })).toEqual([expect.stringMatching(/^options\.temprature: not a parameter/)]);
	});

	it('names a parameter set where the node does not show it, and an options value it does not have', () => {
		expect(parameterProblems(projectState, { resource: 'project', operation: 'get', branch: 'main' })).toEqual([expect.stringMatching(/^branch: not shown for these parameters/)]);
		expect(parameterProblems(projectState, { resource: 'project', operation: 'publish', execution: 'later' })).toEqual(['execution: "later" is not one of wait, queue']);
		expect(parameterProblems(projectState, { resource: 'project', operation: 'create', intake: { idempotencyKey: '={{ $json.body.key }}' }, start: false })).toEqual([]);
	});
});

describe('develop-project.json: the step-by-step company', () => {
	const workflow = templates.find((t) => t.file === 'develop-project.json')!.workflow as {
		nodes: (TemplateNode & { alwaysOutputData?: boolean })[];
		connections: Record<string, { main: { node: string }[][] }>;
	};
	const node = (name: string) => workflow.nodes.find((n) => n.name === name)!;
	const next = (from: string, output = 0) => workflow.connections[from]?.main[output]?.map((c) => c.node) ?? [];
	const ifCondition = (name: string) => (node(name).parameters.conditions as { conditions: { leftValue: string; rightValue: unknown; operator: { operation: string } }[] }).conditions;

	it('creates the project for steps (not run by the service), keeping the client\'s idempotency key', () => {
		expect(node('Create project').parameters).toMatchObject({ resource: 'project', operation: 'create', start: false, intake: { idempotencyKey: expect.stringContaining('$json.body.idempotencyKey') } });
		expect(next('Client request')).toEqual(['Create project']);
		expect(next('Create project')).toEqual(['AI Planner']);
		expect(node('AI Planner').parameters.projectId).toBe('={{ $json.projectId }}');
	});

	it('loops over the stored project\'s ready tasks one at a time until none is left, then publishes', () => {
		expect(next('AI Planner')).toEqual(['Next ready tasks']);
		expect(node('Next ready tasks')).toMatchObject({ type: `${PACKAGE}.taskSplitter`, alwaysOutputData: true, parameters: { source: 'stored', mode: 'ready' } });
		expect(next('Next ready tasks')).toEqual(['One task at a time']);
		expect(node('One task at a time').parameters).toMatchObject({ maxItems: 1 });
		expect(next('One task at a time')).toEqual(['Task left?']);
		expect([next('Task left?', 0), next('Task left?', 1)]).toEqual([['AI Developer'], ['Publish']]);
		expect(node('Publish').parameters).toMatchObject({ operation: 'publish' });
	});

	it('tests every task and sends a failing one back to the developer while attempts are left', () => {
		expect(next('AI Developer')).toEqual(['AI Tester']);
		expect(next('AI Tester')).toEqual(['Tests passed?']);
		expect(ifCondition('Tests passed?')).toEqual([expect.objectContaining({ leftValue: '={{ $json.status }}', rightValue: 'passed' })]);
		expect([next('Tests passed?', 0), next('Tests passed?', 1)]).toEqual([['AI Reviewer'], ['Attempts left?']]);
		expect(ifCondition('Attempts left?')).toEqual([expect.objectContaining({ leftValue: '={{ $json.attempt }}', operator: expect.objectContaining({ operation: 'lt' }) })]);
		expect([next('Attempts left?', 0), next('Attempts left?', 1)]).toEqual([['AI Developer'], ['Mark failed']]);
		expect(node('AI Developer').parameters.mode).toBe('auto');
		expect(node('Mark failed').parameters).toMatchObject({ operation: 'updateStatus', status: 'failed' });
		expect(next('Mark failed')).toEqual(['Get project']);
		expect(next('Publish')).toEqual(['Get project']);
	});

	it('reviews every task whose tests pass (Review on in the project it creates) and sends it back to the developer while review rounds are left', () => {
		expect(node('Create project').parameters.settings).toEqual({ review: true });
		expect(node('AI Reviewer')).toMatchObject({ type: `${PACKAGE}.aiReviewer`, parameters: { projectId: node('AI Tester').parameters.projectId, taskId: '={{ $json.taskId }}' } });
		expect(next('AI Reviewer')).toEqual(['Approved?']);
		// Done: approved, or a last rejection the project's reviewLastRejection lets through with a warning.
		expect(ifCondition('Approved?')).toEqual([expect.objectContaining({ leftValue: '={{ $json.taskStatus }}', rightValue: 'done' })]);
		expect([next('Approved?', 0), next('Approved?', 1)]).toEqual([['Next ready tasks'], ['Review rounds left?']]);
		expect(ifCondition('Review rounds left?')).toEqual([
			expect.objectContaining({ leftValue: '={{ $json.verdict }}', rightValue: 'request_changes', operator: expect.objectContaining({ operation: 'equals' }) }),
			expect.objectContaining({ leftValue: '={{ $json.last }}', operator: expect.objectContaining({ type: 'boolean', operation: 'false' }) }),
		]);
		expect((node('Review rounds left?').parameters.conditions as { combinator: string }).combinator).toBe('and');
		expect([next('Review rounds left?', 0), next('Review rounds left?', 1)]).toEqual([['AI Developer'], ['Mark rejected']]);
		expect(node('Mark rejected').parameters).toMatchObject({ operation: 'updateStatus', status: 'failed', reason: expect.stringContaining('$json.review?.summary') });
		expect(next('Mark rejected')).toEqual(['Get project']);
	});
});

describe('autonomous-project.json: the intake reads its own body', () => {
	const workflow = templates.find((t) => t.file === 'autonomous-project.json')!.workflow as { nodes: TemplateNode[] };
	const node = (name: string) => workflow.nodes.find((n) => n.name === name)!;

	/** The Validate request Code node's output for one request body (as the Webhook keeps it: a file, or none when empty). */
	async function validate(raw: Buffer | undefined): Promise<Record<string, any>> {
		const jsCode = node('Validate request').parameters.jsCode as string;
		const item = { json: { headers: {}, params: {}, query: {}, body: {} }, binary: raw && raw.length > 0 ? { data: { bytes: raw.length, mimeType: 'application/json' } } : undefined };
		const run = new Function('$input', `return (async () => {\n${jsCode}\n}).call(this);`) as (this: unknown, input: unknown) => Promise<Array<{ json: Record<string, any> }>>;
		const helpers = { getBinaryDataBuffer: async () => raw };
		const [out] = await run.call({ helpers }, { all: () => [item] });
		return out.json;
	}

	it('keeps the body as it came (Webhook 1 with Binary Data), since n8n 2.41.1 answers malformed JSON to a Webhook 2 with its own 422', () => {
		expect(node('New project')).toMatchObject({ type: 'n8n-nodes-base.webhook', typeVersion: 1, parameters: { httpMethod: 'POST', responseMode: 'responseNode', options: { binaryData: true } } });
		expect(node('Reject').parameters.options).toEqual({ responseCode: '={{ $json.status }}' });
	});

	it('parses a good body into body, as the nodes after it read it', async () => {
		expect(await validate(Buffer.from('{"requirements":"a shop","key":"k1"}'))).toMatchObject({ valid: true, errors: [], body: { requirements: 'a shop', key: 'k1' } });
	});

	it('answers malformed JSON, an empty body and bytes that are not UTF-8 with 400 naming the body', async () => {
		expect(await validate(Buffer.from('{"requirements":'))).toMatchObject({ valid: false, status: 400, body: {}, errors: [{ field: 'body', message: expect.stringMatching(/^is not valid JSON \(.+\); send a JSON object/) }] });
		expect(await validate(undefined)).toMatchObject({ valid: false, status: 400, errors: [{ field: 'body', message: expect.stringMatching(/^is empty/) }] });
		expect(await validate(Buffer.from([0x7b, 0xff, 0x7d]))).toMatchObject({ valid: false, status: 400, errors: [{ field: 'body', message: 'is not valid UTF-8' }] });
	});

	it('refuses a body above 1 MiB with 413 without reading it', async () => {
		const raw = Buffer.alloc(1048577, 0x20);
		const out = await validate(raw);
		expect(out).toMatchObject({ valid: false, status: 413, body: {}, errors: [{ field: 'body', message: 'is 1048577 bytes; at most 1048576' }] });
	});
});

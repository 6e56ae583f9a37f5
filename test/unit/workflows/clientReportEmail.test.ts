import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Tournament } from '@n8n/tournament';
import { expressionSandboxHooks } from 'n8n-workflow/expression-sandboxing';

/**
 * The client email of workflows/client-report.json, evaluated by n8n's own expression engine as
 * n8n-workflow 2.41 builds it (@n8n/tournament with n8n's sandbox hooks), on the items the nodes
 * before it output: the report job's result (Write report), the project list's item (Active
 * projects), the Settings, and the item that reaches the email (the job's result, or the project
 * from Project cost when the cost is shown).
 */
interface TemplateNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
}
const template = JSON.parse(readFileSync(join(__dirname, '../../../workflows/client-report.json'), 'utf8')) as {
	nodes: TemplateNode[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
};
const nodeNamed = (name: string) => template.nodes.find((n) => n.name === name) as TemplateNode;
const email = nodeNamed('Email the client');
const settingsNode = nodeNamed('Settings');

// An error in an expression fails the test (n8n would show it in the email's parameter, or fail the node).
const engine = new Tournament(
	(error: Error) => {
		throw error;
	},
	undefined,
	undefined,
	expressionSandboxHooks,
);

/** An email parameter ("={{ … }}") as n8n renders it for one item. */
function rendered(parameter: 'text' | 'subject', items: Record<string, unknown>, json: unknown): string {
	const value = email.parameters[parameter] as string;
	return String(engine.execute(value.slice(1), { $: (name: string) => ({ item: { json: items[name] } }), $json: json }));
}

const reportResult = (overrides: Record<string, unknown> = {}) => ({
	projectId: 'p-1',
	title: 'Todo API',
	status: 'completed',
	report: { summary: 'Your todo service is finished and tested.', done: ['Adding todos'], next: [], risks: [] },
	review: { verdict: 'approve', summary: 'The code is small, clear and does what the plan asks.', rounds: 1, warned: false },
	delivery: { testCommand: 'npm test', verified: true, files: ['package.json', 'README.md'] },
	model: 'qwen2.5:7b',
	usage: { promptTokens: 900, completionTokens: 200, totalTokens: 1100, calls: 1 },
	cost: { currency: 'USD', total: 0.0123, byRole: { reporter: 0.0123 }, byModel: {} },
	repairs: 0,
	...overrides,
});
const settings = (showCostToClient: boolean) => ({ reporterModel: '', sendToClients: true, fromEmail: 'ai@localhost', showCostToClient });
const listed = { projectId: 'p-1', title: 'Todo API', client: { name: 'Ada', email: 'ada@example.com' } };
const items = (result: unknown, showCost: boolean) => ({ 'Write report': result, Settings: settings(showCost), 'Active projects': listed });
/** The project as Project cost (Project State → Get) outputs it: what the models cost it so far. */
const project = { id: 'p-1', title: 'Todo API', usage: { total: { calls: 40 }, cost: { currency: 'USD', total: 1.2345, byRole: { developer: 1 }, byModel: {} } } };

describe("client-report.json's email to the client", () => {
	it("tells the client the review's verdict and summary, and how to run the delivered repository's tests and that they passed in a clean clone", () => {
		const text = rendered('text', items(reportResult(), false), reportResult());
		expect(text).toContain('Your todo service is finished and tested.');
		expect(text).toContain('Code review (approved): The code is small, clear and does what the plan asks.');
		expect(text).toContain('To run the tests: clone the repository and run npm test in its folder. We ran it in a clean copy of the repository and the tests passed.');
		expect(rendered('subject', items(reportResult(), false), reportResult())).toBe('Progress on "Todo API"');
	});

	it('says so when the delivery was not verified, and that the review asked for changes', () => {
		const result = reportResult({ review: { verdict: 'request_changes', summary: 'Input is not checked.', rounds: 2, warned: true }, delivery: { testCommand: 'python -m pytest', verified: false, files: [] } });
		const text = rendered('text', items(result, false), result);
		expect(text).toContain('Code review (changes asked for): Input is not checked.');
		expect(text).toContain('run python -m pytest in its folder. The tests have not yet passed in a clean copy of the repository.');
	});

	it('leaves the review and the delivery out, without a stray line or "null", while the project has neither', () => {
		const result = reportResult({ review: null, delivery: null });
		const text = rendered('text', items(result, false), result);
		expect(text).not.toMatch(/review|run the tests|null|undefined/i);
		expect(text).toMatch(/Risks:\n- none\n\nThe AI Company$/);
	});

	it('never shows a cost with the shipped Settings, though the job result carries one', () => {
		const shipped = (settingsNode.parameters.assignments as { assignments: Array<{ name: string; value: unknown; type: string }> }).assignments;
		expect(shipped.find((a) => a.name === 'showCostToClient')).toMatchObject({ value: false, type: 'boolean' });
		const text = rendered('text', { ...items(reportResult(), false) }, reportResult());
		expect(text).not.toMatch(/cost|USD|0\.01/i);
	});

	it("shows the project's model cost so far when Settings say showCostToClient, and nothing when the project has no cost kept", () => {
		expect(rendered('text', items(reportResult(), true), project)).toContain('Model cost so far: 1.23 USD\n\nThe AI Company');
		expect(rendered('text', items(reportResult(), true), { id: 'p-1', usage: { total: {} } })).not.toMatch(/cost/i);
	});

	it('reads the project for its cost only when the cost is shown: Show cost? sends the item to Project cost or straight to the email', () => {
		const next = (name: string) => template.connections[name].main.map((output) => output.map((c) => c.node));
		expect(next('Mail it?')).toEqual([['Show cost?']]);
		expect(next('Show cost?')).toEqual([['Project cost'], ['Email the client']]);
		expect(next('Project cost')).toEqual([['Email the client']]);
		expect(nodeNamed('Project cost').parameters).toMatchObject({ resource: 'project', operation: 'get' });
	});
});

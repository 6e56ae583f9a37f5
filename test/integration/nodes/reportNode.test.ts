import type { IDataObject, ILoadOptionsFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { Message } from 'ollama';

import { AiPlanner } from '../../../nodes/AiPlanner/AiPlanner.node';
import { ProjectState } from '../../../nodes/ProjectState/ProjectState.node';
import { projectReportSchema } from '../../../runtime/contracts/report';
import { hookContext, type SentRequest } from '../../support/nodeExecution';
import type { RecordedRequest } from '../../support/ollamaTestServer';
import { playCompany } from '../../support/scriptedCompany';
import { CallbackReceiver, MODELS } from '../service/support';
import { NodesHarness } from './support';

// Project State → Write Report against a real service: the node queues the report job and waits for
// it, or queues it only and the service POSTs the result to the callback URL.

const harness = new NodesHarness();
const planner = new AiPlanner();
const state = new ProjectState();
let receiver: CallbackReceiver;

const REPORT = { summary: 'Your shop is planned; building starts today.', done: ['The plan'], next: ['The catalogue'], risks: ['None so far'] };
const messagesOf = (request: RecordedRequest) => (request.body?.messages ?? []) as Message[];

beforeAll(async () => {
	await harness.startService();
	playCompany(harness.ollama, (_call, request) => (messagesOf(request)[0]?.content.includes('project manager agent') ? { content: JSON.stringify(REPORT) } : undefined));
	receiver = await CallbackReceiver.start();
}, 30_000);

afterAll(async () => {
	await receiver?.close();
	await harness.tearDown();
});

let projects = 0;
/** A steps-mode project planned by the AI Planner node. */
async function plannedProject(): Promise<IDataObject> {
	const [created] = await harness.run(state, {
		resource: 'project',
		operation: 'create',
		requirements: `tasks=2 a shop #${++projects}`,
		intake: { title: 'Shop', clientName: 'Ada' },
		start: false,
		settings: {},
	});
	await harness.run(planner, { projectId: created.projectId, execution: 'wait', waitTimeoutSeconds: 60 });
	const [project] = await harness.run(state, { resource: 'project', operation: 'get', projectId: created.projectId });
	return project;
}

const report = (projectId: unknown, extra: IDataObject = {}) => ({ resource: 'project', operation: 'report', projectId, model: '', execution: 'wait', waitTimeoutSeconds: 60, ...extra });

describe('Project State → Write Report', () => {
	it("waits for the service's report job and outputs the report; the project changes only by the reporter's usage", async () => {
		const project = await plannedProject();
		const before = harness.ollama.chatRequests().length;
		const [output] = await harness.run(state, report(project.id));
		expect(output).toEqual({
			projectId: project.id,
			title: 'Shop',
			status: 'planned',
			report: REPORT,
			model: 'llama3.2:3b',
			usage: expect.objectContaining({ calls: 1 }),
			cost: 0,
			repairs: 0,
			review: null,
			delivery: null,
		});
		const [call] = harness.ollama.chatRequests().slice(before);
		expect(call.body?.format).toEqual(JSON.parse(JSON.stringify(projectReportSchema)));
		const [after] = await harness.run(state, { resource: 'project', operation: 'get', projectId: project.id });
		expect(after).toMatchObject({ status: 'planned', plan: project.plan, tasks: project.tasks, version: (project.version as number) + 1 });
		expect((after.usage as IDataObject).byRole).toMatchObject({ reporter: output.usage });
	}, 60_000);

	it('sends the Model chosen to the service, which calls that model', async () => {
		const project = await plannedProject();
		const sent: SentRequest[] = [];
		const [output] = await harness.run(state, report(project.id, { model: 'qwen2.5-coder:7b' }), [{}], {}, sent);
		expect(output).toMatchObject({ model: 'qwen2.5-coder:7b', report: REPORT });
		expect(sent[0]).toMatchObject({ method: 'POST', url: `${harness.service.url}/api/projects/${String(project.id)}/report`, body: { model: 'qwen2.5-coder:7b' } });
	}, 60_000);

	it('with Queue Only outputs the job at once, and the service POSTs the report to the Callback URL', async () => {
		const project = await plannedProject();
		const url = receiver.url(`/resume-${String(project.id)}`);
		const [queued] = await harness.run(state, report(project.id, { execution: 'queue', callbackUrl: url }));
		expect(queued).toEqual({ jobId: `report.${String(project.id)}.${String(project.version)}`, projectId: project.id });
		const [delivery] = await receiver.waitFor(`/resume-${String(project.id)}`);
		expect(delivery.body).toMatchObject({ jobId: queued.jobId, name: 'report', state: 'completed', result: { projectId: project.id, report: REPORT } });
	}, 60_000);

	it('refuses an empty Project ID by name before any request; an unknown project is a 404 naming it, and Continue On Fail goes on', async () => {
		const sent: SentRequest[] = [];
		const empty = await harness.run(state, report(''), [{}], {}, sent).catch((e: unknown) => e);
		expect(empty).toBeInstanceOf(NodeOperationError);
		expect((empty as NodeOperationError).message).toBe('"Project ID" is empty');
		expect(sent).toEqual([]);

		const unknown = await harness.run(state, report('no-such-project')).catch((e: unknown) => e);
		expect(unknown).toBeInstanceOf(NodeApiError);
		expect((unknown as NodeApiError).httpCode).toBe('404');
		expect((unknown as NodeApiError).message).toMatch(/no-such-project/);

		const project = await plannedProject();
		const items = await harness.run(state, report((item: IDataObject) => item.id), [{ id: 'no-such-project' }, { id: project.id }], { continueOnFail: true });
		expect(items[0].error).toMatch(/no-such-project/);
		expect(items[1]).toMatchObject({ projectId: project.id, report: REPORT });
	}, 60_000);

	it("shows Model and the Execution parameters for Write Report only, and fills Model from the service's models", async () => {
		const shownFor = (name: string) =>
			state.description.properties.filter((p: INodeProperties) => p.name === name).flatMap((p) => (p.displayOptions?.show?.operation as string[] | undefined) ?? []);
		expect(shownFor('model')).toEqual(['report']);
		expect(shownFor('execution').sort()).toEqual(['publish', 'report']);
		expect(shownFor('projectId')).toContain('report');
		const operations = state.description.properties.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes('project'));
		expect(operations?.options).toContainEqual(expect.objectContaining({ name: 'Write Report', value: 'report', action: 'Write a progress report for a project' }));

		const context = hookContext(state, { parameters: {}, credentials: harness.credentials(), webhookUrl: '', staticData: {} });
		const models = await state.methods.loadOptions.getModels.call(context as unknown as ILoadOptionsFunctions);
		expect(models[0]).toMatchObject({ name: 'Service Default', value: '' });
		expect(models.slice(1).map((m) => m.value).sort()).toEqual([...MODELS].sort());
	});
});

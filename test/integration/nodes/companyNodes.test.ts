import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { AiCompany } from '../../../nodes/AiCompany/AiCompany.node';
import { AiCompanyTrigger } from '../../../nodes/AiCompanyTrigger/AiCompanyTrigger.node';
import { deliveryProblem } from '../../../nodes/AiCompanyTrigger/verifyDelivery';
import { hookContext } from '../../support/nodeExecution';
import { playCompany } from '../../support/scriptedCompany';
import { CallbackReceiver } from '../service/support';
import { NodesHarness } from './support';

const harness = new NodesHarness();
const company = new AiCompany();
const trigger = new AiCompanyTrigger();

beforeAll(async () => {
	await harness.startService({ CONCURRENCY: '4' });
	playCompany(harness.ollama);
}, 30_000);

afterAll(() => harness.tearDown());

const run = (requirements: string, extra: IDataObject = {}) =>
	harness.run(company, { operation: 'runProject', requirements, intake: {}, execution: 'wait', waitTimeoutSeconds: 90, settings: {}, ...extra });

describe('AI Company: Run Whole Project', () => {
	it('waits for the end and outputs the outcome: every task done, the fix round counted, the repository named', async () => {
		const [outcome] = await run('tasks=3 waves=2 bug=T2 (company node)', { intake: { title: 'Whole', clientName: 'Ada' }, settings: { maxFixAttempts: 2 } });
		expect(outcome).toMatchObject({ title: 'Whole', status: 'completed', reason: null, client: { name: 'Ada' } });
		const approved = (id: string) => ({ verdict: 'approve', summary: `${id} does what it says`, rounds: 1, warned: false });
		expect(outcome.tasks).toEqual([
			{ id: 'T1', status: 'done', attempts: 1, review: approved('T1') },
			{ id: 'T2', status: 'done', attempts: 2, review: approved('T2') },
			{ id: 'T3', status: 'done', attempts: 1, review: approved('T3') },
		]);
		// The whole project's review and the delivery DevOps proved in a clean clone.
		expect(outcome.review).toMatchObject({ verdict: 'approve', rounds: 1, warned: false });
		expect(outcome.delivery).toMatchObject({ testCommand: 'npm test', verified: true });
		expect((outcome.delivery as IDataObject).files).toEqual(expect.arrayContaining(['package.json', 'README.md']));
		expect((outcome.repository as IDataObject).url).toBe(`${harness.gitBase}/${outcome.projectId}.git`);
		const { body: project } = await harness.api('GET', `/api/projects/${outcome.projectId}`);
		expect(project.run).toMatchObject({ mode: 'auto' });
	}, 120_000);

	it('with too few fix attempts the project fails and the outcome says why', async () => {
		const [outcome] = await run('tasks=1 bug=T1 (one attempt)', { settings: { maxFixAttempts: 1 } });
		expect(outcome.status).toBe('failed');
		expect(String(outcome.reason)).toMatch(/T1/);
	}, 60_000);

	it('Queue Only answers at once with the intake, before the project has ended', async () => {
		const [queued] = await run('tasks=2 (queued company)', { execution: 'queue' });
		expect(queued).toMatchObject({ status: 'intake', created: true, mode: 'auto' });
		const { body } = await harness.api('GET', `/api/projects/${queued.projectId}?wait=60`);
		expect(body.status).toBe('completed');
	}, 90_000);

	it('refuses a setting the service does not accept, naming it, and creates nothing; Continue On Fail goes on', async () => {
		const before = (await harness.api<{ projects: unknown[] }>('GET', '/api/projects?limit=200')).body.projects.length;
		const error = (await run('tasks=1 (bad setting)', { settings: { maxFixAttempts: 50 } }).catch((e: unknown) => e)) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/^settings\.maxFixAttempts: /);
		expect(error.context.itemIndex).toBe(0);
		expect((await harness.api<{ projects: unknown[] }>('GET', '/api/projects?limit=200')).body.projects.length).toBe(before);

		const items = await harness.run(
			company,
			{ operation: 'runProject', requirements: (item: IDataObject) => item.requirements, intake: {}, execution: 'queue', settings: {} },
			[{ requirements: '' }, { requirements: 'tasks=1 (second item)' }],
			{ continueOnFail: true },
		);
		expect(items[0].error).toBe('"Requirements" is empty');
		expect(items[1]).toMatchObject({ created: true });
	}, 30_000);

	it('stops waiting at its timeout with an error that says the project goes on', async () => {
		playCompany(harness.ollama, undefined, { delayMs: 1500 });
		try {
			const error = (await run('tasks=2 (slow)', { waitTimeoutSeconds: 1 }).catch((e: unknown) => e)) as NodeOperationError;
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toMatch(/^Project ".+" did not finish within 1 s \(it is /);
			expect(error.description).toMatch(/goes on in the service/);
		} finally {
			playCompany(harness.ollama);
		}
	}, 30_000);
});

describe("AI Company Trigger: n8n's webhook lifecycle against the service", () => {
	it('create registers the URL, checkExists finds it, a completed project is delivered, delete removes it', async () => {
		const receiver = await CallbackReceiver.start();
		try {
			const staticData: IDataObject = {};
			const context = hookContext(trigger, {
				parameters: { events: ['project.completed'], projectId: '' },
				credentials: harness.credentials(),
				webhookUrl: receiver.url('/n8n-trigger'),
				staticData,
			});
			const hooks = trigger.webhookMethods.default;
			expect(await hooks.checkExists.call(context)).toBe(false);
			expect(await hooks.create.call(context)).toBe(true);
			expect(staticData.webhookId).toMatch(/^wh_/);
			// A secret of its own per activation, which the service signs every delivery with.
			expect(staticData.webhookSecret).toMatch(/^[0-9a-f]{64}$/);
			expect(await hooks.checkExists.call(context)).toBe(true);

			const [outcome] = await run('tasks=1 (trigger)');
			// Other tests' projects may complete meanwhile: this project's delivery, once.
			await receiver.waitFor('/n8n-trigger');
			const ours = receiver.on('/n8n-trigger').filter((d) => d.body.projectId === outcome.projectId);
			expect(ours.map((d) => d.body)).toEqual([expect.objectContaining({ event: 'project.completed', project: expect.objectContaining({ status: 'completed' }) })]);
			const [delivery] = ours;
			const signedWith = (secret: string) =>
				deliveryProblem(secret, { timestamp: String(delivery.headers['x-ai-company-timestamp']), signature: String(delivery.headers['x-ai-company-signature']), rawBody: delivery.raw }, Math.floor(Date.now() / 1000));
			expect(signedWith(staticData.webhookSecret as string)).toBeUndefined();
			expect(signedWith('f'.repeat(64))).toBe('x-ai-company-signature does not match');

			expect(await hooks.delete.call(context)).toBe(true);
			expect(staticData.webhookId).toBeUndefined();
			expect(staticData.webhookSecret).toBeUndefined();
			expect(await hooks.checkExists.call(context)).toBe(false);
			// Deleting again (already gone at the service) still counts as removed.
			staticData.webhookId = 'wh_gone';
			expect(await hooks.delete.call(context)).toBe(true);
		} finally {
			await receiver.close();
		}
	}, 60_000);

	it('checkExists is false for a subscription without a secret (made by an earlier version), so activation registers it again, signed', async () => {
		const staticData: IDataObject = {};
		const context = hookContext(trigger, { parameters: { events: ['task.done'], projectId: '' }, credentials: harness.credentials(), webhookUrl: 'http://127.0.0.1:1/unsigned', staticData });
		const { body: unsigned } = await harness.api('POST', '/api/webhooks', { url: 'http://127.0.0.1:1/unsigned', events: ['task.done'] });
		staticData.webhookId = unsigned.webhookId;
		expect(await trigger.webhookMethods.default.checkExists.call(context)).toBe(false);
		staticData.webhookSecret = 'a'.repeat(64); // a secret here that the service does not have is no better
		expect(await trigger.webhookMethods.default.checkExists.call(context)).toBe(false);
		await trigger.webhookMethods.default.create.call(context);
		expect(staticData.webhookId).toBe(unsigned.webhookId);
		expect(await trigger.webhookMethods.default.checkExists.call(context)).toBe(true);
		await trigger.webhookMethods.default.delete.call(context);
	});

	it('checkExists is false when the stored subscription points at another URL (the workflow moved)', async () => {
		const staticData: IDataObject = {};
		const first = hookContext(trigger, { parameters: { events: ['task.failed'], projectId: '' }, credentials: harness.credentials(), webhookUrl: 'http://127.0.0.1:1/old', staticData });
		await trigger.webhookMethods.default.create.call(first);
		const moved = hookContext(trigger, { parameters: { events: ['task.failed'], projectId: '' }, credentials: harness.credentials(), webhookUrl: 'http://127.0.0.1:1/new', staticData });
		expect(await trigger.webhookMethods.default.checkExists.call(moved)).toBe(false);
		await trigger.webhookMethods.default.delete.call(first);
	});
});

import type { RecordedRequest } from '../../support/ollamaTestServer';
import { playCompany } from '../../support/scriptedCompany';
import { ServiceHarness, waitForStatus } from './support';

const harness = new ServiceHarness();

beforeAll(() => harness.setUp());
afterAll(() => harness.tearDown());

describe('projects share the workers fairly', () => {
	it('small projects posted after a large one that is already under way finish before it', async () => {
		playCompany(harness.ollama, undefined, { delayMs: 30 });
		const service = await harness.start({ CONCURRENCY: '2', OLLAMA_NUM_PARALLEL: '1', MAX_PLAN_TASKS: '80' });
		const large = await service.request('POST', '/api/projects', { title: 'Large', requirements: 'tasks=30 waves=1 large' });
		const largeId = large.body.projectId as string;
		// The large project's 30 task jobs are queued before the small ones arrive.
		await waitForStatus(service, largeId, ['development']);

		const smallIds: string[] = [];
		for (let i = 0; i < 3; i++) {
			const { body } = await service.request('POST', '/api/projects', { title: `Small ${i}`, requirements: `tasks=2 waves=1 small-${i}` });
			smallIds.push(body.projectId as string);
		}
		const finishedAt = async (id: string) => Date.parse((await waitForStatus(service, id, ['completed', 'failed'], 90_000)).updatedAt);
		const smallDone = await Promise.all(smallIds.map(finishedAt));
		const largeProject = await waitForStatus(service, largeId, ['completed', 'failed'], 90_000);
		expect(largeProject.status).toBe('completed');
		for (const done of smallDone) expect(done).toBeLessThan(Date.parse(largeProject.updatedAt));
		const largeDoneTasks = (at: number) => Object.values(largeProject.tasks as Record<string, { updatedAt: string }>).filter((t) => Date.parse(t.updatedAt) <= at).length;
		process.stdout.write(`fairness: small projects finished when the large one had ${smallDone.map(largeDoneTasks).join(', ')} of 30 tasks done\n`);
		// Served fairly, not after the large project's queue: most of its tasks were still to do.
		expect(Math.max(...smallDone.map(largeDoneTasks))).toBeLessThan(15);
	}, 120_000);
});

describe('a freed model slot goes to the waiting call of the project with the fewest calls going', () => {
	const slots = new ServiceHarness();

	beforeAll(() => slots.setUp());
	afterAll(() => slots.tearDown());

	it("a small project's first call, waiting behind a large project's calls for the one model slot, is served next", async () => {
		playCompany(slots.ollama, undefined, { delayMs: 400 });
		// One model slot, and workers enough for the large project's calls to queue for it.
		const service = await slots.start({ CONCURRENCY: '8', OLLAMA_NUM_PARALLEL: '1', MAX_PLAN_TASKS: '80' });
		const textOf = (request: RecordedRequest) => JSON.stringify(request.body?.messages ?? []);
		// The large project's calls by its spec (in the requirements the planner sees and the summary every later prompt shows), the small one's first by its requirements.
		const callsOf = (marker: string) => slots.ollama.chatRequests().filter((r) => textOf(r).includes(marker));
		await service.request('POST', '/api/projects', { title: 'Slots large', requirements: 'tasks=20 waves=1 slots-large' });
		// Its 8 task jobs run and all but one wait for the slot.
		const deadline = Date.now() + 30_000;
		while (callsOf('tasks=20 waves=1').length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));

		const { body } = await service.request('POST', '/api/projects', { title: 'Slots small', requirements: 'tasks=1 waves=1 slots-small' });
		const smallId = body.projectId as string;
		while (callsOf('slots-small').length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
		const smallFirst = callsOf('slots-small')[0];
		expect(smallFirst).toBeDefined();
		// From when its plan job started (and asked for the slot) to its call, the large project's calls served meanwhile.
		const planStarted = service.logs().find((l) => l.msg === 'job started' && l.job === 'plan' && l.projectId === smallId);
		expect(planStarted).toBeDefined();
		const startedAt = planStarted!.time as number;
		const servedBefore = callsOf('tasks=20 waves=1').filter((r) => r.receivedAt > startedAt && r.receivedAt < smallFirst.receivedAt).length;
		process.stdout.write(`fairness: ${servedBefore} of the large project's calls were served between the small project's plan job start and its first call\n`);
		// The one in flight ends and the small project's call goes next (one more only if a call ended while the plan job was setting out).
		expect(servedBefore).toBeLessThanOrEqual(1);
	}, 60_000);
});

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

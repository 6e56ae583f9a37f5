import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { OwnRedis } from '../../support/ownRedis';
import { callOf, playCompany } from '../../support/scriptedCompany';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { ServiceHarness, waitForStatus } from './support';

// Projects of 5 tasks in 2 waves where T2's first code is wrong: 1 plan + 6 developer + 5 tester + 5 task reviews + 1 whole-project review.
const SPEC = 'tasks=5 waves=2 bug=T2';
const CALLS_PER_PROJECT = 18;
const TASKS = ['T1', 'T2', 'T3', 'T4', 'T5'];
const FAST_RECOVERY = { CONCURRENCY: '3', OLLAMA_NUM_PARALLEL: '2', LOCK_DURATION_MS: '1000', STALLED_INTERVAL_MS: '300', JOB_BACKOFF_MS: '100' };

const harness = new ServiceHarness();

beforeAll(() => harness.setUp());
afterAll(() => harness.tearDown());

async function postProjects(service: RuntimeProcess, count: number, label: string): Promise<string[]> {
	const ids: string[] = [];
	for (let i = 0; i < count; i++) {
		const { body } = await service.request('POST', '/api/projects', { title: `${label} ${i}`, requirements: `${SPEC} ${label}-${i}` });
		ids.push(body.projectId as string);
	}
	return ids;
}

/**
 * Each project completed, each task done exactly once (one task.done event), one commit per task.
 * `repeatedAttempts`: a Redis outage can make the queue hand an attempt that was running to a worker
 * again (its lock could not be renewed), so it is counted twice; it still ends done once.
 */
async function expectDeliveredOnce(service: RuntimeProcess, projectIds: string[], repeatedAttempts = false): Promise<void> {
	const expected: Record<string, number> = { T1: 1, T2: 2, T3: 1, T4: 1, T5: 1 };
	for (const projectId of projectIds) {
		const project = await waitForStatus(service, projectId, ['completed', 'failed'], 90_000);
		expect({ projectId, status: project.status, reason: project.statusReason }).toEqual({ projectId, status: 'completed', reason: null });
		const attempts = Object.fromEntries(TASKS.map((id) => [id, project.tasks[id].attempts as number]));
		if (repeatedAttempts) {
			for (const id of TASKS) expect([0, 1]).toContain(attempts[id] - expected[id]);
		} else {
			expect(attempts).toEqual(expected);
		}
		const { body } = await service.request<{ events: Array<{ type: string; data: { taskId?: string } }> }>('GET', `/api/projects/${projectId}/events?limit=1000`);
		const done = body.events.filter((e) => e.type === 'task.done').map((e) => e.data.taskId).sort();
		expect(done).toEqual(TASKS);
		const log = execFileSync('git', ['--git-dir', join(harness.gitBase, `${projectId}.git`), 'log', '--format=%s', 'main'], { encoding: 'utf8' }).trim().split('\n');
		// DevOps's packaging commit once, last, however often its job ran again after a death.
		expect(log[0]).toMatch(/^Packaging: /);
		expect(log.map((line) => line.split(':')[0]).sort()).toEqual([...TASKS, 'Packaging', `Start ${project.title}`].sort());
	}
}

const modelCalls = (from: number) => harness.ollama.chatRequests().slice(from).map(callOf);

describe('nothing is lost when a worker dies or stops', () => {
	it('SIGTERM hands the job in flight back: the process exits promptly and another worker finishes the project', async () => {
		let slow = true;
		playCompany(harness.ollama, (call) => (call.role === 'developer' && slow ? { delayMs: 3000, content: JSON.stringify({ summary: 's', files: [{ path: 'src/t1.js', content: 'exports.value = () => 1;\n' }] }) } : undefined));
		const before = harness.ollama.chatRequests().length;
		const first = await harness.start(FAST_RECOVERY);
		const { body } = await first.request('POST', '/api/projects', { title: 'Stop me', requirements: 'tasks=1 waves=1 sigterm' });
		const projectId = body.projectId as string;
		while (!modelCalls(before).some((c) => c.role === 'developer')) await new Promise((resolve) => setTimeout(resolve, 20));

		const stoppedAt = Date.now();
		expect(await first.kill('SIGTERM')).toBe(0);
		expect(Date.now() - stoppedAt).toBeLessThan(2500);
		expect(first.lines.some((l) => l.includes('handed back'))).toBe(true);

		slow = false;
		const second = await harness.start(FAST_RECOVERY);
		const project = await waitForStatus(second, projectId, ['completed', 'failed']);
		expect(project.status).toBe('completed');
		expect(project.tasks.T1.attempts).toBe(1);
		// The interrupted call and the one that finished the task.
		expect(modelCalls(before).filter((c) => c.role === 'developer')).toHaveLength(2);
		await second.stop();
	}, 60_000);

	it('a dead worker\'s job is taken over within about LOCK_DURATION_MS + STALLED_INTERVAL_MS of its death, not after BullMQ\'s 30 s default lock', async () => {
		const settings = { CONCURRENCY: '2', OLLAMA_NUM_PARALLEL: '1', LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '1000' };
		let dying = true;
		playCompany(harness.ollama, (call) => (call.role === 'developer' && dying ? { hang: true } : undefined));
		const before = harness.ollama.chatRequests().length;
		const first = await harness.start(settings);
		const { body } = await first.request('POST', '/api/projects', { title: 'Taken over', requirements: 'tasks=1 waves=1 takeover' });
		const developerCalls = () => harness.ollama.chatRequests().slice(before).filter((r) => callOf(r).role === 'developer');
		while (developerCalls().length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
		// The worker that takes over runs before the kill, so what is measured is the lock, not a start-up.
		const second = await harness.start(settings);
		dying = false;
		const killedAt = Date.now();
		await first.kill('SIGKILL');
		// Waits past the 30 s default, so a lock of the wrong length fails on the bound below, with its figure.
		while (developerCalls().length < 2 && Date.now() - killedAt < 45_000) await new Promise((resolve) => setTimeout(resolve, 50));
		const takenOverMs = (developerCalls()[1]?.receivedAt ?? Infinity) - killedAt;
		process.stdout.write(`crash test: the dead worker's job was taken over ${takenOverMs} ms after the kill (lock 2000 ms, stalled check every 1000 ms)\n`);
		// About 2 s for the lock to lapse and up to 2 stalled checks; far below BullMQ's default 30 s lock.
		expect(takenOverMs).toBeLessThan(15_000);
		const project = await waitForStatus(second, body.projectId as string, ['completed', 'failed']);
		expect(project.status).toBe('completed');
		await second.stop();
	}, 90_000);

	it('workers killed with SIGKILL three times mid-run: every project completes, every task is done once, and few model calls are repeated', async () => {
		playCompany(harness.ollama, undefined, { delayMs: 120 });
		const before = harness.ollama.chatRequests().length;
		let service = await harness.start(FAST_RECOVERY);
		const projectIds = await postProjects(service, 3, 'crash');
		const kills = 3;
		for (let kill = 0; kill < kills; kill++) {
			await new Promise((resolve) => setTimeout(resolve, 900));
			await service.kill('SIGKILL');
			service = await harness.start(FAST_RECOVERY);
		}
		await expectDeliveredOnce(service, projectIds);
		const calls = modelCalls(before).length;
		// Only calls in flight at a kill may be made again: at most one per job in flight (CONCURRENCY) per kill.
		expect(calls).toBeGreaterThanOrEqual(3 * CALLS_PER_PROJECT);
		expect(calls).toBeLessThanOrEqual(3 * CALLS_PER_PROJECT + kills * Number(FAST_RECOVERY.CONCURRENCY));
		process.stdout.write(`crash test: ${calls} model calls for ${3 * CALLS_PER_PROJECT} crash-free, ${kills} kills\n`);
		await service.stop();
	}, 120_000);

	it('Redis killed and restarted from its append-only file mid-run: every project completes', async () => {
		const redis = await OwnRedis.start();
		try {
			playCompany(harness.ollama, undefined, { delayMs: 100 });
			const service = await harness.start({ ...FAST_RECOVERY, REDIS_URL: redis.url });
			const projectIds = await postProjects(service, 3, 'redis-restart');
			await new Promise((resolve) => setTimeout(resolve, 1200));
			await redis.down();
			await new Promise((resolve) => setTimeout(resolve, 500));
			await redis.up();
			await expectDeliveredOnce(service, projectIds, true);
			await service.stop();
		} finally {
			await redis.stop();
		}
	}, 120_000);
});

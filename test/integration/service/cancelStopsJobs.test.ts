import { eventually } from '../../support/eventually';
import type { RecordedRequest } from '../../support/ollamaTestServer';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { callOf, playCompany } from '../../support/scriptedCompany';
import { ServiceHarness, unique, waitForStatus } from './support';

// A local model's call can take minutes and holds one of its few slots: cancelling (or deleting)
// a project must free that slot for the other clients at once, not when the call ends.

const harness = new ServiceHarness();
let service: RuntimeProcess;

// The projects tell the scripted model how to behave by their shape (the plan summary rides in
// every developer and tester prompt): 2 tasks → the developer's calls never answer; 3 tasks → the
// tester writes a test that waits a minute.
const HANGS = 'tasks=2 waves=1';
const SLOW_TESTS = 'tasks=3 waves=1';
const textOf = (request: RecordedRequest) => JSON.stringify(request.body?.messages ?? []);

beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama, (call, request) => {
		if (call.role === 'developer' && textOf(request).includes(`(${HANGS}`)) return { hang: true };
		if (call.role === 'tester' && textOf(request).includes(`(${SLOW_TESTS}`)) {
			const test = "const test = require('node:test');\ntest('waits a minute', async () => { await new Promise((resolve) => setTimeout(resolve, 60000)); });\n";
			return { content: JSON.stringify({ summary: 'a slow test', testFiles: [{ path: `test/slow-${call.taskId}.test.js`, content: test }] }) };
		}
		return undefined;
	});
	// One model slot, as Ollama gives by default.
	service = await harness.start({ CONCURRENCY: '8', OLLAMA_NUM_PARALLEL: '1' });
}, 30_000);

afterAll(() => harness.tearDown());

const until = (what: string, check: () => boolean, timeoutMs: number) => eventually(what, async () => (check() ? true : undefined), timeoutMs);
const developerCallsOf = (spec: string) => harness.ollama.requests.filter((r) => r.path === '/api/chat' && callOf(r).role === 'developer' && textOf(r).includes(`(${spec}`));
const stoppedLines = (projectId: string) => service.logs().filter((l) => l.msg === 'job stopped: its project was cancelled' && l.projectId === projectId);

describe('cancelling a project stops its jobs in the middle of a model call or a test run', () => {
	it("closes the cancelled project's model call in flight, and the one model slot serves the next project at once", async () => {
		const { body: stuck } = await service.request('POST', '/api/projects', { title: unique('Stuck'), requirements: `${unique('Hangs')} ${HANGS}` });
		await until('a developer call of the stuck project', () => developerCallsOf(HANGS).length > 0, 20_000);
		// Queued behind the call that never answers: without the stop it would wait forever.
		const { body: next } = await service.request('POST', '/api/projects', { title: unique('Next'), requirements: `${unique('Quick')} tasks=1 waves=1` });

		const cancelledAt = Date.now();
		expect((await service.request('POST', `/api/projects/${stuck.projectId}/cancel`, { reason: 'client withdrew' })).status).toBe(200);
		await until('the stuck call closed by the service', () => developerCallsOf(HANGS).every((r) => r.closedByClient), 10_000);
		const closedAfterMs = Date.now() - cancelledAt;

		const done = await waitForStatus(service, next.projectId as string, ['completed'], 30_000);
		expect(done.tasks.T1.status).toBe('done');
		// Polled once a second: the call was closed within the next checks, not at some timeout.
		expect(closedAfterMs).toBeLessThan(5000);
		const { body: cancelled } = await service.request<Record<string, any>>('GET', `/api/projects/${stuck.projectId}`);
		expect(cancelled).toMatchObject({ status: 'cancelled', statusReason: 'client withdrew' });
		// Stopped, not failed: no task of it is marked failed, and its jobs say why they ended.
		expect(Object.values(cancelled.tasks as Record<string, { status: string }>).map((t) => t.status)).not.toContain('failed');
		await until('a "job stopped" line of the stuck project', () => stoppedLines(stuck.projectId as string).length > 0, 5000);
		expect(stoppedLines(next.projectId as string)).toEqual([]);
	}, 60_000);

	it("kills the cancelled project's test run in progress instead of waiting for the test timeout", async () => {
		const { body } = await service.request('POST', '/api/projects', { title: unique('Slow tests'), requirements: `${unique('Slow')} ${SLOW_TESTS}` });
		const id = body.projectId as string;
		// The test runs have started once a tester reply went out and the project is developing.
		await until('a tester call of the slow project', () => harness.ollama.requests.some((r) => r.path === '/api/chat' && callOf(r).role === 'tester' && textOf(r).includes(`(${SLOW_TESTS}`)), 20_000);
		await new Promise((resolve) => setTimeout(resolve, 1500));

		const cancelledAt = Date.now();
		await service.request('POST', `/api/projects/${id}/cancel`);
		await until('a "job stopped" line of the slow project', () => stoppedLines(id).length > 0, 10_000);
		expect(Date.now() - cancelledAt).toBeLessThan(8000);
		const stopped = stoppedLines(id);
		// Each stopped job ran well short of its test's minute.
		for (const line of stopped) expect(line.durationMs as number).toBeLessThan(30_000);
		const { body: project } = await service.request<Record<string, any>>('GET', `/api/projects/${id}`);
		expect(project.status).toBe('cancelled');
		// A killed run is not a verdict: no task got a test report from it.
		for (const task of Object.values(project.tasks as Record<string, { status: string; testReport?: unknown }>)) expect(task.testReport ?? null).toBeNull();
	}, 60_000);
});

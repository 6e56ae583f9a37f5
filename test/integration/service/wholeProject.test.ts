import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { callOf, playCompany } from '../../support/scriptedCompany';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { SANDBOXES } from '../sandbox/support';
import { ServiceHarness, waitForStatus } from './support';

const harness = new ServiceHarness();
let service: RuntimeProcess;

beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama);
	service = await harness.start({ CONCURRENCY: '4', OLLAMA_NUM_PARALLEL: '2' });
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
});

describe('a project posted to the service is planned, built in waves, fixed, committed and published', () => {
	it('runs intake → plan → tasks by wave with one fix round → one commit per task → completed', async () => {
		const posted = await service.request('POST', '/api/projects', {
			title: 'Values',
			requirements: 'tasks=6 waves=3 bug=T2',
			clientName: 'Ada',
		});
		expect(posted.status).toBe(201);
		expect(posted.body).toMatchObject({ status: 'intake', created: true, mode: 'auto' });
		const projectId = posted.body.projectId as string;

		const project = await waitForStatus(service, projectId, ['completed', 'failed'], 90_000);
		expect(project.statusReason).toBeNull();
		expect(project.status).toBe('completed');
		expect(Object.values(project.tasks).map((t: any) => t.status)).toEqual(Array(6).fill('done'));
		expect(project.tasks.T2.attempts).toBe(2);
		expect(project.tasks.T1.attempts).toBe(1);

		const calls = harness.ollama.chatRequests().map(callOf);
		expect(calls.filter((c) => c.role === 'planner')).toHaveLength(1);
		expect(calls.filter((c) => c.role === 'developer')).toHaveLength(7);
		expect(calls.filter((c) => c.role === 'tester')).toHaveLength(6);

		// A task starts only once the task it depends on is done.
		const { body: events } = await service.request<{ events: Array<{ type: string; data: any }> }>('GET', `/api/projects/${projectId}/events?limit=1000`);
		const order = events.events.filter((e) => e.type === 'task.started' || e.type === 'task.done').map((e) => `${e.type}:${e.data.taskId}`);
		for (const [task, dependency] of [['T3', 'T1'], ['T5', 'T3'], ['T6', 'T3']]) {
			expect(order.indexOf(`task.started:${task}`)).toBeGreaterThan(order.indexOf(`task.done:${dependency}`));
		}

		const log = execFileSync('git', ['--git-dir', join(harness.gitBase, `${projectId}.git`), 'log', '--format=%s', 'main'], { encoding: 'utf8' }).trim().split('\n');
		// Oldest first: the README commit, one commit per task in the order they finished, then DevOps's packaging commit.
		const [first, ...taskCommits] = log.reverse();
		const packaging = taskCommits.pop();
		expect(first).toBe('Start Values');
		expect(taskCommits.sort()).toEqual(['T1', 'T2', 'T3', 'T4', 'T5', 'T6'].map((id) => `${id}: Value ${id.slice(1)}`));
		expect(packaging).toBe('Packaging: package.json, README.md, .gitignore, CI');
		expect(project.repository).toMatchObject({ url: join(harness.gitBase, `${projectId}.git`), branch: 'main' });

		// Proven before completed, and shown by Get: the repository's own test command passed in a clean clone.
		expect(project.delivery).toMatchObject({ stack: 'node', testCommand: 'npm test', verified: true, rounds: 1, proof: { status: 'passed', passed: 6, failed: 0 } });
		expect(project.delivery.files.map((f: { path: string }) => f.path)).toEqual(['package.json', 'README.md', '.gitignore', '.github/workflows/ci.yml']);
		// And a client's clone of what was published passes `npm test` with nothing installed.
		const clone = join(harness.gitBase, `${projectId}-clone`);
		execFileSync('git', ['clone', '--quiet', join(harness.gitBase, `${projectId}.git`), clone]);
		expect(execFileSync('npm', ['test'], { cwd: clone, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: clone } })).toMatch(/# pass 6\n# fail 0/);
	}, 120_000);

	it('a second process started with --role worker takes its share of the jobs: every project completes, each task once', async () => {
		playCompany(harness.ollama, undefined, { delayMs: 40 });
		const extra = await harness.start({ CONCURRENCY: '2', OLLAMA_NUM_PARALLEL: '2' }, 'worker');
		const ids: string[] = [];
		for (let i = 0; i < 4; i++) {
			const { body } = await service.request('POST', '/api/projects', { title: `Scale ${i}`, requirements: `tasks=4 waves=2 scale-${i}` });
			ids.push(body.projectId as string);
		}
		for (const id of ids) {
			const project = await waitForStatus(service, id, ['completed', 'failed'], 90_000);
			expect(project.status).toBe('completed');
			const { body } = await service.request<{ events: Array<{ type: string }> }>('GET', `/api/projects/${id}/events?limit=1000`);
			expect(body.events.filter((e) => e.type === 'task.done')).toHaveLength(4);
		}
		const startedBy = (p: RuntimeProcess) => p.logs().filter((l) => l.msg === 'job started' && ids.includes(String(l.projectId))).length;
		expect(startedBy(extra)).toBeGreaterThan(0);
		expect(startedBy(service)).toBeGreaterThan(0);
	}, 120_000);

	// Needs bubblewrap: in the process sandbox a clean clone's `node --test` also runs every file in
	// one process (Node's permission model forbids its child processes), so the shared global holds there.
	(SANDBOXES.includes('bubblewrap') ? it : it.skip)(
		'a delivery whose own test command fails in a clean clone, also after the DevOps fix round, fails the project with that reason and publishes nothing',
		async () => {
			const posted = await service.request('POST', '/api/projects', { title: 'Unproven', requirements: 'tasks=2 waves=1 shared=T2' });
			expect(posted.status).toBe(201);
			const projectId = posted.body.projectId as string;

			const project = await waitForStatus(service, projectId, ['completed', 'failed'], 90_000);
			// The tasks themselves passed: their sandbox runs every test file in one process.
			expect(Object.values(project.tasks).map((t: any) => t.status)).toEqual(['done', 'done']);
			expect(project.status).toBe('failed');
			expect(project.statusReason).toBe('delivery not proven: `npm test` in a clean clone of the repository failed: 1 of 3 tests failed, also after the DevOps fix round');
			expect(project.delivery).toMatchObject({ verified: false, rounds: 2, proof: { status: 'failed', failed: 1 } });
			expect(project.repository).toBeNull();
			expect(existsSync(join(harness.gitBase, `${projectId}.git`))).toBe(false);
		},
		120_000,
	);
});

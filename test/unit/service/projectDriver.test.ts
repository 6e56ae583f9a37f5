import Ajv from 'ajv';

import { loadConfig } from '../../../runtime/config/environment';
import { effectiveSettings, type EffectiveSettings } from '../../../runtime/config/projectSettings';
import type { PlanTask } from '../../../runtime/contracts/plan';
import { projectSchema, type Delivery, type Project, type ProjectStatus, type TaskState, type TaskStatus } from '../../../runtime/contracts/project';
import type { ProjectRun } from '../../../runtime/contracts/service';
import { emptyUsage } from '../../../runtime/contracts/usage';
import { jobIds } from '../../../runtime/queue/jobIds';
import { nextStep, type PlannedJob } from '../../../runtime/queue/nextStep';

const NOW = '2024-01-01T00:00:00.000Z';

function planTask(id: string, ...dependsOn: string[]): PlanTask {
	return { id, title: `Task ${id}`, description: '', dependsOn, acceptanceCriteria: [], estimateHours: 1 };
}

function taskState(status: TaskStatus, attempts = status === 'pending' ? 0 : 1): TaskState {
	return { status, attempts, files: [], testFiles: [], testReport: null, updatedAt: NOW };
}

interface ProjectOptions {
	id?: string;
	version?: number;
	plan?: PlanTask[];
	tasks?: Record<string, TaskState>;
}

/** A stored project as the store returns it; tasks default to one pending entry per plan task, as setPlan makes them. */
function project(status: ProjectStatus, options: ProjectOptions = {}): Project {
	const plan = options.plan ?? null;
	const tasks = options.tasks ?? Object.fromEntries((plan ?? []).map((t) => [t.id, taskState('pending')]));
	return {
		id: options.id ?? 'p1',
		title: 'Todo API',
		client: {},
		requirements: 'A todo list API',
		status,
		resumeStatus: null,
		statusReason: null,
		plan: plan && { summary: 'The plan', techStack: ['node'], tasks: plan, risks: [] },
		tasks,
		repository: null,
		usage: { total: emptyUsage(), byRole: {} },
		createdAt: NOW,
		updatedAt: NOW,
		archivedAt: null,
		version: options.version ?? 1,
		idempotencyKey: 'key-1',
	};
}

const run: ProjectRun = { mode: 'auto', round: 1, settings: {} };
const REVIEW = { enabled: true, rounds: 2, lastRejection: 'fail' as const };

/** The service defaults (so new settings need no change here), with nowhere to publish unless overridden. */
function settings(overrides: Partial<EffectiveSettings> = {}): EffectiveSettings {
	return { ...effectiveSettings(loadConfig({}), 'p1', {}), maxFixAttempts: 3, publishTarget: null, ...overrides };
}

const taskIds = (jobs: PlannedJob[]) => jobs.map((job) => job.data.taskId);

describe('nextStep', () => {
	it('builds projects that match the stored project schema', () => {
		const validate = new Ajv({ strict: false }).compile(projectSchema);
		const sample = project('development', { plan: [planTask('T1'), planTask('T2', 'T1')], tasks: { T1: taskState('done'), T2: taskState('in_progress', 2) } });
		expect(validate(sample)).toBe(true);
	});

	it.each<ProjectStatus>(['intake', 'planning'])('queues one plan job with priority 1 for a project in %s', (status) => {
		const step = nextStep(project(status), run, settings());
		expect(step.moves).toEqual([]);
		expect(step.jobs).toEqual([{ name: 'plan', jobId: jobIds.plan('p1', 1), data: { projectId: 'p1' }, priority: 1 }]);
	});

	it('gives a retry round its own plan job', () => {
		const first = nextStep(project('intake'), run, settings());
		const retry = nextStep(project('intake'), { ...run, round: 2 }, settings());
		expect(retry.jobs[0].jobId).not.toBe(first.jobs[0].jobId);
	});

	it('moves a planned project to development without queueing anything', () => {
		expect(nextStep(project('planned', { plan: [planTask('T1')] }), run, settings())).toEqual({ moves: ['development'], jobs: [] });
	});

	describe('with the approval gate (settings.approval "plan")', () => {
		it('moves a planned project to awaiting_approval instead of development', () => {
			expect(nextStep(project('planned', { plan: [planTask('T1')] }), run, settings({ approval: 'plan' }))).toEqual({ moves: ['awaiting_approval'], jobs: [] });
		});

		it('waits in awaiting_approval: no move and no job, whatever the setting says now', () => {
			for (const approval of ['plan', 'none'] as const) {
				expect(nextStep(project('awaiting_approval', { plan: [planTask('T1')] }), run, settings({ approval }))).toEqual({ moves: [], jobs: [] });
			}
		});

		it('gives the plan after each request for changes a job id of its own, the first plan keeping its id', () => {
			const asked = (changeRequests: number) => ({ ...project('planning'), approval: { decision: 'request_changes' as const, source: 'portal' as const, at: NOW, changeRequests } });
			const ids = [nextStep(project('planning'), run, settings()), nextStep(asked(1), run, settings()), nextStep(asked(2), run, settings())].map((s) => s.jobs[0].jobId);
			expect(ids[0]).toBe(jobIds.plan('p1', 1));
			expect(new Set(ids).size).toBe(3);
		});
	});

	describe('in development', () => {
		const plan = [planTask('T1'), planTask('T2', 'T1'), planTask('T3')];

		it('queues the tasks without dependencies, not the ones waiting on others', () => {
			const step = nextStep(project('development', { plan }), run, settings());
			expect(step.moves).toEqual([]);
			expect(taskIds(step.jobs)).toEqual(['T1', 'T3']);
			expect(step.jobs.every((job) => job.name === 'task')).toBe(true);
			expect(step.jobs.map((job) => job.jobId)).toEqual([jobIds.task('p1', 'T1', 1), jobIds.task('p1', 'T3', 1)]);
		});

		it('gives each task job attempts so far + maxFixAttempts as its attempt limit', () => {
			const tasks = { T1: taskState('pending'), T2: taskState('pending'), T3: taskState('failed', 2) };
			const step = nextStep(project('development', { plan, tasks }), run, settings({ maxFixAttempts: 4 }));
			expect(step.jobs.map((job) => [job.data.taskId, job.data.attemptLimit])).toEqual([
				['T1', 4],
				['T3', 6],
			]);
			expect(step.jobs[0].data.projectId).toBe('p1');
		});

		it('gives a fresh project\'s jobs priorities 1, 2, ... in plan order', () => {
			const step = nextStep(project('development', { plan }), run, settings());
			expect(step.jobs.map((job) => job.priority)).toEqual([1, 2]);
		});

		it('adds the number of tasks already started to the priorities', () => {
			const tasks = { T1: taskState('in_progress'), T2: taskState('pending'), T3: taskState('done') };
			const step = nextStep(project('development', { plan, tasks }), run, settings());
			expect(taskIds(step.jobs)).toEqual(['T1']);
			expect(step.jobs[0].priority).toBe(1 + 2);
		});

		it('queues a task once everything it depends on is done', () => {
			const tasks = { T1: taskState('done'), T2: taskState('pending'), T3: taskState('in_progress') };
			const step = nextStep(project('development', { plan, tasks }), run, settings());
			expect(taskIds(step.jobs)).toEqual(['T2', 'T3']);
		});

		it('does not queue a task while only some of its dependencies are done', () => {
			const diamond = [planTask('A'), planTask('B'), planTask('C', 'A', 'B')];
			const tasks = { A: taskState('done'), B: taskState('in_progress'), C: taskState('pending') };
			expect(taskIds(nextStep(project('development', { plan: diamond, tasks }), run, settings()).jobs)).toEqual(['B']);
		});

		it('does not queue tasks that are done', () => {
			const tasks = { T1: taskState('done'), T2: taskState('done'), T3: taskState('pending') };
			expect(taskIds(nextStep(project('development', { plan, tasks }), run, settings()).jobs)).toEqual(['T3']);
		});

		it('walks to review once every task is done, where the whole project is reviewed', () => {
			const tasks = { T1: taskState('done'), T2: taskState('done'), T3: taskState('done') };
			expect(nextStep(project('development', { plan, tasks }), run, settings())).toEqual({ moves: ['testing', 'review'], jobs: [] });
		});

		it('with review off, walks to deployment once every task is done', () => {
			const tasks = { T1: taskState('done'), T2: taskState('done'), T3: taskState('done') };
			expect(nextStep(project('development', { plan, tasks }), run, settings({ review: { ...REVIEW, enabled: false } }))).toEqual({ moves: ['testing', 'review', 'deployment'], jobs: [] });
		});

		it('decides the same jobs when asked twice, so a second worker only finds them queued', () => {
			const stored = project('development', { plan, tasks: { T1: taskState('done'), T2: taskState('pending'), T3: taskState('in_progress') } });
			expect(nextStep(stored, run, settings())).toEqual(nextStep(stored, run, settings()));
		});

		it('gives a project with many started tasks lower priority than a new project\'s first task', () => {
			const big = Array.from({ length: 90 }, (_, i) => planTask(`B${i}`));
			const tasks = Object.fromEntries(big.map((t, i) => [t.id, i < 80 ? taskState('in_progress') : taskState('pending')]));
			const busy = nextStep(project('development', { id: 'busy', plan: big, tasks }), run, settings());
			const fresh = nextStep(project('development', { id: 'fresh', plan: [planTask('T1')] }), run, settings());

			expect(busy.jobs.length).toBeGreaterThan(0);
			expect(Math.min(...busy.jobs.map((job) => job.priority))).toBeGreaterThan(80);
			expect(fresh.jobs).toHaveLength(1);
			expect(fresh.jobs[0].priority).toBe(1);
		});
	});

	describe('testing and review', () => {
		it('walks a project in testing on to review', () => {
			expect(nextStep(project('testing'), run, settings())).toEqual({ moves: ['review'], jobs: [] });
		});

		it('reviews a project in review as a whole, once per retry round: a review job without a task', () => {
			expect(nextStep(project('review', { id: 'p1' }), run, settings())).toEqual({ moves: [], jobs: [{ name: 'review', jobId: 'review.p1.1', data: { projectId: 'p1', roundLimit: REVIEW.rounds }, priority: 1 }] });
		});

		it('reviews again a project whose stored review requested changes (a retry after its last rejection failed it), with rounds counted from there; one that only warned goes on', () => {
			const rejected = { verdict: 'request_changes' as const, summary: 's', comments: [{ path: 'a.js', severity: 'minor' as const, message: 'm' }], model: 'm', round: 2, attempt: 0, at: 't' };
			expect(nextStep({ ...project('review', { id: 'p1' }), review: rejected }, run, settings())).toEqual({
				moves: [],
				jobs: [{ name: 'review', jobId: 'review.p1.1', data: { projectId: 'p1', roundLimit: 2 + REVIEW.rounds }, priority: 1 }],
			});
			expect(nextStep({ ...project('review'), review: { ...rejected, warned: true } }, run, settings())).toEqual({ moves: ['deployment'], jobs: [] });
		});

		it('walks a project in review on to deployment once the whole project was reviewed', () => {
			const reviewed = { ...project('review'), review: { verdict: 'approve' as const, summary: 's', comments: [], model: 'm', round: 1, attempt: 0, at: 't' } };
			expect(nextStep(reviewed, run, settings())).toEqual({ moves: ['deployment'], jobs: [] });
		});

		it('with review off, walks a project in testing on through review to deployment, and one in review on to deployment', () => {
			const off = settings({ review: { ...REVIEW, enabled: false } });
			expect(nextStep(project('testing'), run, off)).toEqual({ moves: ['review', 'deployment'], jobs: [] });
			expect(nextStep(project('review'), run, off)).toEqual({ moves: ['deployment'], jobs: [] });
		});
	});

	describe('in deployment', () => {
		const plan = [planTask('T1')];
		/** Every task done, and DevOps's delivery proven from the project as it stands (packaged after its last task finished). */
		function delivered(version = 1, verified = true): Project {
			const stored = project('deployment', { version, plan, tasks: { T1: taskState('done') } });
			const delivery: Delivery = { stack: 'node', testCommand: 'npm test', verified, files: [], notes: [], rounds: 1, packagedAt: NOW, proof: { status: verified ? 'passed' : 'failed', passed: 1, failed: 0, command: ['node', '--test'], runner: 'custom', durationMs: 1, output: '' } };
			return { ...stored, delivery };
		}

		it('queues a package job (DevOps) for the current version before anything else, with or without a publish target', () => {
			const unpackaged = project('deployment', { version: 17, plan, tasks: { T1: taskState('done') } });
			for (const publishTarget of [null, { kind: 'git', url: '/srv/git/p1.git' } as const]) {
				const step = nextStep(unpackaged, run, settings({ publishTarget }));
				expect(step).toEqual({ moves: [], jobs: [{ name: 'package', jobId: jobIds.package('p1', 17), data: { projectId: 'p1' }, priority: 1 }] });
			}
		});

		it('packages again when the stored delivery was not proven, or was packaged before a task finished again', () => {
			expect(nextStep(delivered(3, false), run, settings()).jobs.map((job) => job.name)).toEqual(['package']);
			const stale = delivered(3);
			stale.tasks = { T1: { ...taskState('done'), updatedAt: '2024-02-02T00:00:00.000Z' } };
			expect(nextStep(stale, run, settings()).jobs.map((job) => job.name)).toEqual(['package']);
		});

		it('queues a publish job for the current version once the delivery is proven and there is a publish target', () => {
			const step = nextStep(delivered(17), run, settings({ publishTarget: { kind: 'git', url: '/srv/git/p1.git' } }));
			expect(step.moves).toEqual([]);
			expect(step.jobs).toHaveLength(1);
			expect(step.jobs[0]).toMatchObject({ name: 'publish', data: { projectId: 'p1' }, priority: 1 });
			expect(step.jobs[0].jobId).toBe(jobIds.publish('p1', 17));
			expect(step.jobs[0].jobId).toContain('17');
		});

		it('queues a new publish job once the project changed', () => {
			const target = settings({ publishTarget: { kind: 'git', url: '/srv/git/p1.git' } });
			const before = nextStep(delivered(17), run, target);
			const after = nextStep(delivered(18), run, target);
			expect(after.jobs[0].jobId).not.toBe(before.jobs[0].jobId);
		});

		it('completes the project unpublished when there is nowhere to publish, once the delivery is proven', () => {
			expect(nextStep(delivered(), run, settings({ publishTarget: null }))).toEqual({ moves: ['completed'], jobs: [] });
		});

		it('skips packaging when the project\'s settings turn it off', () => {
			expect(nextStep(project('deployment'), run, settings({ publishTarget: null, packaging: false }))).toEqual({ moves: ['completed'], jobs: [] });
			expect(nextStep(project('deployment'), run, settings({ publishTarget: { kind: 'git', url: '/srv/git/p1.git' }, packaging: false })).jobs.map((job) => job.name)).toEqual(['publish']);
		});
	});

	it.each<ProjectStatus>(['completed', 'failed', 'cancelled', 'on_hold'])('does nothing for a project that is %s', (status) => {
		const stored = project(status, { plan: [planTask('T1')] });
		expect(nextStep(stored, run, settings({ publishTarget: { kind: 'git', url: '/srv/git/p1.git' } }))).toEqual({ moves: [], jobs: [] });
	});
});

describe('a project in development without a planned task', () => {
	it('is refused, naming projectId, instead of being taken for finished and published empty', () => {
		expect(() => nextStep(project('development'), run, settings())).toThrow(/projectId: .*without a planned task/);
	});
});

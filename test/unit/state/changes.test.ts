import type { Plan, Project, TaskState } from '../../../runtime/contracts';
import {
	addRoleUsage,
	archive,
	changeStatus,
	recordTaskResult,
	recordTaskWork,
	setPlan,
	startTask,
} from '../../../runtime/state/changes';
import { InvalidTransitionError, TaskNotFoundError } from '../../../runtime/state/errors';
import { newProject } from '../../../runtime/state/intake';

// The pure functions behind every store write: what each change does to a project and which event
// it logs. The store (test/integration/state) runs them against Redis; here each rule is pinned alone.

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-01-02T00:00:00.000Z';

function project(overrides: Partial<Project> = {}): Project {
	return { ...newProject('p1', { title: 'Shop', requirements: 'Sell bread', client: {} }, 'key', T0), ...overrides };
}

function plan(ids: string[]): Plan {
	return {
		summary: 's',
		techStack: [],
		risks: [],
		tasks: ids.map((id) => ({ id, title: id, description: id, dependsOn: [], acceptanceCriteria: [], estimateHours: 1 })),
	};
}

function task(overrides: Partial<TaskState> = {}): TaskState {
	return { status: 'in_progress', attempts: 1, files: [], testFiles: [], testReport: null, updatedAt: T0, ...overrides };
}

function withTasks(tasks: Record<string, TaskState>): Project {
	return project({ status: 'development', plan: plan(Object.keys(tasks)), tasks });
}

const file = (path: string) => ({ path, content: `// ${path}` });
const report = { status: 'passed' as const, passed: 1, failed: 0, durationMs: 5, failures: [], output: '' };

describe('changeStatus', () => {
	it('moves the project, clears resumeStatus and keeps the reason, logging from, to and reason', () => {
		const change = changeStatus(project({ status: 'planning', resumeStatus: 'planning' }), 'planned', 'plan ready');
		expect(change?.project).toMatchObject({ status: 'planned', resumeStatus: null, statusReason: 'plan ready' });
		expect(change?.events).toEqual([{ type: 'project.status_changed', data: { from: 'planning', to: 'planned', reason: 'plan ready' } }]);
	});

	it('logs no reason key and stores null when none is given', () => {
		const change = changeStatus(project({ statusReason: 'old' }), 'planning', undefined);
		expect(change?.project.statusReason).toBeNull();
		expect(change?.events[0].data).toEqual({ from: 'intake', to: 'planning' });
	});

	it.each(['failed', 'on_hold'] as const)('remembers where it was when it goes to %s', (to) => {
		expect(changeStatus(project({ status: 'testing' }), to, 'x')?.project.resumeStatus).toBe('testing');
	});

	it('refuses a move the lifecycle does not allow, naming both statuses', () => {
		expect(() => changeStatus(project(), 'completed', undefined)).toThrow(InvalidTransitionError);
		expect(() => changeStatus(project(), 'completed', undefined)).toThrow('cannot go from "intake" to "completed"');
	});
});

describe('setPlan', () => {
	it('starts new tasks pending, keeps the progress of tasks that keep their id, and drops the rest', () => {
		const kept = task({ status: 'done', attempts: 2 });
		const before = withTasks({ a: kept, gone: task() });
		const change = setPlan(before, plan(['a', 'b']), T1);
		expect(change?.project.tasks).toEqual({
			a: kept,
			b: { status: 'pending', attempts: 0, files: [], testFiles: [], testReport: null, updatedAt: T1 },
		});
		expect(change?.events).toEqual([{ type: 'project.plan_set', data: { taskIds: ['a', 'b'], replaced: true, dropped: ['gone'] } }]);
	});

	it('says the first plan replaced nothing', () => {
		expect(setPlan(project(), plan(['a']), T1)?.events[0].data).toMatchObject({ replaced: false, dropped: [] });
	});

	it('does not take a task named like an Object property from the prototype', () => {
		const change = setPlan(project(), plan(['constructor', 'toString']), T1);
		expect(change?.project.tasks.constructor).toMatchObject({ status: 'pending', attempts: 0 });
		expect(change?.project.tasks.toString).toMatchObject({ status: 'pending' });
	});
});

describe('startTask', () => {
	it('counts a new attempt and logs it', () => {
		const change = startTask(withTasks({ a: task({ status: 'failed', attempts: 2 }) }), 'a', T1);
		expect(change?.project.tasks.a).toMatchObject({ status: 'in_progress', attempts: 3, updatedAt: T1 });
		expect(change?.events).toEqual([{ type: 'task.started', data: { taskId: 'a', attempt: 3 } }]);
	});

	it('refuses a done task, naming the task', () => {
		const error = (() => {
			try {
				startTask(withTasks({ a: task({ status: 'done' }) }), 'a', T1);
			} catch (e) {
				return e as InvalidTransitionError;
			}
			throw new Error('expected a refusal');
		})();
		expect(error).toMatchObject({ projectId: 'p1', taskId: 'a', from: 'done', to: 'in_progress' });
	});

	it('refuses a task the plan does not have, even one named like an Object property', () => {
		expect(() => startTask(withTasks({ a: task() }), 'constructor', T1)).toThrow(TaskNotFoundError);
	});
});

describe('recordTaskResult', () => {
	it('keeps the files it was not sent, and replaces the test report and error of the last attempt', () => {
		const before = withTasks({ a: task({ files: [file('a.js')], testFiles: [file('a.test.js')], testReport: report, error: 'old', developedAttempt: 1 }) });
		const change = recordTaskResult(before, 'a', { status: 'done' }, T1);
		expect(change?.project.tasks.a).toEqual({ status: 'done', attempts: 1, files: [file('a.js')], testFiles: [file('a.test.js')], testReport: null, updatedAt: T1, developedAttempt: 1 });
		expect(change?.events).toEqual([{ type: 'task.done', data: { taskId: 'a', attempt: 1, files: ['a.js'], hasTestReport: false } }]);
	});

	it('takes the files, test files, report and error it is sent, and logs a failure with its error', () => {
		const change = recordTaskResult(withTasks({ a: task() }), 'a', { status: 'failed', files: [file('b.js')], testFiles: [file('b.test.js')], testReport: report, error: 'boom' }, T1);
		expect(change?.project.tasks.a).toEqual({ status: 'failed', attempts: 1, files: [file('b.js')], testFiles: [file('b.test.js')], testReport: report, error: 'boom', updatedAt: T1 });
		expect(change?.events).toEqual([{ type: 'task.failed', data: { taskId: 'a', attempt: 1, files: ['b.js'], hasTestReport: true, error: 'boom' } }]);
	});

	it('gives a task stored without test files an empty list', () => {
		const legacy = task();
		delete (legacy as Partial<TaskState>).testFiles;
		expect(recordTaskResult(withTasks({ a: legacy }), 'a', { status: 'done' }, T1)?.project.tasks.a.testFiles).toEqual([]);
	});

	it('refuses a result for a task that is not in progress', () => {
		expect(() => recordTaskResult(withTasks({ a: task({ status: 'pending' }) }), 'a', { status: 'done' }, T1)).toThrow(InvalidTransitionError);
	});
});

describe('recordTaskWork', () => {
	it('stores the files as the developed attempt and logs their paths', () => {
		const change = recordTaskWork(withTasks({ a: task({ attempts: 2 }) }), 'a', { files: [file('x.js')] }, T1);
		expect(change?.project.tasks.a).toMatchObject({ files: [file('x.js')], developedAttempt: 2, testReport: null, updatedAt: T1 });
		expect(change?.events).toEqual([{ type: 'task.work_recorded', data: { taskId: 'a', attempt: 2, files: ['x.js'] } }]);
	});

	it('keeps what the work omits: files, test files and the test report', () => {
		const before = withTasks({ a: task({ files: [file('x.js')], testFiles: [file('x.test.js')], testReport: report, developedAttempt: 1 }) });
		const change = recordTaskWork(before, 'a', {}, T1);
		expect(change?.project.tasks.a).toEqual({ ...before.tasks.a, updatedAt: T1 });
		expect(change?.events[0].data).toEqual({ taskId: 'a', attempt: 1 });
	});

	it('logs test files and the test status, and a report can be cleared with null', () => {
		const change = recordTaskWork(withTasks({ a: task({ testReport: report }) }), 'a', { testFiles: [file('t.test.js')], testReport: { ...report, status: 'failed' } }, T1);
		expect(change?.events[0].data).toEqual({ taskId: 'a', attempt: 1, testFiles: ['t.test.js'], testStatus: 'failed' });
		expect(change?.project.tasks.a.developedAttempt).toBeUndefined();
		expect(recordTaskWork(withTasks({ a: task({ testReport: report }) }), 'a', { testReport: null }, T1)?.project.tasks.a.testReport).toBeNull();
	});

	it('refuses work on a task that is not in progress', () => {
		expect(() => recordTaskWork(withTasks({ a: task({ status: 'done' }) }), 'a', {}, T1)).toThrow(InvalidTransitionError);
	});
});

describe('addRoleUsage', () => {
	const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15, llmMs: 100, wallMs: 120, calls: 1 };

	it('adds to the total and to the role, logging nothing', () => {
		const once = addRoleUsage(project(), 'planner', usage);
		const twice = addRoleUsage(once!.project, 'planner', usage);
		expect(twice?.project.usage.total).toEqual({ promptTokens: 20, completionTokens: 10, totalTokens: 30, llmMs: 200, wallMs: 240, calls: 2 });
		expect(twice?.project.usage.byRole.planner).toEqual(twice?.project.usage.total);
		expect(twice?.events).toEqual([]);
	});

	it('starts a role named like an Object property from zero', () => {
		expect(addRoleUsage(project(), 'constructor', usage)?.project.usage.byRole.constructor).toEqual(usage);
	});
});

describe('archive', () => {
	it('archives once, logging the status it had', () => {
		const change = archive(project({ status: 'completed' }), T1);
		expect(change?.project.archivedAt).toBe(T1);
		expect(change?.events).toEqual([{ type: 'project.archived', data: { status: 'completed' } }]);
		expect(archive(change!.project, T1)).toBeNull();
	});
});

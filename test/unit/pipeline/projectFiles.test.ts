import type { Plan, ProducedFile, Project, TaskState } from '../../../runtime/contracts';
import { InvalidInputError } from '../../../runtime/errors';
import { currentCodeFiles, mergeFiles, planTaskOf, testFilesToRun } from '../../../runtime/pipeline/projectFiles';
import { newProject } from '../../../runtime/state/intake';

// What the pipeline's steps read from a stored project: the code as it stands, the tests that must
// pass, and the plan task with its state. The steps (test/integration/pipeline) use them against
// Redis; here each rule is pinned alone, on projects built in memory.

const T0 = '2025-01-01T00:00:00.000Z';

function file(path: string, content = path): ProducedFile {
	return { path, content };
}

function plan(ids: string[]): Plan {
	return {
		summary: 's',
		techStack: [],
		risks: [],
		tasks: ids.map((id) => ({ id, title: `Task ${id}`, description: id, dependsOn: [], acceptanceCriteria: [], estimateHours: 1 })),
	};
}

function task(status: TaskState['status'], updatedAt: string, files: ProducedFile[] = [], testFiles: ProducedFile[] = []): TaskState {
	return { status, attempts: status === 'pending' ? 0 : 1, files, testFiles, testReport: null, updatedAt };
}

/** A project whose tasks are listed in plan order (a, b, c), each as given. */
function project(tasks: Record<string, TaskState>): Project {
	return { ...newProject('p1', { title: 'Shop', requirements: 'Sell bread', client: {} }, 'key', T0), plan: plan(Object.keys(tasks)), tasks };
}

describe('currentCodeFiles', () => {
	it('takes every task\'s files, and where two tasks wrote the same path, the one updated last wins (not the one listed last)', () => {
		// The plan lists a before b, but b was updated first: a's version of src/shared.js is the current one.
		const stored = project({
			a: task('done', '2025-01-03T00:00:00.000Z', [file('src/shared.js', 'from a'), file('src/a.js')]),
			b: task('done', '2025-01-02T00:00:00.000Z', [file('src/shared.js', 'from b'), file('src/b.js')]),
		});
		const code = currentCodeFiles(stored);
		expect(code).toEqual([file('src/b.js'), file('src/shared.js', 'from a'), file('src/a.js')]);
	});

	it('ignores test files: they are not code', () => {
		const stored = project({ a: task('done', '2025-01-02T00:00:00.000Z', [file('src/a.js')], [file('test/a.test.js')]) });
		expect(currentCodeFiles(stored)).toEqual([file('src/a.js')]);
	});
});

describe('testFilesToRun', () => {
	const stored = project({
		a: task('done', '2025-01-04T00:00:00.000Z', [], [file('test/a.test.js')]),
		b: task('failed', '2025-01-03T00:00:00.000Z', [], [file('test/b.test.js')]),
		c: task('in_progress', '2025-01-02T00:00:00.000Z', [], [file('test/c.test.js')]),
		d: task('done', '2025-01-01T00:00:00.000Z', [], [file('test/d.test.js')]),
	});

	it('runs the given task\'s own tests and those of finished tasks, oldest update first; not the tests of other unfinished tasks', () => {
		expect(testFilesToRun(stored, 'c').map((f) => f.path)).toEqual(['test/d.test.js', 'test/c.test.js', 'test/a.test.js']);
		expect(testFilesToRun(stored, 'b').map((f) => f.path)).toEqual(['test/d.test.js', 'test/b.test.js', 'test/a.test.js']);
	});

	it('for a finished task, runs only the finished tasks\' tests', () => {
		expect(testFilesToRun(stored, 'a').map((f) => f.path)).toEqual(['test/d.test.js', 'test/a.test.js']);
	});

	it('takes the latest version of a test file two tasks wrote', () => {
		const shared = project({
			a: task('done', '2025-01-03T00:00:00.000Z', [], [file('test/shared.test.js', 'from a')]),
			b: task('in_progress', '2025-01-02T00:00:00.000Z', [], [file('test/shared.test.js', 'from b')]),
		});
		expect(testFilesToRun(shared, 'b')).toEqual([file('test/shared.test.js', 'from a')]);
	});

	it('reads a task stored without a testFiles list (older data) as having none', () => {
		const old = project({ a: task('done', '2025-01-01T00:00:00.000Z', [], [file('test/a.test.js')]), b: task('in_progress', '2025-01-02T00:00:00.000Z') });
		delete (old.tasks.b as Partial<TaskState>).testFiles;
		expect(testFilesToRun(old, 'b')).toEqual([file('test/a.test.js')]);
	});
});

describe('mergeFiles', () => {
	it('replaces files at the same path and adds the rest, an updated file moving to the end', () => {
		const merged = mergeFiles([file('a.js', 'old a'), file('b.js', 'old b')], [file('a.js', 'new a'), file('c.js')]);
		expect(merged).toEqual([file('b.js', 'old b'), file('a.js', 'new a'), file('c.js')]);
	});

	it('keeps the current files when there are no updates, and takes the updates when there is nothing yet', () => {
		expect(mergeFiles([file('a.js')], [])).toEqual([file('a.js')]);
		expect(mergeFiles([], [file('b.js')])).toEqual([file('b.js')]);
	});
});

describe('planTaskOf', () => {
	const stored = project({ a: task('pending', T0), b: task('in_progress', T0) });

	it('returns the plan task and stored state of the task asked for', () => {
		const { planTask, state } = planTaskOf(stored, 'b');
		expect(planTask).toBe(stored.plan!.tasks[1]);
		expect(state).toBe(stored.tasks.b);
	});

	it('refuses a project without a plan, naming projectId and what to do', () => {
		const unplanned = { ...stored, plan: null };
		expect(() => planTaskOf(unplanned, 'a')).toThrow(InvalidInputError);
		expect(() => planTaskOf(unplanned, 'a')).toThrow(
			expect.objectContaining({ field: 'projectId', message: 'projectId: project "p1" has no plan yet: store the AI Planner\'s plan with Project State → Set Plan first' }),
		);
	});

	it('refuses a task the plan does not list, naming taskId and the tasks it has', () => {
		expect(() => planTaskOf(stored, 'zz')).toThrow(
			expect.objectContaining({ field: 'taskId', message: 'taskId: project "p1" has no task "zz"; its tasks are "a", "b"' }),
		);
	});

	it('refuses a planned task with no stored state, and a name that is only on Object.prototype', () => {
		const { b: _b, ...withoutB } = stored.tasks;
		expect(() => planTaskOf({ ...stored, tasks: withoutB }, 'b')).toThrow(expect.objectContaining({ field: 'taskId' }));
		const planned = { ...stored, plan: plan(['a', 'constructor']) };
		expect(() => planTaskOf(planned, 'constructor')).toThrow(expect.objectContaining({ field: 'taskId', message: expect.stringContaining('has no task "constructor"') }));
	});

	it('refuses a stored state the plan no longer lists', () => {
		const replanned = { ...stored, plan: plan(['a']) };
		expect(() => planTaskOf(replanned, 'b')).toThrow(expect.objectContaining({ field: 'taskId', message: 'taskId: project "p1" has no task "b"; its tasks are "a"' }));
	});
});

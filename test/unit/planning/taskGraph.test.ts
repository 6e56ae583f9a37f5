import type { PlanTask } from '../../../runtime/contracts/plan';
import { scheduleTasks, taskGraphProblems, type TaskGraphResult } from '../../../runtime/planning/taskGraph';

function task(id: string, ...dependsOn: string[]): PlanTask {
	return { id, title: `Task ${id}`, description: '', dependsOn, acceptanceCriteria: [], estimateHours: 1 };
}

/** [id, wave] pairs in schedule order. */
function waves(result: TaskGraphResult): [string, number][] {
	if (!result.ok) throw new Error(`expected a schedule, got problems: ${result.problems.join('; ')}`);
	return result.schedule.map(({ task: t, wave }) => [t.id, wave]);
}

function problems(result: TaskGraphResult): string[] {
	if (result.ok) throw new Error('expected problems, got a schedule');
	return result.problems;
}

describe('scheduleTasks', () => {
	it('puts tasks without dependencies in wave 1 and keeps their plan order', () => {
		const result = scheduleTasks([task('C'), task('A'), task('B')]);
		expect(waves(result)).toEqual([
			['C', 1],
			['A', 1],
			['B', 1],
		]);
		expect(result.ok && result.waveCount).toBe(1);
	});

	it('places each task one wave after the latest task it depends on', () => {
		const result = scheduleTasks([task('T1'), task('T2', 'T1'), task('T3', 'T1'), task('T4', 'T2', 'T3'), task('T5', 'T1', 'T4')]);
		expect(waves(result)).toEqual([
			['T1', 1],
			['T2', 2],
			['T3', 2],
			['T4', 3],
			['T5', 4],
		]);
		expect(result.ok && result.waveCount).toBe(4);
	});

	it('orders by wave even when a task is listed before what it depends on, keeping plan order within a wave', () => {
		const result = scheduleTasks([task('deploy', 'api', 'ui'), task('ui', 'db'), task('api', 'db'), task('db'), task('docs')]);
		expect(waves(result)).toEqual([
			['db', 1],
			['docs', 1],
			['ui', 2],
			['api', 2],
			['deploy', 3],
		]);
	});

	it('returns the task objects themselves in the schedule', () => {
		const t1 = task('T1');
		const result = scheduleTasks([t1]);
		expect(result.ok && result.schedule[0].task).toBe(t1);
	});

	it('treats a dependency listed twice like one', () => {
		expect(waves(scheduleTasks([task('A'), task('B', 'A', 'A')]))).toEqual([
			['A', 1],
			['B', 2],
		]);
	});

	it('schedules an empty list as no waves', () => {
		expect(scheduleTasks([])).toEqual({ ok: true, schedule: [], waveCount: 0 });
	});

	it('schedules a 300-task chain listed backwards as 300 waves', () => {
		const chain = Array.from({ length: 300 }, (_, i) => (i === 0 ? task('t0') : task(`t${i}`, `t${i - 1}`)));
		const result = scheduleTasks([...chain].reverse());
		expect(result.ok && result.waveCount).toBe(300);
		expect(waves(result).slice(0, 2)).toEqual([
			['t0', 1],
			['t1', 2],
		]);
	});

	it('reports each duplicate id with its positions in the list', () => {
		expect(problems(scheduleTasks([task('A'), task('B'), task('A'), task('B'), task('A')]))).toEqual([
			'duplicate task id "A" (tasks 1, 3, 5 in the list)',
			'duplicate task id "B" (tasks 2, 4 in the list)',
		]);
	});

	it('reports every dependency on an unknown task, naming both tasks', () => {
		expect(problems(scheduleTasks([task('A', 'X'), task('B', 'A', 'Y', 'Y')]))).toEqual([
			'task "A" depends on unknown task "X"',
			'task "B" depends on unknown task "Y"',
		]);
	});

	it('reports duplicates and unknown dependencies together', () => {
		expect(problems(scheduleTasks([task('A'), task('A', 'Z')]))).toEqual([
			'duplicate task id "A" (tasks 1, 2 in the list)',
			'task "A" depends on unknown task "Z"',
		]);
	});

	it('reports a task that depends on itself as a cycle of one', () => {
		expect(problems(scheduleTasks([task('A'), task('B', 'B')]))).toEqual(['dependency cycle: "B" → "B"']);
	});

	it('names the tasks of a two-task cycle in order: "A" → "B" → "A"', () => {
		expect(problems(scheduleTasks([task('A', 'B'), task('B', 'A')]))).toEqual(['dependency cycle: "A" → "B" → "A"']);
	});

	it('names a longer cycle along its dependencies', () => {
		expect(problems(scheduleTasks([task('start'), task('A', 'start', 'C'), task('B', 'A'), task('C', 'B')]))).toEqual([
			'dependency cycle: "A" → "C" → "B" → "A"',
		]);
	});

	it('does not name tasks that merely depend on a cycle', () => {
		const result = scheduleTasks([task('after', 'A'), task('later', 'after'), task('A', 'B'), task('B', 'A'), task('free')]);
		expect(problems(result)).toEqual(['dependency cycle: "A" → "B" → "A"']);
	});

	it('finds the cycle behind a 50 000-task chain waiting on it without running out of stack', () => {
		const chain = Array.from({ length: 50_000 }, (_, i) => task(`t${i}`, i === 0 ? 'A' : `t${i - 1}`));
		const result = scheduleTasks([...chain.reverse(), task('A', 'B'), task('B', 'A')]);
		expect(problems(result)).toEqual(['dependency cycle: "A" → "B" → "A"']);
	});

	it('reports every separate cycle, even one that depends on another cycle', () => {
		const result = scheduleTasks([task('A', 'B'), task('B', 'A'), task('X', 'A', 'Y'), task('Y', 'X'), task('S', 'S')]);
		expect(problems(result)).toEqual([
			'dependency cycle: "A" → "B" → "A"',
			'dependency cycle: "X" → "Y" → "X"',
			'dependency cycle: "S" → "S"',
		]);
	});

	it('reports a cycle linked to another cycle only through a task in between', () => {
		const result = scheduleTasks([task('A', 'B'), task('B', 'A'), task('M', 'A'), task('X', 'M', 'Y'), task('Y', 'X')]);
		expect(problems(result)).toEqual(['dependency cycle: "A" → "B" → "A"', 'dependency cycle: "X" → "Y" → "X"']);
	});
});

describe('taskGraphProblems', () => {
	it('is empty for a schedulable plan', () => {
		expect(taskGraphProblems([task('A'), task('B', 'A')])).toEqual([]);
	});

	it('returns the same problems scheduleTasks reports', () => {
		expect(taskGraphProblems([task('A', 'B'), task('B', 'A'), task('C', 'nope')])).toEqual([
			'task "C" depends on unknown task "nope"',
		]);
		expect(taskGraphProblems([task('A', 'B'), task('B', 'A')])).toEqual(['dependency cycle: "A" → "B" → "A"']);
	});
});

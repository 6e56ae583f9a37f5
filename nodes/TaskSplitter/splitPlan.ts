import type { PlanTask } from '../../runtime/contracts/plan';
import { scheduleTasks } from '../../runtime/planning/taskGraph';

// runtime/planning/taskGraph.ts is pure (no imports at run time), so the node package compiles
// the runtime's own copy: the splitter orders tasks exactly as the service does.

/** One Task Splitter output item: a plan task with its place in the schedule. */
export interface ScheduledTask {
	projectId: string | null;
	task: PlanTask;
	/** Tasks with the same wave have no dependency on each other and can run in parallel. Starts at 1. */
	wave: number;
	waveCount: number;
	/** Position in dependency order, starting at 1. */
	position: number;
	taskCount: number;
}

export type SplitMode = 'all' | 'ready';

/** A refusal naming the parameter it is about. */
export interface SplitRefusal {
	field: 'plan' | 'doneTaskIds';
	message: string;
}

export type SplitResult = { ok: true; items: ScheduledTask[] } | ({ ok: false } & SplitRefusal);

const refuse = (field: SplitRefusal['field'], message: string): SplitResult => ({ ok: false, field, message: `${field} ${message}` });

/** A plan as one item per task, in dependency order, each with its wave. Refuses broken graphs. */
export function splitPlan(rawPlan: unknown, projectId: string | null, mode: SplitMode, doneTaskIds: readonly string[]): SplitResult {
	const read = readTasks(rawPlan);
	if (typeof read === 'string') return refuse('plan', read);
	const tasks = read;
	const result = scheduleTasks(tasks);
	if (!result.ok) return refuse('plan', `has a broken task graph: ${result.problems.join('; ')}`);

	const done = new Set(doneTaskIds);
	const known = new Set(tasks.map((t) => t.id));
	const unknown = [...done].filter((id) => !known.has(id));
	if (unknown.length) return refuse('doneTaskIds', `are not tasks of this plan: ${unknown.map((id) => `"${id}"`).join(', ')}`);

	const all = result.schedule.map(({ task, wave }, index) => ({
		projectId,
		task,
		wave,
		waveCount: result.waveCount,
		position: index + 1,
		taskCount: result.schedule.length,
	}));
	if (mode === 'all') return { ok: true, items: all };
	return { ok: true, items: all.filter(({ task }) => !done.has(task.id) && task.dependsOn.every((d) => done.has(d))) };
}

/**
 * The plan's tasks, checked for what ordering needs (ids and dependencies); other task fields are
 * carried as they are (the AI Planner's plans are checked in full by the service). A string is what is wrong.
 */
function readTasks(rawPlan: unknown): PlanTask[] | string {
	let plan = rawPlan;
	if (typeof plan === 'string') {
		try {
			plan = JSON.parse(plan) as unknown;
		} catch (error) {
			return `is text but not JSON: ${(error as Error).message}`;
		}
	}
	if (plan === undefined || plan === null || plan === '') return 'is missing: pass the AI Planner\'s "plan" field (e.g. {{ $json.plan }})';
	const tasks = (plan as { tasks?: unknown }).tasks;
	if (typeof plan !== 'object' || !Array.isArray(tasks)) return 'is not a plan: it needs a "tasks" list';
	const problems: string[] = [];
	tasks.forEach((task: unknown, i) => {
		const t = task as Partial<PlanTask> | null;
		if (t === null || typeof t !== 'object' || Array.isArray(t)) problems.push(`tasks[${i}] is not an object`);
		else if (typeof t.id !== 'string' || !t.id) problems.push(`tasks[${i}].id must be non-empty text`);
		else if (t.dependsOn !== undefined && !(Array.isArray(t.dependsOn) && t.dependsOn.every((d) => typeof d === 'string'))) {
			problems.push(`tasks[${i}].dependsOn must be a list of task IDs`);
		}
	});
	if (problems.length) return `is not a valid plan: ${problems.slice(0, 5).join('; ')}`;
	return tasks.map((t: PlanTask) => ({ ...t, dependsOn: t.dependsOn ?? [] }));
}

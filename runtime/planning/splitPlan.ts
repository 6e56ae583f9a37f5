import { planSchema, type Plan } from '../contracts/plan';
import type { ScheduledTask } from '../contracts/splitTask';
import { InvalidInputError } from '../errors';
import { schemaProblems } from '../llm/schemaValidator';
import { scheduleTasks } from './taskGraph';

export type SplitMode = 'all' | 'ready';

export interface SplitOptions {
	/** 'all': every task; 'ready': only tasks not done whose dependencies are all done. */
	mode: SplitMode;
	doneTaskIds?: readonly string[];
}

/** A plan as one item per task, in dependency order, each with its wave. Rejects broken graphs. */
export function splitPlan(rawPlan: unknown, projectId: string | null, options: SplitOptions): ScheduledTask[] {
	const plan = readPlan(rawPlan);
	const result = scheduleTasks(plan.tasks);
	if (!result.ok) throw new InvalidInputError('plan.tasks', result.problems.join('; '));

	const done = new Set(options.doneTaskIds ?? []);
	const known = new Set(plan.tasks.map((t) => t.id));
	const unknown = [...done].filter((id) => !known.has(id));
	if (unknown.length) {
		throw new InvalidInputError('doneTaskIds', `not tasks of this plan: ${unknown.map((id) => `"${id}"`).join(', ')}`);
	}

	const all = result.schedule.map(({ task, wave }, index) => ({
		projectId,
		task,
		wave,
		waveCount: result.waveCount,
		position: index + 1,
		taskCount: result.schedule.length,
	}));
	if (options.mode === 'all') return all;
	return all.filter(({ task }) => !done.has(task.id) && task.dependsOn.every((d) => done.has(d)));
}

function readPlan(rawPlan: unknown): Plan {
	let plan = rawPlan;
	if (typeof plan === 'string') {
		try {
			plan = JSON.parse(plan) as unknown;
		} catch (error) {
			throw new InvalidInputError('plan', `is text but not JSON: ${(error as Error).message}`);
		}
	}
	if (plan === undefined || plan === null) {
		throw new InvalidInputError('plan', 'is missing: pass the AI Planner\'s "plan" field (e.g. {{ $json.plan }})');
	}
	const problems = schemaProblems(planSchema, plan);
	if (problems.length) throw new InvalidInputError('plan', `is not a valid plan: ${problems.slice(0, 5).join('; ')}`);
	return plan as Plan;
}

import type { PlanTask } from './plan';

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

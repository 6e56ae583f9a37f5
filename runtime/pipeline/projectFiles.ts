import type { PlanTask } from '../contracts/plan';
import type { ProducedFile, Project, TaskState } from '../contracts/project';
import { InvalidInputError } from '../errors';

/**
 * The project's code as it stands: every task's latest files. Where two tasks wrote the same path,
 * the one updated last wins, as it would in a shared working copy.
 */
export function currentCodeFiles(project: Project): ProducedFile[] {
	return latestByPath(tasksByUpdate(project).flatMap(([, task]) => task.files));
}

/**
 * The code as it stood before `taskId`: the latest files of the other finished tasks. What a task's
 * commit changes (publishing commits finished tasks in order) is its files against these.
 */
export function codeBefore(project: Project, taskId: string): ProducedFile[] {
	return latestByPath(
		tasksByUpdate(project)
			.filter(([id, task]) => id !== taskId && task.status === 'done')
			.flatMap(([, task]) => task.files),
	);
}

/** The tests that must pass: those of finished tasks (regressions) plus the given task's own. */
export function testFilesToRun(project: Project, taskId: string): ProducedFile[] {
	return latestByPath(
		tasksByUpdate(project)
			.filter(([id, task]) => id === taskId || task.status === 'done')
			.flatMap(([, task]) => task.testFiles ?? []),
	);
}

/** A file list with `updates` replacing files at the same path and adding the rest. */
export function mergeFiles(current: readonly ProducedFile[], updates: readonly ProducedFile[]): ProducedFile[] {
	return latestByPath([...current, ...updates]);
}

/** The plan task and stored state of `taskId`, or an error that says what the operator must do. */
export function planTaskOf(project: Project, taskId: string): { planTask: PlanTask; state: TaskState } {
	if (!project.plan) {
		throw new InvalidInputError('projectId', `project "${project.id}" has no plan yet: store the AI Planner's plan with Project State → Set Plan first`);
	}
	const planTask = project.plan.tasks.find((t) => t.id === taskId);
	const state = Object.hasOwn(project.tasks, taskId) ? project.tasks[taskId] : undefined;
	if (!planTask || !state) {
		throw new InvalidInputError('taskId', `project "${project.id}" has no task "${taskId}"; its tasks are ${project.plan.tasks.map((t) => `"${t.id}"`).join(', ')}`);
	}
	return { planTask, state };
}

function tasksByUpdate(project: Project): Array<[string, TaskState]> {
	return Object.entries(project.tasks).sort(([, a], [, b]) => a.updatedAt.localeCompare(b.updatedAt));
}

function latestByPath(files: readonly ProducedFile[]): ProducedFile[] {
	const byPath = new Map<string, ProducedFile>();
	for (const file of files) {
		byPath.delete(file.path);
		byPath.set(file.path, file);
	}
	return [...byPath.values()];
}

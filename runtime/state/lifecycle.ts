import type { ProjectStatus, TaskStatus } from '../contracts/project';

/** Statuses in which work is under way; each can be failed, cancelled or put on hold. */
export const WORKING_STATUSES: readonly ProjectStatus[] = [
	'intake',
	'planning',
	'planned',
	'awaiting_approval',
	'development',
	'testing',
	'review',
	'deployment',
];

/** Nothing leaves these; they drop out of the active listing. */
export const TERMINAL_STATUSES: readonly ProjectStatus[] = ['completed', 'cancelled'];

const FORWARD: Partial<Record<ProjectStatus, readonly ProjectStatus[]>> = {
	intake: ['planning'],
	// Back to planning when the client or a reviewer rejects the plan; to the client first when settings.approval is "plan".
	planned: ['development', 'planning', 'awaiting_approval'],
	planning: ['planned'],
	// The client's decision (runtime/driver/decideApproval.ts): approved, or changes requested (the planner plans again).
	awaiting_approval: ['development', 'planning'],
	development: ['testing'],
	// The fix loops: failing tests or review findings send the work back to developers.
	testing: ['review', 'development'],
	review: ['deployment', 'development'],
	deployment: ['completed'],
};

/**
 * Where a project may go next. `resumeStatus` is where it was when it failed or was put on hold:
 * resuming returns exactly there, a retry after failure may also restart planning or development.
 */
export function nextProjectStatuses(status: ProjectStatus, resumeStatus: ProjectStatus | null): ProjectStatus[] {
	if (WORKING_STATUSES.includes(status)) return [...(FORWARD[status] ?? []), 'failed', 'cancelled', 'on_hold'];
	const back = resumeStatus === null ? [] : [resumeStatus];
	if (status === 'failed') return unique([...back, 'planning', 'development', 'cancelled']);
	if (status === 'on_hold') return [...back, 'cancelled'];
	return [];
}

export function canMoveProject(status: ProjectStatus, resumeStatus: ProjectStatus | null, to: ProjectStatus): boolean {
	return nextProjectStatuses(status, resumeStatus).includes(to);
}

/** Whether the project belongs in the active listing (failed and on_hold ones still need attention). */
export function isActiveStatus(status: ProjectStatus): boolean {
	return !TERMINAL_STATUSES.includes(status);
}

const TASK_MOVES: Record<TaskStatus, readonly TaskStatus[]> = {
	pending: ['in_progress'],
	in_progress: ['done', 'failed'],
	// A retry; the start counts as a new attempt.
	failed: ['in_progress'],
	done: [],
};

export function canMoveTask(from: TaskStatus, to: TaskStatus): boolean {
	return TASK_MOVES[from].includes(to);
}

function unique<T>(values: T[]): T[] {
	return [...new Set(values)];
}

import type { ApprovalDecision, ApprovalSource, PlanApproval } from '../contracts/approval';
import type { Plan } from '../contracts/plan';
import {
	PROJECT_EVENT_TYPES as EVENT,
	type Delivery,
	type Project,
	type ProjectStatus,
	type RepositoryInfo,
	type TaskResult,
	type TaskState,
	type TaskWork,
} from '../contracts/project';
import type { StoredReview } from '../contracts/review';
import { addUsage, emptyCost, emptyUsage, roundUsd, type LlmUsage } from '../contracts/usage';
import { ConflictError } from '../errors';
import { InvalidTransitionError, TaskNotFoundError } from './errors';
import { canMoveProject, canMoveTask } from './lifecycle';

// What each store operation does to a project, as pure functions: the store reads the project,
// applies one of these to a copy and writes the result only if nobody changed it meanwhile, so
// these may run several times for one call and must not touch anything but their arguments.

/** An event the change produces; the store adds time, source and the new version. */
export interface ChangeEvent {
	type: string;
	data: Record<string, unknown>;
}

/** The changed project (version and updatedAt still to be set by the store), or null for "no change". */
export type Change = { project: Project; events: ChangeEvent[] } | null;

export function changeStatus(project: Project, to: ProjectStatus, reason: string | undefined): Change {
	const from = project.status;
	if (!canMoveProject(from, project.resumeStatus, to)) throw new InvalidTransitionError(project.id, from, to);
	const pausing = to === 'failed' || to === 'on_hold';
	return {
		project: { ...project, status: to, resumeStatus: pausing ? from : null, statusReason: reason ?? null },
		events: [{ type: EVENT.statusChanged, data: { from, to, ...(reason === undefined ? {} : { reason }) } }],
	};
}

/**
 * Replaces the plan. Tasks that keep their id keep their progress, new ones start pending, and
 * tasks the new plan no longer lists are dropped with it.
 */
export function setPlan(project: Project, plan: Plan, now: string): Change {
	const tasks: Record<string, TaskState> = Object.fromEntries(
		plan.tasks.map(({ id }) => [
			id,
			own(project.tasks, id) ?? { status: 'pending', attempts: 0, files: [], testFiles: [], testReport: null, updatedAt: now },
		]),
	);
	const dropped = Object.keys(project.tasks).filter((id) => !Object.hasOwn(tasks, id));
	return {
		project: { ...project, plan, tasks },
		events: [{ type: EVENT.planSet, data: { taskIds: plan.tasks.map((t) => t.id), replaced: project.plan !== null, dropped } }],
	};
}

export function startTask(project: Project, taskId: string, now: string): Change {
	const task = taskOf(project, taskId);
	if (!canMoveTask(task.status, 'in_progress')) throw new InvalidTransitionError(project.id, task.status, 'in_progress', taskId);
	const attempts = task.attempts + 1;
	return {
		project: withTask(project, taskId, { ...task, status: 'in_progress', attempts, updatedAt: now }),
		events: [{ type: EVENT.taskStarted, data: { taskId, attempt: attempts } }],
	};
}

/**
 * The test report and error of a result replace those of any earlier attempt; its files and test
 * files too, when it has them (a tester finishing a task need not send the developer's files back).
 */
export function recordTaskResult(project: Project, taskId: string, result: TaskResult, now: string): Change {
	const task = taskOf(project, taskId);
	if (!canMoveTask(task.status, result.status)) throw new InvalidTransitionError(project.id, task.status, result.status, taskId);
	const next: TaskState = {
		status: result.status,
		attempts: task.attempts,
		files: result.files ?? task.files,
		testFiles: result.testFiles ?? task.testFiles ?? [],
		testReport: result.testReport ?? null,
		updatedAt: now,
	};
	if (result.error !== undefined) next.error = result.error;
	if (task.developedAttempt !== undefined) next.developedAttempt = task.developedAttempt;
	if (task.attemptModels !== undefined) next.attemptModels = task.attemptModels;
	if (task.review !== undefined) next.review = task.review;
	// The log keeps what happened, not the payload: file contents and reports stay on the task.
	const data: Record<string, unknown> = {
		taskId,
		attempt: task.attempts,
		files: next.files.map((f) => f.path),
		hasTestReport: next.testReport !== null,
	};
	if (result.error !== undefined) data.error = result.error;
	return {
		project: withTask(project, taskId, next),
		events: [{ type: result.status === 'done' ? EVENT.taskDone : EVENT.taskFailed, data }],
	};
}

/** Files or a test report written while the task is in progress; what the work omits stays as it is. */
export function recordTaskWork(project: Project, taskId: string, work: TaskWork, now: string): Change {
	const task = taskOf(project, taskId);
	if (task.status !== 'in_progress') throw new InvalidTransitionError(project.id, task.status, 'in_progress', taskId);
	const next: TaskState = {
		...task,
		files: work.files ?? task.files,
		testFiles: work.testFiles ?? task.testFiles ?? [],
		testReport: work.testReport === undefined ? task.testReport : work.testReport,
		updatedAt: now,
	};
	if (work.files) next.developedAttempt = task.attempts;
	if (work.files && work.model !== undefined) next.attemptModels = withAttemptModel(task.attemptModels ?? [], task.attempts, work.model);
	const data: Record<string, unknown> = { taskId, attempt: task.attempts };
	if (work.files) data.files = work.files.map((f) => f.path);
	if (work.testFiles) data.testFiles = work.testFiles.map((f) => f.path);
	if (work.testReport) data.testStatus = work.testReport.status ?? null;
	return { project: withTask(project, taskId, next), events: [{ type: EVENT.taskWorkRecorded, data }] };
}

/** What a task's review does to it: `done` or `failed` finish the attempt, `keep` leaves it in progress. */
export type ReviewOutcome = 'done' | 'failed' | 'keep';

/**
 * Stores a review of an in-progress task and, in the same change, finishes the attempt as the
 * review decided: `done` (approved, or a last rejection let through), `failed` (changes requested:
 * the error is the reviewer's summary and the test report is cleared, so the next attempt's code
 * is tested again before it is reviewed again), or `keep`. The log gets `task.reviewed`, then
 * `task.done` or `task.failed` as a test result would write them.
 */
export function reviewTask(project: Project, taskId: string, review: StoredReview, outcome: ReviewOutcome, now: string): Change {
	const task = taskOf(project, taskId);
	if (task.status !== 'in_progress') throw new InvalidTransitionError(project.id, task.status, 'in_progress', taskId);
	const reviewed: ChangeEvent = {
		type: EVENT.taskReviewed,
		data: { taskId, attempt: task.attempts, round: review.round, verdict: review.verdict, comments: review.comments.length, ...(review.warned ? { warned: true } : {}) },
	};
	if (outcome === 'keep') return { project: withTask(project, taskId, { ...task, review, updatedAt: now }), events: [reviewed] };
	const error = outcome === 'failed' ? `the review requested changes: ${review.summary}` : undefined;
	const finished = recordTaskResult(project, taskId, { status: outcome, testReport: outcome === 'failed' ? null : task.testReport, ...(error === undefined ? {} : { error }) }, now)!;
	const next = withTask(finished.project, taskId, { ...finished.project.tasks[taskId], review });
	return { project: next, events: [reviewed, ...finished.events] };
}

/**
 * Sends finished tasks back to their developers with the whole project's review's comments on
 * their files (each `review` marked fromProjectReview), all in one change: each task is failed again
 * (its test report kept; the error is the review's summary), so its developer's next attempt is a
 * fix from those comments. The log gets a `task.failed` per task, as a rejected attempt writes it.
 */
export function reopenTasks(project: Project, reopened: ReadonlyArray<{ taskId: string; review: StoredReview }>, now: string): Change {
	let next = project;
	const events: ChangeEvent[] = [];
	for (const { taskId, review } of reopened) {
		const task = taskOf(next, taskId);
		if (task.status !== 'done') throw new InvalidTransitionError(project.id, task.status, 'failed', taskId);
		const error = `the project's review requested changes: ${review.summary}`;
		next = withTask(next, taskId, { ...task, status: 'failed', error, review, updatedAt: now });
		events.push({ type: EVENT.taskFailed, data: { taskId, attempt: task.attempts, files: task.files.map((f) => f.path), hasTestReport: task.testReport !== null, error, projectReview: review.fromProjectReview } });
	}
	return { project: next, events };
}

/** The whole project's review, kept on the project (its `review` status); changes nothing else. */
export function reviewProject(project: Project, review: StoredReview): Change {
	return {
		project: { ...project, review },
		events: [{ type: EVENT.projectReviewed, data: { round: review.round, verdict: review.verdict, comments: review.comments.length, ...(review.warned ? { warned: true } : {}) } }],
	};
}

/**
 * A decision on the plan of a project awaiting approval, with its status move, in one change:
 * approve goes on to development; request_changes goes back to planning with the plan and its
 * tasks dropped, so the planner plans again (with the comment, which the project keeps in
 * `approval`). Logged as `project.approval_decided` (who decided: the event's source) before the
 * status change. A project in any other status refuses it (409), naming the status.
 */
export function decideApproval(project: Project, decision: ApprovalDecision, comment: string | undefined, source: ApprovalSource, now: string): Change {
	if (project.status !== 'awaiting_approval') {
		throw new ConflictError('decision', `project "${project.id}" is ${project.status}; only a project awaiting approval of its plan (settings.approval "plan") takes a decision`);
	}
	const changeRequests = (project.approval?.changeRequests ?? 0) + (decision === 'request_changes' ? 1 : 0);
	const approval: PlanApproval = { decision, ...(comment === undefined ? {} : { comment }), source, at: now, changeRequests };
	const to: ProjectStatus = decision === 'approve' ? 'development' : 'planning';
	const moved = changeStatus(project, to, decision === 'approve' ? undefined : 'the client requested changes to the plan')!;
	const replanned = decision === 'approve' ? moved.project : { ...moved.project, plan: null, tasks: {} };
	return {
		project: { ...replanned, approval },
		events: [{ type: EVENT.approvalDecided, data: { decision, source, changeRequests, ...(comment === undefined ? {} : { comment }) } }, ...moved.events],
	};
}

/** How a metered usage is kept besides its role: the model that used it, what it cost (USD), the client report it was for. */
export interface UsageMeter {
	model?: string;
	cost?: number;
	/** The project version a client report was written from: kept as usage.report when nothing else changed since. */
	reportOf?: number;
}

/**
 * Usage is metered, not logged: one event per LLM call would crowd the transitions out of the log.
 * Adds it to the total, the role's and the model's, and its cost (computed at metering, so a later
 * price change leaves history as it was) to the cost's total, role and model, in one change.
 */
export function addRoleUsage(project: Project, role: string, usage: LlmUsage, meter: UsageMeter = {}): Change {
	const { model, reportOf } = meter;
	const before = project.usage;
	const byRole = { ...before.byRole, [role]: addUsage(own(before.byRole, role) ?? emptyUsage(), usage) };
	const byModel = { ...(before.byModel ?? {}) };
	if (model !== undefined) byModel[model] = addUsage(own(byModel, model) ?? emptyUsage(), usage);
	const cost = meter.cost ?? 0;
	const costBefore = before.cost ?? emptyCost();
	const plus = (record: Record<string, number>, key: string) => ({ ...record, [key]: roundUsd((own(record, key) ?? 0) + cost) });
	const next = {
		total: addUsage(before.total, usage),
		byRole,
		byModel,
		cost: {
			currency: 'USD' as const,
			total: roundUsd(costBefore.total + cost),
			byRole: plus(costBefore.byRole, role),
			byModel: model === undefined ? costBefore.byModel : plus(costBefore.byModel, model),
		},
		// A report counts as the one the project stands for only when nothing else changed since it read the project.
		report: reportOf !== undefined && reportOf === project.version ? { from: reportOf, at: project.version + 1 } : null,
	};
	return { project: { ...project, usage: next }, events: [] };
}

/** The most attempts a task keeps the model of: the latest ones. */
const MAX_ATTEMPT_MODELS = 50;

function withAttemptModel(list: NonNullable<TaskState['attemptModels']>, attempt: number, model: string): NonNullable<TaskState['attemptModels']> {
	// A fix rewriting the code of the same attempt replaces that attempt's model.
	return [...list.filter((entry) => entry.attempt !== attempt), { attempt, model }].slice(-MAX_ATTEMPT_MODELS);
}

export function setRepository(project: Project, repository: RepositoryInfo | null): Change {
	return {
		project: { ...project, repository },
		events: [{ type: EVENT.repositorySet, data: { repository } }],
	};
}

/** What DevOps packaged and whether it proved itself; the log keeps the file paths, not their contents. */
export function setDelivery(project: Project, delivery: Delivery | null): Change {
	const data = delivery === null ? { delivery: null } : { stack: delivery.stack, testCommand: delivery.testCommand, verified: delivery.verified, files: delivery.files.map((f) => f.path), rounds: delivery.rounds };
	return { project: { ...project, delivery }, events: [{ type: EVENT.deliverySet, data }] };
}

/** Archiving twice is not an error: the first archive stands. */
export function archive(project: Project, now: string): Change {
	if (project.archivedAt !== null) return null;
	return {
		project: { ...project, archivedAt: now },
		events: [{ type: EVENT.archived, data: { status: project.status } }],
	};
}

function taskOf(project: Project, taskId: string): TaskState {
	const task = own(project.tasks, taskId);
	if (!task) throw new TaskNotFoundError(project.id, taskId);
	return task;
}

function withTask(project: Project, taskId: string, task: TaskState): Project {
	return { ...project, tasks: { ...project.tasks, [taskId]: task } };
}

// Ids come from model output: "constructor" must not find Object.prototype's.
function own<T>(record: Record<string, T>, key: string): T | undefined {
	return Object.hasOwn(record, key) ? record[key] : undefined;
}

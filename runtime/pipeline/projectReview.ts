import type { ProducedFile, Project } from '../contracts/project';
import { keptReviewedFiles, type ReviewComment, type StoredReview } from '../contracts/review';
import { InvalidTransitionError } from '../state/errors';
import { finishedTasks } from './buildRepository';
import type { StepContext } from './developerStep';
import { developAndTestTask, type FixLoopSettings } from './developAndTest';
import { planTaskOf } from './projectFiles';
import { runProjectReviewStep, type ReviewerStepSettings } from './reviewerStep';

export interface ProjectReviewSettings {
	/** The reviewer, with the project's policy (lastRejection decides a final rejection, of the project or of a rework). */
	reviewer: Omit<ReviewerStepSettings, 'maxAttempts'>;
	developer: FixLoopSettings['developer'];
	tester: FixLoopSettings['tester'];
	/** Attempts a task sent back gets after the one the review answered (the project's maxFixAttempts). */
	maxFixAttempts: number;
	/** The project review round at which a rejection is the last word (default: the policy's rounds). */
	roundLimit?: number;
	/** Called before each turn, e.g. to stop when the project left its review meanwhile. */
	beforeTurn?: (phase: 'develop' | 'test' | 'review', taskId: string | null, attempt: number) => Promise<void> | void;
}

export interface ProjectReviewResult {
	project: Project;
	/**
	 * approved; warned (a last rejection let through); rejected (a last rejection failed the
	 * project); task_failed (a task sent back could not be fixed: the project failed); stopped (the
	 * project left its `review` status meanwhile).
	 */
	outcome: 'approved' | 'warned' | 'rejected' | 'task_failed' | 'stopped';
	/** The project's last review, as stored. */
	review: StoredReview | null;
}

/**
 * The whole project's review as a bounded loop, like a task's: review the repository as a whole;
 * a request for changes sends the tasks whose files the comments name back to their developers with
 * those comments (fenced in the developer's prompt, as a task review's are; comments on no task's
 * file go to the task that finished last: a final fix round over the repository), each is fixed,
 * tested with every finished task's tests and reviewed once more, then the whole project is
 * reviewed again, up to `roundLimit`; a rejection in the last round fails the project with the
 * reviewer's summary, or only warns (reviewLastRejection "warn"). The project stays in `review`
 * throughout. Every turn starts from the store, so a resumed job goes on where the store says.
 */
export async function reviewWholeProject(context: StepContext, projectId: string, settings: ProjectReviewSettings): Promise<ProjectReviewResult> {
	const { store, source } = context;
	const policy = settings.reviewer.policy;
	for (;;) {
		const project = await store.get(projectId);
		if (project.status !== 'review') return { project, outcome: 'stopped', review: project.review ?? null };
		const review = project.review ?? null;

		// A rework under way: the tasks the project's review sent back, in the plan's order.
		const sentBack = (project.plan?.tasks ?? []).filter((t) => planTaskOf(project, t.id).state.status !== 'done');
		if (sentBack.length) {
			for (const { id } of sentBack) {
				const { state } = planTaskOf(await store.get(projectId), id);
				const from = state.review?.fromProjectReview !== undefined ? state.review.attempt : state.attempts;
				const result = await developAndTestTask(context, projectId, id, {
					developer: settings.developer,
					tester: settings.tester,
					// One review of the rework, and it is the last word on the task: the project's review loops, not the task's.
					reviewer: { ...settings.reviewer, policy: { rounds: 1, lastRejection: policy.lastRejection } },
					maxAttempts: from + settings.maxFixAttempts,
					beforeTurn: (phase, attempt) => settings.beforeTurn?.(phase, id, attempt),
				});
				if (result.status === 'failed') {
					const error = planTaskOf(await store.get(projectId), id).state.error ?? 'its tests did not pass';
					const reason = `task "${id}" failed after ${result.attempts} attempts, reworked from the project's review: ${error}`;
					return { project: await failProject(context, projectId, reason), outcome: 'task_failed', review };
				}
			}
			continue;
		}

		// A request for changes the tasks have not answered yet (a job resumed between the review and the send-back).
		if (review?.verdict === 'request_changes' && !review.warned && !answeredSince(project, review)) {
			await store.reopenTasks(projectId, sendBack(project, review), { source });
			continue;
		}
		if (review && (review.verdict === 'approve' || review.warned) && !answeredSince(project, review)) {
			return { project, outcome: review.verdict === 'approve' ? 'approved' : 'warned', review };
		}

		await settings.beforeTurn?.('review', null, (review?.round ?? 0) + 1);
		const reviewed = await runProjectReviewStep(context, projectId, { ...settings.reviewer, roundLimit: settings.roundLimit ?? policy.rounds });
		if (reviewed.review.verdict === 'approve') return { project: reviewed.project, outcome: 'approved', review: reviewed.review };
		if (reviewed.review.warned) return { project: reviewed.project, outcome: 'warned', review: reviewed.review };
		if (reviewed.last) {
			const rounds = reviewed.review.round;
			const reason = `the project's review requested changes in its last round (${rounds} of ${settings.roundLimit ?? policy.rounds}): ${reviewed.review.summary}`;
			return { project: await failProject(context, projectId, reason), outcome: 'rejected', review: reviewed.review };
		}
		await store.reopenTasks(projectId, sendBack(reviewed.project, reviewed.review), { source });
	}
}

/** Some task finished after the review: its request was answered (a rework ran). */
function answeredSince(project: Project, review: StoredReview): boolean {
	return finishedTasks(project).some(([, task]) => task.updatedAt > review.at);
}

/**
 * Who gets which comments: a comment goes to the task whose code has the path (the task that wrote
 * it last), else the one whose tests do; the rest go to the task that finished last.
 */
export function sendBack(project: Project, review: StoredReview): Array<{ taskId: string; review: StoredReview }> {
	const finished = finishedTasks(project);
	const owner = new Map<string, string>();
	for (const [id, task] of finished) for (const file of task.testFiles) owner.set(file.path, id);
	for (const [id, task] of finished) for (const file of task.files) owner.set(file.path, id);
	const lastTask = finished.at(-1)?.[0];
	const byTask = new Map<string, ReviewComment[]>();
	for (const comment of review.comments) {
		const taskId = owner.get(comment.path) ?? lastTask;
		if (taskId === undefined) continue;
		byTask.set(taskId, [...(byTask.get(taskId) ?? []), comment]);
	}
	if (!byTask.size && lastTask !== undefined) byTask.set(lastTask, []);
	const at = new Date().toISOString();
	return [...byTask].map(([taskId, comments]) => {
		const task = project.tasks[taskId];
		return {
			taskId,
			review: {
				verdict: 'request_changes',
				summary: review.summary,
				comments,
				model: review.model,
				round: (task.review?.round ?? 0) + 1,
				attempt: task.attempts,
				fromProjectReview: review.round,
				...(kept(task.files) ?? {}),
				at,
			},
		};
	});
}

function kept(files: ProducedFile[]): { reviewedFiles: ProducedFile[] } | undefined {
	const reviewedFiles = keptReviewedFiles(files);
	return reviewedFiles && { reviewedFiles };
}

async function failProject(context: StepContext, projectId: string, reason: string): Promise<Project> {
	return context.store.updateStatus(projectId, 'failed', { reason, source: context.source }).catch((error: unknown) => {
		if (error instanceof InvalidTransitionError) return context.store.get(projectId);
		throw error;
	});
}

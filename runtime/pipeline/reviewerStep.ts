import { reviewWork, type ReviewerOutput, type ReviewerSettings, type ReviewedTestReport } from '../agents/reviewer';
import type { Project } from '../contracts/project';
import { keptReviewedFiles, type StoredReview } from '../contracts/review';
import { InvalidInputError } from '../errors';
import type { StepContext } from './developerStep';
import { meteredAgentCall, recordUsage } from './metering';
import { codeBefore, currentCodeFiles, planTaskOf, testFilesToRun } from './projectFiles';

/** How a project's reviews bound and decide (the project's settings review*). */
export interface ReviewPolicy {
	/** Review rounds per task: the last one decides for good. */
	rounds: number;
	/** What a rejection in the last round does: fail the task, or let it be done with a warning. */
	lastRejection: 'fail' | 'warn';
}

export interface ReviewerStepSettings extends ReviewerSettings {
	policy: ReviewPolicy;
	/** The task's attempt count at which a rejection is the last word (its maxFixAttempts); none: only the rounds bound it. */
	maxAttempts?: number;
}

export interface ReviewerStepResult {
	project: Project;
	review: StoredReview;
	output: ReviewerOutput;
	/** What the review did to the task: done (approved, or a last rejection that only warns) or failed (changes requested). */
	taskStatus: 'done' | 'failed';
	/** No review round (or attempt) is left after this one: a rejection here is final. */
	last: boolean;
}

/**
 * One reviewer turn on a task whose tests passed and that waits for its review (in progress with a
 * passing report: runTesterStep with awaitReview). Approve → the task is done. Changes requested →
 * the attempt fails with the reviewer's summary as its error and the comments kept on the task, for
 * the developer's next attempt; in the last round (reviewRounds, or the task's last attempt) the
 * task stays failed, or is done with the review marked `warned` when the policy says "warn".
 */
export async function runReviewerStep(context: StepContext, projectId: string, taskId: string, settings: ReviewerStepSettings): Promise<ReviewerStepResult> {
	const { store, llm, source } = context;
	const project = await store.get(projectId);
	const { planTask, state } = planTaskOf(project, taskId);
	const report = state.testReport as (Partial<ReviewedTestReport> & { status?: string }) | null;
	if (state.status !== 'in_progress' || report?.status !== 'passed' || state.developedAttempt !== state.attempts) {
		const why = state.status !== 'in_progress' ? `is ${state.status}` : 'has no passing test run of its current code';
		throw new InvalidInputError('taskId', `task "${taskId}" ${why}: only a task whose tests passed and that waits for its review can be reviewed (run the AI Tester first, with review on in the project's settings)`);
	}
	const earlier = state.review;
	const round = (earlier?.round ?? 0) + 1;
	const last = round >= settings.policy.rounds || (settings.maxAttempts !== undefined && state.attempts >= settings.maxAttempts);
	const ownTests = new Set(state.testFiles.map((f) => f.path));
	const testReport: ReviewedTestReport = { status: 'passed', passed: Number(report.passed ?? 0), failed: Number(report.failed ?? 0), output: String(report.output ?? '') };
	const output = await meteredAgentCall(context, projectId, 'reviewer', () =>
		reviewWork(
			{
				task: planTask,
				planSummary: project.plan!.summary,
				techStack: project.plan!.techStack,
				files: state.files,
				filesBefore: codeBefore(project, taskId),
				testFiles: testFilesToRun(project, taskId).filter((f) => ownTests.has(f.path)),
				testReport,
				round,
				previousComments: earlier?.verdict === 'request_changes' ? earlier.comments : [],
				filesPreviousRound: earlier?.verdict === 'request_changes' ? earlier.reviewedFiles : undefined,
			},
			llm,
			settings,
		),
	);
	await recordUsage(context, projectId, 'reviewer', output);
	const approved = output.review.verdict === 'approve';
	const warned = !approved && last && settings.policy.lastRejection === 'warn';
	// A rejection keeps the code it read, so the next round shows what changed in answer to it.
	const kept = approved ? undefined : keptReviewedFiles(state.files);
	const review: StoredReview = { ...output.review, model: output.model, round, attempt: state.attempts, ...(warned ? { warned } : {}), ...(kept ? { reviewedFiles: kept } : {}), at: new Date().toISOString() };
	const taskStatus = approved || warned ? 'done' : 'failed';
	const stored = await store.recordTaskReview(projectId, taskId, review, taskStatus, { source });
	return { project: stored, review, output, taskStatus, last };
}

/** A failed task whose last review rejected it with no round left: the gate's final word, read from the store (a resumed task job). */
export function reviewRoundsSpent(project: Project, taskId: string, policy: ReviewPolicy): boolean {
	const { state } = planTaskOf(project, taskId);
	const review = state.review;
	// A task the project's review sent back is failed with that review's comments: its rework, not a final word.
	return state.status === 'failed' && review?.verdict === 'request_changes' && review.fromProjectReview === undefined && review.attempt === state.attempts && review.round >= policy.rounds;
}

/**
 * The whole project's review, in its `review` status: a last pass over its code and tests as a
 * whole, the same contract. Stored on the project; `last` (the round is at `roundLimit`, default
 * the policy's rounds) says a rejection is final, and it is stored `warned` when the policy says
 * "warn". The loop around it (rework, review again) is pipeline/projectReview.ts.
 */
export async function runProjectReviewStep(
	context: StepContext,
	projectId: string,
	settings: ReviewerSettings & { policy: ReviewPolicy; roundLimit?: number },
): Promise<{ project: Project; review: StoredReview; output: ReviewerOutput; last: boolean }> {
	const { store, llm, source } = context;
	const project = await store.get(projectId);
	if (!project.plan) throw new InvalidInputError('projectId', `project "${projectId}" has no plan to review`);
	const code = currentCodeFiles(project);
	const tests = Object.values(project.tasks).flatMap((t) => (t.status === 'done' ? t.testFiles : []));
	const testPaths = new Set(tests.map((f) => f.path));
	const round = (project.review?.round ?? 0) + 1;
	const output = await meteredAgentCall(context, projectId, 'reviewer', () =>
		reviewWork(
			{
				tasks: project.plan!.tasks.map((t) => ({ id: t.id, title: t.title })),
				planSummary: project.plan!.summary,
				techStack: project.plan!.techStack,
				files: code.filter((f) => !testPaths.has(f.path)),
				testFiles: tests,
				testReport: null,
				round,
			},
			llm,
			settings,
		),
	);
	await recordUsage(context, projectId, 'reviewer', output);
	const last = round >= (settings.roundLimit ?? settings.policy.rounds);
	const warned = output.review.verdict === 'request_changes' && last && settings.policy.lastRejection === 'warn';
	const review: StoredReview = { ...output.review, model: output.model, round, attempt: 0, ...(warned ? { warned } : {}), at: new Date().toISOString() };
	return { project: await store.recordProjectReview(projectId, review, { source }), review, output, last };
}

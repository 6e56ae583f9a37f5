import type { TestReport } from '../contracts/testReport';
import { InvalidInputError } from '../errors';
import { InvalidTransitionError } from '../state/errors';
import { runDeveloperStep, type DeveloperStepSettings, type StepContext } from './developerStep';
import { planTaskOf } from './projectFiles';
import { reviewRoundsSpent, runReviewerStep, type ReviewerStepSettings } from './reviewerStep';
import { runTesterStep, type TesterStepSettings } from './testerStep';

export interface FixLoopSettings {
	developer: Omit<DeveloperStepSettings, 'mode'>;
	tester: TesterStepSettings;
	/**
	 * The review gate: when given, a task whose tests pass is reviewed before it is done, and a
	 * request for changes is the developer's next attempt (bounded by its rounds and maxAttempts).
	 * Absent: the tests decide alone.
	 */
	reviewer?: Omit<ReviewerStepSettings, 'maxAttempts'>;
	/** The task's attempt count at which the loop gives up (developer turns, the first included, over the task's life). */
	maxAttempts: number;
	/** Called before each turn, e.g. to stop when the project was cancelled meanwhile. */
	beforeTurn?: (phase: 'develop' | 'test' | 'review', attempt: number) => Promise<void> | void;
}

export interface FixLoopResult {
	status: 'done' | 'failed';
	attempts: number;
	report: TestReport | null;
}

/** Times in a row the loop may find its task moved by another run before it gives up. */
const MAX_OVERTAKEN = 3;

/**
 * The canvas loop Developer → Tester → (failed and attempts left) → Developer in fix mode → …
 * (→ Reviewer when the project reviews its tasks → changes requested and rounds left → Developer
 * fixing from the comments → Tester → Reviewer …) as one call, for the worker. Each turn is the same step the nodes run and starts from the store,
 * so a worker that dies mid-task resumes where the store says it stands: code already written
 * for the current attempt is tested, not written (and paid for) again.
 */
export async function developAndTestTask(context: StepContext, projectId: string, taskId: string, settings: FixLoopSettings): Promise<FixLoopResult> {
	for (let overtaken = 0; ; ) {
		const { state } = planTaskOf(await context.store.get(projectId), taskId);
		const report = (state.testReport as TestReport | null) ?? null;
		if (state.status === 'done') return { status: 'done', attempts: state.attempts, report };
		if (state.status === 'failed' && state.attempts >= settings.maxAttempts) return { status: 'failed', attempts: state.attempts, report };
		if (settings.reviewer && reviewRoundsSpent(await context.store.get(projectId), taskId, settings.reviewer.policy)) return { status: 'failed', attempts: state.attempts, report };
		let tested: Awaited<ReturnType<typeof runTesterStep>>;
		try {
			const developed = state.status === 'in_progress' && state.developedAttempt === state.attempts;
			if (!developed) {
				await settings.beforeTurn?.('develop', state.status === 'in_progress' ? state.attempts : state.attempts + 1);
				await runDeveloperStep(context, projectId, taskId, { ...settings.developer, mode: 'auto' });
			}
			const current = planTaskOf(await context.store.get(projectId), taskId).state;
			await settings.beforeTurn?.('test', current.attempts);
			tested = await runTesterStep(context, projectId, taskId, { ...settings.tester, awaitReview: !!settings.reviewer });
			if (settings.reviewer && tested.report.status === 'passed') {
				await settings.beforeTurn?.('review', tested.attempt);
				const reviewed = await runReviewerStep(context, projectId, taskId, { ...settings.reviewer, maxAttempts: settings.maxAttempts });
				if (reviewed.taskStatus === 'done' || reviewed.last) return { status: reviewed.taskStatus, attempts: tested.attempt, report: tested.report };
				// Changes requested: the comments are the developer's next attempt.
				continue;
			}
		} catch (error) {
			// Another run of this task moved it first (a job taken for stalled while it was still
			// running, e.g. after Redis came back): read the store again and go on from there.
			if (!movedByAnotherRun(error, taskId) || ++overtaken > MAX_OVERTAKEN) throw error;
			continue;
		}
		if (tested.report.status === 'passed' || tested.attempt >= settings.maxAttempts) {
			return { status: tested.report.status === 'passed' ? 'done' : 'failed', attempts: tested.attempt, report: tested.report };
		}
	}
}

/** The refusals a step meets when its task changed under it: a move from a status it no longer has, or a test of a task no longer in progress. */
function movedByAnotherRun(error: unknown, taskId: string): boolean {
	if (error instanceof InvalidTransitionError) return error.taskId === taskId;
	return error instanceof InvalidInputError && error.field === 'taskId';
}

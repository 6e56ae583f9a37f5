import type { ProjectReviewJobData, ReviewJobData } from '../../contracts/service';
import { continueProject } from '../../driver/continueProject';
import { reviewWholeProject } from '../../pipeline/projectReview';
import { runReviewerStep } from '../../pipeline/reviewerStep';
import { developerSettings, reviewerSettings, testerSettings } from '../agentSettings';
import type { JobContext } from '../jobContext';

/** The project left its review while the job ran (cancelled, put on hold). */
class ProjectLeftReview extends Error {
	constructor(readonly status: string) {
		super(`the project is ${status}`);
	}
}

/**
 * One reviewer turn. With a task (the AI Reviewer node's step, POST …/tasks/:taskId/review): reviews
 * a task whose tests passed and that waits for its review, and finishes its attempt (done, or failed
 * with the comments for the developer). Without one (auto mode, the project's `review` status): the
 * whole project's review loop (pipeline/projectReview.ts): review, send the named tasks back with
 * the comments, fix, test and review them, review the project again, up to the job's round limit.
 */
export async function reviewJob(context: JobContext): Promise<Record<string, unknown>> {
	const data = context.job.data as Partial<ReviewJobData> & ProjectReviewJobData;
	const settings = reviewerSettings(context.settings, data);
	if (data.taskId === undefined) {
		context.progress({ phase: 'reviewing' });
		const { store, config } = context.services;
		try {
			const result = await reviewWholeProject(context.step, data.projectId, {
				reviewer: settings,
				developer: developerSettings(context.settings),
				tester: testerSettings(config, context.settings),
				maxFixAttempts: context.settings.maxFixAttempts,
				roundLimit: data.roundLimit,
				beforeTurn: async (phase, taskId, attempt) => {
					const status = (await store.get(data.projectId)).status;
					if (status !== 'review') throw new ProjectLeftReview(status);
					context.progress({ phase: phase === 'review' ? 'reviewing' : phase, ...(taskId === null ? { round: attempt } : { taskId, attempt }) });
				},
			});
			await continueProject(context.services, result.project);
			return { projectId: data.projectId, outcome: result.outcome, review: result.review, projectStatus: result.project.status };
		} catch (error) {
			if (!(error instanceof ProjectLeftReview)) throw error;
			// What the rework recorded before it stopped still goes out.
			await continueProject(context.services, await store.get(data.projectId));
			return { projectId: data.projectId, outcome: 'stopped', projectStatus: error.status };
		}
	}
	context.progress({ phase: 'reviewing', taskId: data.taskId });
	const { project, review, output, taskStatus, last } = await runReviewerStep(context.step, data.projectId, data.taskId, {
		...settings,
		maxAttempts: context.settings.maxFixAttempts,
	});
	// The attempt ended (done or failed): webhooks, and the next step when the service drives the project.
	await continueProject(context.services, project);
	return {
		projectId: project.id,
		taskId: data.taskId,
		verdict: review.verdict,
		taskStatus,
		attempt: review.attempt,
		round: review.round,
		last,
		review,
		model: output.model,
		usage: output.usage,
		repairs: output.repairs,
	};
}

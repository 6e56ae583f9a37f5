import type { ReviewJobData } from '../../contracts/service';
import { continueProject } from '../../driver/continueProject';
import { runProjectReviewStep, runReviewerStep } from '../../pipeline/reviewerStep';
import { reviewerSettings } from '../agentSettings';
import type { JobContext } from '../jobContext';

/**
 * One reviewer turn. With a task (the AI Reviewer node's step, POST …/tasks/:taskId/review): reviews
 * a task whose tests passed and that waits for its review, and finishes its attempt (done, or failed
 * with the comments for the developer). Without one (auto mode, the project's `review` status): the
 * whole project's last review, stored on the project.
 */
export async function reviewJob(context: JobContext): Promise<Record<string, unknown>> {
	const data = context.job.data as Partial<ReviewJobData> & { projectId: string };
	const settings = reviewerSettings(context.settings, data);
	if (data.taskId === undefined) {
		context.progress({ phase: 'reviewing' });
		const { project, review, output } = await runProjectReviewStep(context.step, data.projectId, settings);
		await continueProject(context.services, project);
		return { projectId: project.id, review, model: output.model, usage: output.usage, repairs: output.repairs };
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

import type { TestJobData } from '../../contracts/service';
import { continueProject } from '../../driver/continueProject';
import { runTesterStep } from '../../pipeline/testerStep';
import { testerSettings } from '../agentSettings';
import type { JobContext } from '../jobContext';

/** One tester turn (the AI Tester node's step): writes the task's tests once, runs them, finishes the attempt. */
export async function testJob(context: JobContext): Promise<Record<string, unknown>> {
	const data = context.job.data as TestJobData;
	context.progress({ phase: 'testing', taskId: data.taskId });
	// A project that reviews its tasks: a pass leaves the task waiting for the review step (…/review).
	const settings = { ...testerSettings(context.services.config, context.settings, data), awaitReview: context.settings.review.enabled };
	const { project, report, written, attempt } = await runTesterStep(context.step, data.projectId, data.taskId, settings);
	// The attempt ended (done or failed): webhooks, and the next step when the service drives the project.
	await continueProject(context.services, project);
	const task = project.tasks[data.taskId];
	return {
		projectId: project.id,
		taskId: data.taskId,
		status: report.status,
		taskStatus: task.status,
		attempt,
		report,
		testFiles: task.testFiles.map((f) => f.path),
		wroteTests: !!written,
		awaitingReview: report.status === 'passed' && task.status === 'in_progress',
		model: written?.model ?? null,
		usage: written?.usage ?? null,
	};
}

import type { TaskJobData } from '../../contracts/service';
import { continueProject } from '../../driver/continueProject';
import { developAndTestTask } from '../../pipeline/developAndTest';
import { InvalidTransitionError } from '../../state/errors';
import { developerSettings, reviewerSettings, testerSettings } from '../agentSettings';
import type { JobContext } from '../jobContext';

/** The project left development while the task ran (cancelled, failed by another task, put on hold). */
class ProjectLeftDevelopment extends Error {
	constructor(readonly status: string) {
		super(`the project is ${status}`);
	}
}

/**
 * A whole task in auto mode: develop, test, fix until its tests pass or its attempts run out; when
 * the project reviews its tasks, review, and rework from the comments until approved or its review
 * rounds run out. A task that runs out fails its project, with the task and the reason (for a
 * rejection: the reviewer's summary). Resumes from the store.
 */
export async function taskJob(context: JobContext): Promise<Record<string, unknown>> {
	const { projectId, taskId, attemptLimit } = context.job.data as TaskJobData;
	const { store, config } = context.services;
	const stillDeveloping = async () => {
		const status = (await store.get(projectId)).status;
		if (status !== 'development') throw new ProjectLeftDevelopment(status);
	};
	try {
		await stillDeveloping();
		const result = await developAndTestTask(context.step, projectId, taskId, {
			developer: developerSettings(context.settings),
			tester: testerSettings(config, context.settings),
			...(context.settings.review.enabled ? { reviewer: reviewerSettings(context.settings) } : {}),
			maxAttempts: attemptLimit,
			beforeTurn: async (phase, attempt) => {
				await stillDeveloping();
				context.progress({ phase, taskId, attempt });
			},
		});
		let project = await store.get(projectId);
		if (result.status === 'failed' && project.status === 'development') {
			const reason = `task "${taskId}" failed after ${result.attempts} attempt${result.attempts === 1 ? '' : 's'}: ${project.tasks[taskId].error ?? 'its tests did not pass'}`;
			project = await store.updateStatus(projectId, 'failed', { reason, source: context.step.source }).catch((error: unknown) => {
				if (error instanceof InvalidTransitionError) return store.get(projectId);
				throw error;
			});
		}
		await continueProject(context.services, project);
		return { projectId, taskId, status: result.status, attempts: result.attempts, testStatus: result.report?.status ?? null };
	} catch (error) {
		if (error instanceof ProjectLeftDevelopment) {
			// What the task recorded before it stopped (a failed attempt) still goes out.
			await continueProject(context.services, await store.get(projectId));
			return { projectId, taskId, status: 'stopped', projectStatus: error.status };
		}
		throw error;
	}
}

import type { AdvanceJobData } from '../../contracts/service';
import { advanceProject } from '../../driver/advanceProject';
import type { JobContext } from '../jobContext';

/** Moves a project in auto mode to its next step and queues the jobs of that step. */
export async function advanceJob(context: JobContext): Promise<Record<string, unknown>> {
	const { projectId } = context.job.data as AdvanceJobData;
	return advanceProject(context.services, projectId, context.run, context.settings, context.step.source);
}

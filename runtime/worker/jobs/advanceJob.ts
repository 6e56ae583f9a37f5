import type { AdvanceJobData } from '../../contracts/service';
import { nextStep } from '../../queue/projectDriver';
import { InvalidTransitionError, UpdateContentionError, VersionConflictError } from '../../state/errors';
import { continueProject, runEnded } from '../continueProject';
import type { JobContext } from '../jobContext';

const MAX_ROUNDS = 10;

/** Moves a project in auto mode to its next step and queues the jobs of that step. */
export async function advanceJob(context: JobContext): Promise<Record<string, unknown>> {
	const { projectId } = context.job.data as AdvanceJobData;
	const { store, queue } = context.services;
	for (let round = 0; round < MAX_ROUNDS; round++) {
		let project = await store.get(projectId);
		const step = nextStep(project, context.run, context.settings);
		if (step.moves.length) {
			try {
				for (const status of step.moves) project = await store.updateStatus(projectId, status, { expectedVersion: project.version, source: context.step.source });
			} catch (error) {
				// Another job moved the project meanwhile: decide again from what is stored now.
				if (error instanceof VersionConflictError || error instanceof InvalidTransitionError) continue;
				throw error;
			}
			if (runEnded(project)) await continueProject(context.services, project);
			continue;
		}
		for (const job of step.jobs) await queue.add(job.name, job.data, { jobId: job.jobId, priority: job.priority });
		return { projectId, status: project.status, queued: step.jobs.map((j) => j.jobId) };
	}
	throw new UpdateContentionError(projectId, MAX_ROUNDS);
}

import type { EffectiveSettings } from '../config/projectSettings';
import type { ProjectRun } from '../contracts/service';
import { nextStep } from '../queue/nextStep';
import { InvalidTransitionError, UpdateContentionError, VersionConflictError } from '../state/errors';
import { announceWebhookEvents } from './announceWebhooks';
import { continueProject, runEnded } from './continueProject';
import type { DriverServices } from './driverServices';

const MAX_ROUNDS = 10;

/**
 * Moves a project in auto mode to its next step and queues the jobs of that step (what the
 * `advance` job runs): decided by `nextStep` from the stored project, moved with the version read,
 * decided again when another job moved it meanwhile.
 */
export async function advanceProject(
	services: DriverServices,
	projectId: string,
	run: ProjectRun,
	settings: EffectiveSettings,
	source: string,
): Promise<Record<string, unknown>> {
	const { store, queue } = services;
	for (let round = 0; round < MAX_ROUNDS; round++) {
		let project = await store.get(projectId);
		const step = nextStep(project, run, settings);
		if (step.moves.length) {
			try {
				for (const status of step.moves) project = await store.updateStatus(projectId, status, { expectedVersion: project.version, source });
			} catch (error) {
				// Another job moved the project meanwhile: decide again from what is stored now.
				if (error instanceof VersionConflictError || error instanceof InvalidTransitionError) continue;
				throw error;
			}
			if (runEnded(project)) await continueProject(services, project);
			continue;
		}
		for (const job of step.jobs) await queue.add(job.name, job.data, { jobId: job.jobId, priority: job.priority });
		// Nothing queued: the project waits (awaiting_approval) and no later job would announce the moves that led here.
		if (!step.jobs.length) await announceWebhookEvents(services, project);
		return { projectId, status: project.status, queued: step.jobs.map((j) => j.jobId) };
	}
	throw new UpdateContentionError(projectId, MAX_ROUNDS);
}

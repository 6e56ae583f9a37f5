import type { ProjectJobData } from '../../contracts/service';
import { continueProject } from '../../driver/continueProject';
import { deliveryFailure, packageStoredProject } from '../../pipeline/packageProject';
import { testerSettings } from '../agentSettings';
import type { JobContext } from '../jobContext';

/**
 * DevOps in whole-project mode, in `deployment` before publishing: packages the finished project and
 * proves it from a clean clone (pipeline/packageProject.ts). A delivery that does not pass, after
 * its fix round, fails the project with the reason; a proven one lets it go on to publish. Repeated
 * after a crash, it finds a proven delivery stored and only goes on.
 */
export async function packageJob(context: JobContext): Promise<Record<string, unknown>> {
	const { projectId } = context.job.data as ProjectJobData;
	const { store, config } = context.services;
	let project = await store.get(projectId);
	if (project.status !== 'deployment') {
		await continueProject(context.services, project);
		return { projectId, status: project.status, packaged: false };
	}
	context.progress({ phase: 'packaging' });
	const { run } = testerSettings(config, context.settings);
	const packaged = await packageStoredProject(context.step, projectId, { license: context.settings.license, run });
	project = packaged.project;
	if (!packaged.delivery.verified && project.status === 'deployment') {
		project = await store.updateStatus(projectId, 'failed', { reason: deliveryFailure(packaged.delivery), source: context.step.source });
	}
	await continueProject(context.services, project);
	const { testCommand, verified, rounds, files } = packaged.delivery;
	return { projectId, status: project.status, delivery: { testCommand, verified, rounds, files: files.map((f) => f.path) } };
}

import type { Project, ProjectStatus } from '../../contracts/project';
import type { PublishJobData } from '../../contracts/service';
import { continueProject } from '../../driver/continueProject';
import { projectOutcome } from '../../driver/projectOutcome';
import { InvalidInputError } from '../../errors';
import { deliveryFailure, packageStoredProject } from '../../pipeline/packageProject';
import { publishStoredProject } from '../../pipeline/publishProject';
import { jobIds } from '../../queue/jobIds';
import { ensureLocalBareRepository } from '../../workspace/git';
import { testerSettings } from '../agentSettings';
import type { JobContext } from '../jobContext';

const TO_DEPLOYMENT: Partial<Record<ProjectStatus, ProjectStatus[]>> = {
	development: ['testing', 'review', 'deployment'],
	testing: ['review', 'deployment'],
	review: ['deployment'],
};

/**
 * Pushes the project's repository (one commit per finished task, then DevOps's packaging commit).
 * When every task is done the project goes through deployment (packaged and proven first, unless
 * settings.packaging is false) to completed, and the deploy hook, if set, is called.
 */
export async function publishJob(context: JobContext): Promise<Record<string, unknown>> {
	const data = context.job.data as PublishJobData;
	const { store, queue } = context.services;
	const source = context.step.source;
	const target = context.settings.publishTarget;
	if (!target) {
		throw new InvalidInputError('settings.gitRemoteBase', 'nowhere to publish: set the project\'s settings.gitRemoteBase, or GIT_REMOTE_BASE or GITHUB_TOKEN on the service');
	}
	let project = await store.get(data.projectId);
	const finished = allTasksDone(project);
	if (finished) {
		for (const status of TO_DEPLOYMENT[project.status] ?? []) project = await store.updateStatus(project.id, status, { source });
	}
	if (finished && context.settings.packaging && project.status === 'deployment') {
		// Step workflows publish without a package job: DevOps packages and proves here, once.
		context.progress({ phase: 'packaging' });
		const packaged = await packageStoredProject(context.step, project.id, { license: context.settings.license, run: testerSettings(context.services.config, context.settings).run });
		if (!packaged.delivery.verified) throw new InvalidInputError('delivery', deliveryFailure(packaged.delivery));
		project = packaged.project;
	}
	context.progress({ phase: 'publishing' });
	if (target.kind === 'git') await ensureLocalBareRepository(target.url);
	const published = await publishStoredProject(store, project.id, { ...target, ...(data.branch ? { branch: data.branch } : {}) }, source);
	project = published.project;
	if (finished && project.status === 'deployment') {
		if (context.settings.deployHookUrl) {
			await queue.add('callback', { url: context.settings.deployHookUrl, projectId: project.id, body: projectOutcome(project) }, { jobId: jobIds.callback(project.id, `deploy-${project.version}`), priority: 1 });
		}
		project = await store.updateStatus(project.id, 'completed', { source });
	}
	await continueProject(context.services, project);
	return { projectId: project.id, status: project.status, published: published.result };
}

function allTasksDone(project: Project): boolean {
	return !!project.plan && project.plan.tasks.every((t) => project.tasks[t.id]?.status === 'done');
}

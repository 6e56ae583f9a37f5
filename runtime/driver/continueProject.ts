import { RUN_ENDED_STATUSES } from '../contracts/outcome';
import type { Project } from '../contracts/project';
import { jobIds } from '../queue/jobIds';
import { announceWebhookEvents } from './announceWebhooks';
import type { DriverServices } from './driverServices';
import { projectOutcome } from './projectOutcome';

const ENDED = new Set<string>(RUN_ENDED_STATUSES);

/** A run ends completed, cancelled or failed (a failed project waits for a retry, with nothing running). */
export function runEnded(project: Project): boolean {
	return ENDED.has(project.status);
}

/**
 * After any change a job or the API made: webhooks go out for what changed, a project that ended
 * announces it once (callback), a project run in auto mode gets its next step decided by an
 * `advance` job for this exact version.
 */
export async function continueProject(services: DriverServices, project: Project): Promise<void> {
	await announceWebhookEvents(services, project);
	const run = await services.runs.get(project.id);
	if (runEnded(project)) {
		await announceEnd(services, project, run.round, run.settings.callbackUrl);
		return;
	}
	if (run.mode !== 'auto') return;
	await services.queue.add('advance', { projectId: project.id }, { jobId: jobIds.advance(project.id, project.version), priority: 1 });
}

async function announceEnd(services: DriverServices, project: Project, round: number, callbackUrl: string | undefined): Promise<void> {
	if (!callbackUrl) return;
	if (!(await services.runs.claimNotification(project.id, round, project.status))) return;
	await services.queue.add(
		'callback',
		{ url: callbackUrl, projectId: project.id, body: projectOutcome(project) },
		{ jobId: jobIds.callback(project.id, `${round}-${project.status}`), priority: 1 },
	);
}

import type { Project } from '../contracts/project';
import { jobIds } from '../queue/jobIds';
import type { Services } from '../service/services';
import { TERMINAL_STATUSES } from '../state/lifecycle';

const ENDED = new Set<string>([...TERMINAL_STATUSES, 'failed']);

/** A run ends completed, cancelled or failed (a failed project waits for a retry, with nothing running). */
export function runEnded(project: Project): boolean {
	return ENDED.has(project.status);
}

/**
 * After any change a job made: a project that ended announces it once (callback), a project run in
 * auto mode gets its next step decided by an `advance` job for this exact version.
 */
export async function continueProject(services: Services, project: Project): Promise<void> {
	const run = await services.runs.get(project.id);
	if (runEnded(project)) {
		await announceEnd(services, project, run.round, run.settings.callbackUrl);
		return;
	}
	if (run.mode !== 'auto') return;
	await services.queue.add('advance', { projectId: project.id }, { jobId: jobIds.advance(project.id, project.version), priority: 1 });
}

async function announceEnd(services: Services, project: Project, round: number, callbackUrl: string | undefined): Promise<void> {
	if (!callbackUrl) return;
	if (!(await services.runs.claimNotification(project.id, round, project.status))) return;
	await services.queue.add(
		'callback',
		{ url: callbackUrl, projectId: project.id, body: projectOutcome(project) },
		{ jobId: jobIds.callback(project.id, `${round}-${project.status}`), priority: 1 },
	);
}

/** What a project's end callback carries: enough for the next n8n node, not the whole project. */
export function projectOutcome(project: Project): Record<string, unknown> {
	const tasks = Object.entries(project.tasks).map(([id, task]) => ({ id, status: task.status, attempts: task.attempts }));
	return {
		projectId: project.id,
		title: project.title,
		status: project.status,
		reason: project.statusReason,
		repository: project.repository,
		client: project.client,
		tasks,
		usage: project.usage.total,
	};
}

import { createHash } from 'node:crypto';

import type { Job } from 'bullmq';

import { jobIds } from '../queue/jobIds';
import { viewOf } from '../queue/jobQueue';
import type { DriverServices } from './driverServices';

export const STEP_JOBS = new Set<string>(['plan', 'develop', 'test', 'review', 'publish', 'report']);

/**
 * Queues one callback POST per URL registered for a finished step job. Called both when the job
 * ends and when a request registers a URL for a job that had already ended; the callback job ids
 * (job + URL) make the second call a no-op, so no URL is called twice and none is missed.
 */
export async function sendStepCallbacks(services: DriverServices, job: Job, state: 'completed' | 'failed'): Promise<void> {
	if (!STEP_JOBS.has(job.name)) return;
	const urls = await services.queue.callbacksOf(job.id!);
	const view = viewOf(job, state);
	const projectId = (job.data as { projectId: string }).projectId;
	for (const url of urls) {
		const hash = createHash('sha256').update(url).digest('hex').slice(0, 16);
		await services.queue.add('callback', { url, projectId, body: view }, { jobId: jobIds.callback(projectId, `job-${job.id}-${hash}`), priority: 1 });
	}
}

import { Job, Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';

import type { ServiceConfig } from '../config/environment';
import type { JobName, JobView } from '../contracts/service';
import { JOB_BACKOFF_TYPE } from './jobBackoff';

export const QUEUE_NAME = 'jobs';

const CALLBACKS_KEPT_SECONDS = 30 * 24 * 3600;

/** BullMQ's keys live under the store's prefix: `<prefix>q:jobs:…` (e.g. `aic:q:jobs:wait`). */
export function queuePrefix(keyPrefix: string): string {
	return `${keyPrefix}q`;
}

/**
 * The one queue every job goes through. Jobs carry a priority: lower runs first, and the project
 * driver gives each project's n-th job priority n, so a project posted after a large one gets its
 * first jobs ahead of the large one's remaining ones (fair share, not first come first served).
 */
export class JobQueue {
	readonly queue: Queue;

	constructor(
		private readonly redis: Redis,
		private readonly config: Pick<ServiceConfig, 'keyPrefix' | 'jobAttempts' | 'jobBackoffMs'>,
	) {
		this.queue = new Queue(QUEUE_NAME, { connection: redis, prefix: queuePrefix(config.keyPrefix) });
	}

	/** Adds the job unless one with this id exists (queued, running, or kept after finishing). */
	async add<T extends object>(name: JobName, data: T, options: { jobId: string; priority?: number } & JobsOptions): Promise<Job> {
		const transient = name === 'advance';
		return this.queue.add(name, data, {
			attempts: this.config.jobAttempts,
			backoff: { type: JOB_BACKOFF_TYPE, delay: this.config.jobBackoffMs },
			// Finished step jobs stay a week so GET /api/jobs/:id answers; a driver job's id must be reusable.
			removeOnComplete: transient ? true : { age: 7 * 24 * 3600, count: 10_000 },
			removeOnFail: transient ? { age: 24 * 3600 } : { age: 30 * 24 * 3600 },
			priority: 1,
			...options,
		});
	}

	/**
	 * Where a step job's result goes when it ends. Several requests for the same job (a workflow run
	 * again, with a new Wait node resume URL) each add theirs: every one is called once.
	 */
	async addCallback(jobId: string, url: string): Promise<void> {
		const key = this.callbacksKey(jobId);
		await this.redis.multi().sadd(key, url).expire(key, CALLBACKS_KEPT_SECONDS).exec();
	}

	callbacksOf(jobId: string): Promise<string[]> {
		return this.redis.smembers(this.callbacksKey(jobId));
	}

	private callbacksKey(jobId: string): string {
		return `${this.config.keyPrefix}callbacks:${jobId}`;
	}

	/**
	 * The job as it is now. Its hash and its state are two reads: a job that finished between them
	 * would show as finished without its result or failure, so a finished state is read with the
	 * job read after it.
	 */
	async view(jobId: string): Promise<JobView | null> {
		const job = await Job.fromId(this.queue, jobId);
		if (!job) return null;
		const state = await job.getState();
		if (state !== 'completed' && state !== 'failed') return viewOf(job, state);
		const finished = await Job.fromId(this.queue, jobId);
		return finished ? viewOf(finished, state) : null;
	}

	async counts(): Promise<Record<string, number>> {
		return this.queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'completed', 'failed', 'waiting-children');
	}

	close(): Promise<void> {
		return this.queue.close();
	}
}

export function viewOf(job: Job, state: string): JobView {
	const data = job.data as { projectId?: string; taskId?: string };
	const view: JobView = {
		jobId: job.id!,
		name: job.name,
		state,
		progress: job.progress,
		attemptsMade: job.attemptsMade,
		createdAt: new Date(job.timestamp).toISOString(),
	};
	if (data.projectId) view.projectId = data.projectId;
	if (data.taskId) view.taskId = data.taskId;
	if (job.finishedOn) view.finishedAt = new Date(job.finishedOn).toISOString();
	if (state === 'completed') view.result = job.returnvalue;
	if (state === 'failed') view.error = failureOf(job.failedReason);
	return view;
}

/** Failed jobs keep their reason as text; the worker writes it as JSON with the failure's kind. */
function failureOf(reason: string | undefined): JobView['error'] {
	try {
		const parsed = JSON.parse(reason ?? '') as JobView['error'];
		if (parsed && typeof parsed.message === 'string') return parsed;
	} catch {
		// Not ours (e.g. BullMQ's own "job stalled more than allowable limit").
	}
	return { kind: 'internal', message: reason ?? 'unknown failure' };
}

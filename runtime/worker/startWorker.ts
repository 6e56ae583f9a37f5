import { Worker, type Job } from 'bullmq';

import { sendStepCallbacks } from '../driver/stepCallbacks';
import { jobBackoffStrategy } from '../queue/jobBackoff';
import { QUEUE_NAME, queuePrefix } from '../queue/jobQueue';
import type { Services } from '../service/services';
import { LockLostError, processJob, type InFlight } from './processJob';

export interface RunningWorker {
	worker: Worker;
	/** Stops taking jobs; waits up to `graceMs` for the ones in flight, then hands them back to the queue. */
	stop(graceMs: number): Promise<void>;
}

/**
 * The BullMQ worker. Its lock is renewed every lockDuration / 2 while a job runs, however long the
 * model takes (a 20-minute generation keeps its lock); a worker that dies stops renewing, and after
 * the lock runs out another worker's stalled-job check takes the job over.
 */
export function startWorker(services: Services): RunningWorker {
	const { config, logger } = services;
	const inFlight: InFlight = new Map();
	const worker = new Worker(QUEUE_NAME, (job, token) => processJob(services, inFlight, job, token), {
		connection: services.redis,
		prefix: queuePrefix(config.keyPrefix),
		concurrency: config.concurrency,
		lockDuration: config.lockDurationMs,
		stalledInterval: config.stalledIntervalMs,
		maxStalledCount: config.maxStalledCount,
		// A retry waits JOB_BACKOFF_MS doubled per try, or the model server's Retry-After when longer.
		settings: { backoffStrategy: jobBackoffStrategy },
	});
	worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
	// Step callbacks go out once the job's end is stored, so a request registering a URL meanwhile sees it ended and sends its own.
	const announce = (job: Job | undefined, state: 'completed' | 'failed') => {
		if (!job) return;
		sendStepCallbacks(services, job, state).catch((error: unknown) => logger.error({ err: error, jobId: job.id }, 'could not queue the step callbacks'));
	};
	worker.on('completed', (job) => announce(job, 'completed'));
	worker.on('failed', (job) => {
		// 'failed' also fires for a try that will be retried; only the last one ends the job.
		void job?.getState().then((state) => state === 'failed' && announce(job, 'failed'));
	});
	worker.on('stalled', (jobId) => logger.warn({ jobId }, 'job stalled: its worker stopped renewing the lock; it runs again'));
	// A lock this worker could not renew is another run's now: its work here stops (model calls
	// closed, test runs killed), so the same step never runs twice at once.
	worker.on('lockRenewalFailed', (jobIds) => {
		for (const jobId of jobIds) inFlight.get(jobId)?.abort(new LockLostError(jobId));
	});
	logger.info({ concurrency: config.concurrency, llmSlots: config.ollamaNumParallel, lockDurationMs: config.lockDurationMs }, 'worker started');
	return {
		worker,
		async stop(graceMs: number) {
			const closing = worker.close();
			const timer = setTimeout(() => {
				if (inFlight.size) logger.info({ jobs: [...inFlight.keys()] }, 'grace period over: handing jobs back');
				for (const controller of inFlight.values()) controller.abort(new Error('the worker is shutting down'));
			}, graceMs);
			try {
				await closing;
			} finally {
				clearTimeout(timer);
			}
		},
	};
}

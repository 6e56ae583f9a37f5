import { Worker } from 'bullmq';

import { QUEUE_NAME, queuePrefix } from '../queue/jobQueue';
import type { Services } from '../service/services';
import { processJob, type InFlight } from './processJob';

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
	});
	worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
	worker.on('stalled', (jobId) => logger.warn({ jobId }, 'job stalled: its worker stopped renewing the lock; it runs again'));
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

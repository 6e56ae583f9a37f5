import type { BackoffStrategy } from 'bullmq';

/**
 * The backoff type of every job (JobQueue.add): exponential from JOB_BACKOFF_MS, as BullMQ's own
 * `exponential`, and never shorter than the wait the failure asked for (a model server's 429 with
 * Retry-After). A custom type, as BullMQ calls the worker's backoffStrategy only for those.
 */
export const JOB_BACKOFF_TYPE = 'exponentialOrRetryAfter';

/** A try that failed transiently; `retryAfterMs` is how long the server asked to wait (its Retry-After), if it said. */
export class RetryLaterError extends Error {
	constructor(
		message: string,
		readonly retryAfterMs?: number,
	) {
		super(message);
	}
}

/** The wait before the next try: JOB_BACKOFF_MS doubled per try made, or the server's Retry-After when that is longer. */
export function jobBackoffDelay(attemptsMade: number, baseDelayMs: number, retryAfterMs?: number): number {
	const exponential = Math.round(2 ** Math.max(0, attemptsMade - 1) * baseDelayMs);
	return Math.max(exponential, retryAfterMs ?? 0);
}

/** The Worker's `settings.backoffStrategy` for JOB_BACKOFF_TYPE. */
export const jobBackoffStrategy: BackoffStrategy = (attemptsMade, _type, error, job) => {
	const backoff = job?.opts.backoff;
	const baseDelayMs = typeof backoff === 'number' ? backoff : (backoff?.delay ?? 0);
	return jobBackoffDelay(attemptsMade, baseDelayMs, error instanceof RetryLaterError ? error.retryAfterMs : undefined);
};

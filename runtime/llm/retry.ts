import { LlmError } from './errors';

export interface RetryPolicy {
	/** Extra attempts after the first, for transient errors only. */
	retries: number;
	/** First wait; doubles each time, with jitter, up to maxDelayMs. */
	baseDelayMs: number;
	maxDelayMs: number;
}

/**
 * Runs `attempt` again on transient LLM errors (unreachable, 5xx/503, 429, timeout) with exponential
 * backoff, waiting at least the server's Retry-After when it gave one.
 * `deadline` gives the time (epoch ms) the whole call must end by, or undefined for none: a retry
 * whose wait would end after it is not made, and the last error is thrown at once.
 */
export async function withRetry<T>(
	attempt: (attemptNumber: number) => Promise<T>,
	policy: RetryPolicy,
	signal?: AbortSignal,
	deadline: () => number | undefined = () => undefined,
): Promise<T> {
	for (let attemptNumber = 1; ; attemptNumber++) {
		try {
			return await attempt(attemptNumber);
		} catch (error) {
			const transient = error instanceof LlmError && error.retryable;
			if (!transient || attemptNumber > policy.retries || signal?.aborted) throw error;
			// A server that said how long to wait (429's Retry-After) is given at least that.
			const delay = Math.max(backoffDelay(attemptNumber, policy), error.retryAfterMs ?? 0);
			const until = deadline();
			if (until !== undefined && Date.now() + delay >= until) throw error;
			await sleep(delay, signal);
			// Cancelled while waiting: no further attempt.
			if (signal?.aborted) {
				throw new LlmError('cancelled', `The execution was cancelled while waiting to retry after: ${error.message}`, {
					model: error.model,
					baseUrl: error.baseUrl,
					cause: error,
				});
			}
		}
	}
}

export function backoffDelay(attemptNumber: number, policy: RetryPolicy): number {
	const exponential = policy.baseDelayMs * 2 ** (attemptNumber - 1);
	const jitter = 0.8 + Math.random() * 0.4;
	return Math.min(policy.maxDelayMs, Math.round(exponential * jitter));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		const timer = setTimeout(done, ms);
		function done() {
			clearTimeout(timer);
			signal?.removeEventListener('abort', done);
			resolve();
		}
		signal?.addEventListener('abort', done, { once: true });
	});
}

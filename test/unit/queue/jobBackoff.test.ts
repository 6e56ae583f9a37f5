import { describeFailure } from '../../../runtime/failures';
import { LlmError } from '../../../runtime/llm/errors';
import { jobBackoffDelay, jobBackoffStrategy, RetryLaterError } from '../../../runtime/queue/jobBackoff';

// A job's next try after a transient failure waits JOB_BACKOFF_MS doubled per try, as BullMQ's
// exponential backoff does, but never less than the Retry-After the model server sent.

describe('the wait before a job is tried again', () => {
	it('doubles JOB_BACKOFF_MS with each try, like BullMQ\'s exponential backoff', () => {
		expect([1, 2, 3, 4].map((tries) => jobBackoffDelay(tries, 5000))).toEqual([5000, 10_000, 20_000, 40_000]);
	});

	it("is the server's Retry-After when that is longer, the backoff when that is", () => {
		expect(jobBackoffDelay(1, 5000, 30_000)).toBe(30_000);
		expect(jobBackoffDelay(3, 5000, 2000)).toBe(20_000);
	});

	it('reads the Retry-After from the error the job failed with and the base delay from the job', () => {
		const job = { opts: { backoff: { type: 'exponentialOrRetryAfter', delay: 100 } } } as Parameters<typeof jobBackoffStrategy>[3];
		expect(jobBackoffStrategy(1, 'exponentialOrRetryAfter', new RetryLaterError('{}', 7000), job)).toBe(7000);
		expect(jobBackoffStrategy(2, 'exponentialOrRetryAfter', new RetryLaterError('{}'), job)).toBe(200);
		expect(jobBackoffStrategy(2, 'exponentialOrRetryAfter', new Error('other'), job)).toBe(200);
	});
});

describe("a failure's Retry-After", () => {
	it('is kept from a rate-limited model call', () => {
		const limited = new LlmError('rate_limited', 'The OpenAI-compatible server is limiting our rate with HTTP 429', { status: 429, retryAfterMs: 12_000, provider: 'openai' });
		expect(describeFailure(limited)).toMatchObject({ kind: 'rate_limited', retryable: true, retryAfterMs: 12_000 });
	});

	it('is left out when the server named none, and for failures that are not tried again', () => {
		expect(describeFailure(new LlmError('rate_limited', 'limited', { status: 429 }))).not.toHaveProperty('retryAfterMs');
		expect(describeFailure(new LlmError('auth_failed', 'refused', { status: 401, retryAfterMs: 5000 }))).not.toHaveProperty('retryAfterMs');
	});
});

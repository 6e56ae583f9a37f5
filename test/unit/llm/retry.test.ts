import { LlmError, LlmOutputError, type LlmErrorCode } from '../../../runtime/llm/errors';
import { DEFAULT_RETRY_POLICY } from '../../../runtime/config/defaults';
import { backoffDelay, withRetry, type RetryPolicy } from '../../../runtime/llm/retry';

const fast: RetryPolicy = { retries: 3, baseDelayMs: 5, maxDelayMs: 50 };

/** An attempt function that fails with the given errors in order, then returns `value`. */
function failing<T>(errors: unknown[], value: T) {
	const calls: number[] = [];
	const attempt = jest.fn(async (n: number) => {
		calls.push(n);
		const error = errors[calls.length - 1];
		if (error !== undefined) throw error;
		return value;
	});
	return { attempt, calls };
}

describe('withRetry', () => {
	it('returns the first result without retrying when the attempt succeeds', async () => {
		const { attempt, calls } = failing([], 'ok');
		await expect(withRetry(attempt, fast)).resolves.toBe('ok');
		expect(calls).toEqual([1]);
	});

	it.each<LlmErrorCode>(['unreachable', 'server_error', 'timeout'])('retries a transient %s error and returns the later success', async (code) => {
		const { attempt, calls } = failing([new LlmError(code, 'transient'), new LlmError(code, 'transient')], 'ok');
		await expect(withRetry(attempt, fast)).resolves.toBe('ok');
		expect(calls).toEqual([1, 2, 3]);
	});

	it('gives up after retries + 1 attempts and throws the last error', async () => {
		const errors = [1, 2, 3, 4, 5].map((n) => new LlmError('server_error', `busy ${n}`));
		const { attempt, calls } = failing(errors, 'never');
		await expect(withRetry(attempt, { retries: 2, baseDelayMs: 1, maxDelayMs: 5 })).rejects.toBe(errors[2]);
		expect(calls).toEqual([1, 2, 3]);
	});

	it('makes exactly one attempt when retries is 0', async () => {
		const error = new LlmError('unreachable', 'down');
		const { attempt, calls } = failing([error], 'never');
		await expect(withRetry(attempt, { retries: 0, baseDelayMs: 1, maxDelayMs: 1 })).rejects.toBe(error);
		expect(calls).toEqual([1]);
	});

	it.each<LlmErrorCode>(['model_not_found', 'auth_failed', 'bad_request', 'cancelled'])(
		'does not retry a permanent %s error',
		async (code) => {
			const error = new LlmError(code, 'permanent');
			const { attempt, calls } = failing([error], 'never');
			await expect(withRetry(attempt, fast)).rejects.toBe(error);
			expect(calls).toEqual([1]);
		},
	);

	it('does not retry invalid model output (LlmOutputError)', async () => {
		const error = new LlmOutputError('m', '{', ['broken'], 1);
		const { attempt, calls } = failing([error], 'never');
		await expect(withRetry(attempt, fast)).rejects.toBe(error);
		expect(calls).toEqual([1]);
	});

	it('does not retry errors that are not LlmErrors', async () => {
		const error = new TypeError('a bug in our code');
		const { attempt, calls } = failing([error], 'never');
		await expect(withRetry(attempt, fast)).rejects.toBe(error);
		expect(calls).toEqual([1]);
	});

	it('waits between attempts, about twice as long each time', async () => {
		const policy: RetryPolicy = { retries: 2, baseDelayMs: 40, maxDelayMs: 10_000 };
		const times: number[] = [];
		const attempt = async () => {
			times.push(Date.now());
			if (times.length < 3) throw new LlmError('server_error', 'busy');
			return 'ok';
		};
		await withRetry(attempt, policy);
		const [first, second] = [times[1] - times[0], times[2] - times[1]];
		// Jitter is ±20 %: 32-48 ms, then 64-96 ms (timers may fire a little late, never early).
		expect(first).toBeGreaterThanOrEqual(31);
		expect(first).toBeLessThan(48 + 200);
		expect(second).toBeGreaterThanOrEqual(63);
		expect(second).toBeLessThan(96 + 200);
	});

	it('does not retry when the signal is already aborted', async () => {
		const controller = new AbortController();
		controller.abort();
		const error = new LlmError('server_error', 'busy');
		const { attempt, calls } = failing([error], 'never');
		await expect(withRetry(attempt, fast, controller.signal)).rejects.toBe(error);
		expect(calls).toEqual([1]);
	});

	it('stops waiting at once when cancelled during the backoff, without another attempt', async () => {
		const controller = new AbortController();
		const busy = new LlmError('server_error', 'busy', { model: 'm', baseUrl: 'http://x' });
		const { attempt, calls } = failing([busy], 'never');
		const started = Date.now();
		setTimeout(() => controller.abort(), 30);
		const error = await withRetry(attempt, { retries: 3, baseDelayMs: 5_000, maxDelayMs: 5_000 }, controller.signal).catch((e: unknown) => e);
		expect(Date.now() - started).toBeLessThan(1_000);
		expect(calls).toEqual([1]);
		expect(error).toBeInstanceOf(LlmError);
		expect((error as LlmError).code).toBe('cancelled');
		expect((error as LlmError).retryable).toBe(false);
		expect((error as LlmError).cause).toBe(busy);
		expect((error as LlmError).message).toContain('busy');
	});
});

describe('withRetry with a deadline', () => {
	it('does not start a retry whose wait would end after the deadline, and throws the last error at once', async () => {
		const busy = new LlmError('server_error', 'busy');
		const { attempt, calls } = failing([busy, busy], 'ok');
		const started = Date.now();
		await expect(withRetry(attempt, { retries: 3, baseDelayMs: 1_000, maxDelayMs: 1_000 }, undefined, () => started + 500)).rejects.toBe(busy);
		expect(calls).toEqual([1]);
		expect(Date.now() - started).toBeLessThan(200);
	});

	it('retries while the wait fits before the deadline', async () => {
		const busy = new LlmError('server_error', 'busy');
		const { attempt, calls } = failing([busy, busy], 'ok');
		const started = Date.now();
		await expect(withRetry(attempt, fast, undefined, () => started + 10_000)).resolves.toBe('ok');
		expect(calls).toEqual([1, 2, 3]);
	});

	it('retries as before without a deadline (undefined)', async () => {
		const busy = new LlmError('timeout', 'slow');
		const { attempt, calls } = failing([busy], 'ok');
		await expect(withRetry(attempt, fast, undefined, () => undefined)).resolves.toBe('ok');
		expect(calls).toEqual([1, 2]);
	});
});

describe('backoffDelay', () => {
	afterEach(() => jest.restoreAllMocks());

	it('doubles from baseDelayMs with attempt number, within ±20 % jitter', () => {
		const policy: RetryPolicy = { retries: 5, baseDelayMs: 100, maxDelayMs: 100_000 };
		for (let i = 0; i < 50; i++) {
			const first = backoffDelay(1, policy);
			const third = backoffDelay(3, policy);
			expect(first).toBeGreaterThanOrEqual(80);
			expect(first).toBeLessThanOrEqual(120);
			expect(third).toBeGreaterThanOrEqual(320);
			expect(third).toBeLessThanOrEqual(480);
		}
	});

	it('uses the lowest and highest jitter at the ends of Math.random', () => {
		const policy: RetryPolicy = { retries: 5, baseDelayMs: 100, maxDelayMs: 100_000 };
		jest.spyOn(Math, 'random').mockReturnValue(0);
		expect(backoffDelay(2, policy)).toBe(160);
		jest.spyOn(Math, 'random').mockReturnValue(0.999999);
		expect(backoffDelay(2, policy)).toBe(240);
	});

	it('never waits longer than maxDelayMs', () => {
		jest.spyOn(Math, 'random').mockReturnValue(0.999999);
		expect(backoffDelay(10, { retries: 10, baseDelayMs: 1_000, maxDelayMs: 30_000 })).toBe(30_000);
	});

	it('defaults to 2 retries starting at 1 s, capped at 30 s', () => {
		expect(DEFAULT_RETRY_POLICY).toEqual({ retries: 2, baseDelayMs: 1000, maxDelayMs: 30_000 });
	});
});

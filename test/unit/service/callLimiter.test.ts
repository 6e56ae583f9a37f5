import { CallLimiter } from '../../../runtime/llm/callLimiter';

/** A promise the test settles by hand. */
interface Deferred<T> {
	promise: Promise<T>;
	resolve(value: T): void;
	reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
	let resolve!: (value: T) => void;
	let reject!: (error: unknown) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Calls whose bodies the test finishes one by one, recording which started and how many ran at once. */
class ControlledCalls {
	readonly started: number[] = [];
	maxInFlight = 0;
	private inFlight = 0;
	private readonly bodies = new Map<number, Deferred<number>>();

	call(n: number): () => Promise<number> {
		return async () => {
			this.started.push(n);
			this.inFlight++;
			this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
			const body = deferred<number>();
			this.bodies.set(n, body);
			try {
				return await body.promise;
			} finally {
				this.inFlight--;
			}
		};
	}

	finish(n: number): void {
		const body = this.bodies.get(n);
		if (!body) throw new Error(`call ${n} has not started`);
		body.resolve(n);
	}

	fail(n: number, error: Error): void {
		const body = this.bodies.get(n);
		if (!body) throw new Error(`call ${n} has not started`);
		body.reject(error);
	}
}

describe('CallLimiter', () => {
	it('never has more than `slots` calls in flight, and runs them all', async () => {
		const limiter = new CallLimiter(3);
		const calls = new ControlledCalls();
		const results = Array.from({ length: 10 }, (_, n) => limiter.run(calls.call(n)));
		await settle();
		expect(calls.started).toEqual([0, 1, 2]);
		expect(limiter.inFlight).toBe(3);
		expect(limiter.queued).toBe(7);

		// Finish whatever is running, oldest first, until all ten are done.
		for (let n = 0; n < 10; n++) {
			calls.finish(n);
			await settle();
			expect(limiter.inFlight).toBeLessThanOrEqual(3);
		}

		expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		expect(calls.maxInFlight).toBe(3);
		expect(limiter.inFlight).toBe(0);
		expect(limiter.queued).toBe(0);
	});

	it('starts waiting calls in the order they arrived', async () => {
		const limiter = new CallLimiter(1);
		const calls = new ControlledCalls();
		const results = [0, 1, 2, 3].map((n) => limiter.run(calls.call(n)));
		await settle();
		expect(calls.started).toEqual([0]);

		calls.finish(0);
		await settle();
		expect(calls.started).toEqual([0, 1]);
		calls.finish(1);
		await settle();
		calls.finish(2);
		await settle();
		calls.finish(3);
		await Promise.all(results);
		expect(calls.started).toEqual([0, 1, 2, 3]);
	});

	it('queues a call arriving as a slot frees behind the calls already waiting', async () => {
		const limiter = new CallLimiter(1);
		const calls = new ControlledCalls();
		const first = limiter.run(calls.call(0));
		const waiting = limiter.run(calls.call(1));
		await settle();
		calls.finish(0);
		// A call arriving right as the slot frees must queue behind the one already waiting.
		const late = limiter.run(calls.call(2));
		await settle();
		expect(calls.started).toEqual([0, 1]);
		calls.finish(1);
		await settle();
		calls.finish(2);
		await Promise.all([first, waiting, late]);
		expect(calls.started).toEqual([0, 1, 2]);
	});

	it('rejects a waiting call whose signal aborts, without running it', async () => {
		const limiter = new CallLimiter(1);
		const calls = new ControlledCalls();
		const running = limiter.run(calls.call(0));
		const controller = new AbortController();
		const aborted = limiter.run(calls.call(1), controller.signal);
		await settle();
		expect(limiter.queued).toBe(1);

		const reason = new Error('job cancelled');
		controller.abort(reason);
		await expect(aborted).rejects.toBe(reason);
		expect(limiter.queued).toBe(0);
		expect(limiter.inFlight).toBe(1);

		calls.finish(0);
		await running;
		expect(calls.started).toEqual([0]);
		expect(limiter.inFlight).toBe(0);
	});

	it('frees no slot it did not hold when a waiting call aborts', async () => {
		const limiter = new CallLimiter(1);
		const calls = new ControlledCalls();
		const running = limiter.run(calls.call(0));
		const controller = new AbortController();
		const aborted = limiter.run(calls.call(1), controller.signal);
		const next = limiter.run(calls.call(2));
		await settle();

		controller.abort();
		await expect(aborted).rejects.toBeDefined();
		await settle();
		// The slot is still call 0's: call 2 keeps waiting.
		expect(calls.started).toEqual([0]);
		expect(limiter.inFlight).toBe(1);
		expect(limiter.queued).toBe(1);

		calls.finish(0);
		await settle();
		expect(calls.started).toEqual([0, 2]);
		calls.finish(2);
		await Promise.all([running, next]);
		expect(calls.maxInFlight).toBe(1);
	});

	it('ignores an abort that comes after the call got its slot', async () => {
		const limiter = new CallLimiter(1);
		const calls = new ControlledCalls();
		const first = limiter.run(calls.call(0));
		const controller = new AbortController();
		const second = limiter.run(calls.call(1), controller.signal);
		await settle();
		calls.finish(0);
		await settle();
		expect(calls.started).toEqual([0, 1]);

		controller.abort();
		calls.finish(1);
		await expect(second).resolves.toBe(1);
		await first;
		expect(limiter.inFlight).toBe(0);
	});

	it('releases the slot of a call that fails, and passes its error on', async () => {
		const limiter = new CallLimiter(1);
		const calls = new ControlledCalls();
		const failing = limiter.run(calls.call(0));
		const next = limiter.run(calls.call(1));
		await settle();

		const error = new Error('model server said 500');
		calls.fail(0, error);
		await expect(failing).rejects.toBe(error);
		await settle();
		expect(calls.started).toEqual([0, 1]);
		calls.finish(1);
		await expect(next).resolves.toBe(1);
		expect(limiter.inFlight).toBe(0);
	});

	it('releases the slot of a call that throws before returning a promise', async () => {
		const limiter = new CallLimiter(1);
		await expect(
			limiter.run(() => {
				throw new Error('bad request');
			}),
		).rejects.toThrow('bad request');
		expect(limiter.inFlight).toBe(0);
		await expect(limiter.run(async () => 'after')).resolves.toBe('after');
	});

	it.each([0, 1.5, -1, Number.NaN])('refuses %p slots', (slots) => {
		expect(() => new CallLimiter(slots)).toThrow(RangeError);
	});

	it('accepts a single slot', () => {
		expect(new CallLimiter(1).slots).toBe(1);
	});
});

describe('a call whose signal was aborted before it asked for a slot', () => {
	it('is refused at once with the abort reason, whether or not a slot is free, and never runs', async () => {
		const limiter = new CallLimiter(1);
		const reason = new Error('cancelled before asking');
		const signal = AbortSignal.abort(reason);
		let ran = 0;
		await expect(limiter.run(async () => ran++, signal)).rejects.toBe(reason);
		const holder = deferred<void>();
		const held = limiter.run(() => holder.promise);
		await expect(limiter.run(async () => ran++, signal)).rejects.toBe(reason);
		expect(limiter.queued).toBe(0);
		holder.resolve();
		await held;
		expect(ran).toBe(0);
		expect(limiter.inFlight).toBe(0);
	});
});

describe('fair share between owners (projects)', () => {
	it('gives a freed slot to a waiting owner with no call in flight before the busy owner\'s next call', async () => {
		const limiter = new CallLimiter(2);
		const calls = new ControlledCalls();
		// The large project fills both slots and queues three more calls; a small one arrives after.
		const large = [0, 1, 2, 3, 4].map((n) => limiter.run(calls.call(n), undefined, 'large'));
		const small = limiter.run(calls.call(10), undefined, 'small');
		await settle();
		expect(calls.started).toEqual([0, 1]);

		calls.finish(0);
		await settle();
		expect(calls.started).toEqual([0, 1, 10]);

		// With one call each in flight, the large project's waiting calls go on, oldest first.
		calls.finish(10);
		await settle();
		expect(calls.started).toEqual([0, 1, 10, 2]);
		for (const n of [1, 2, 3, 4]) {
			calls.finish(n);
			await settle();
		}
		await Promise.all([...large, small]);
		expect(calls.started).toEqual([0, 1, 10, 2, 3, 4]);
		expect(calls.maxInFlight).toBe(2);
	});

	it('among owners with as many calls in flight, starts the call that waited longest', async () => {
		const limiter = new CallLimiter(1);
		const calls = new ControlledCalls();
		const first = limiter.run(calls.call(0), undefined, 'a');
		const waiting = [limiter.run(calls.call(1), undefined, 'b'), limiter.run(calls.call(2), undefined, 'c'), limiter.run(calls.call(3), undefined, 'b')];
		await settle();
		for (const n of [0, 1, 2, 3]) {
			calls.finish(n);
			await settle();
		}
		await Promise.all([first, ...waiting]);
		expect(calls.started).toEqual([0, 1, 2, 3]);
	});

	it('with one slot, lets owners take turns: the owner served longest ago (or never) goes next', async () => {
		const limiter = new CallLimiter(1);
		const calls = new ControlledCalls();
		const all = [0, 1, 2].map((n) => limiter.run(calls.call(n), undefined, 'large'));
		await settle();
		all.push(limiter.run(calls.call(10), undefined, 'small'), limiter.run(calls.call(11), undefined, 'small'));
		for (const n of [0, 10, 1, 11, 2]) {
			await settle();
			calls.finish(n);
		}
		await Promise.all(all);
		expect(calls.started).toEqual([0, 10, 1, 11, 2]);
	});

	it('forgets an owner once its calls are done, and counts a failed call as done', async () => {
		const limiter = new CallLimiter(1);
		const calls = new ControlledCalls();
		const failing = limiter.run(calls.call(0), undefined, 'a');
		const next = [limiter.run(calls.call(1), undefined, 'b'), limiter.run(calls.call(2), undefined, 'a')];
		await settle();
		calls.fail(0, new Error('model server down'));
		await expect(failing).rejects.toThrow('model server down');
		await settle();
		// 'a' has nothing in flight after its failure: its waiting call is as entitled as b's, and b's waited longer.
		expect(calls.started).toEqual([0, 1]);
		calls.finish(1);
		await settle();
		calls.finish(2);
		await Promise.all(next);
		expect(calls.started).toEqual([0, 1, 2]);
		expect(limiter.inFlight).toBe(0);
	});
});

/**
 * At most `slots` model calls in flight, shared by every job of a worker process: a local model
 * server answers `OLLAMA_NUM_PARALLEL` requests at a time and queues (then refuses with 503) the
 * rest, so more calls would only wait there, holding their job's time limit.
 */
export class CallLimiter {
	private active = 0;
	private readonly waiting: Array<() => void> = [];

	constructor(readonly slots: number) {
		if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`slots must be a whole number of at least 1, got ${slots}`);
	}

	get inFlight(): number {
		return this.active;
	}

	get queued(): number {
		return this.waiting.length;
	}

	async run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
		await this.acquire(signal);
		try {
			return await call();
		} finally {
			this.release();
		}
	}

	private acquire(signal?: AbortSignal): Promise<void> {
		if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
		if (this.active < this.slots) {
			this.active++;
			return Promise.resolve();
		}
		return new Promise((resolve, reject) => {
			const grant = () => {
				signal?.removeEventListener('abort', abandon);
				this.active++;
				resolve();
			};
			const abandon = () => {
				const at = this.waiting.indexOf(grant);
				if (at >= 0) this.waiting.splice(at, 1);
				reject(signal?.reason ?? new Error('aborted'));
			};
			signal?.addEventListener('abort', abandon, { once: true });
			this.waiting.push(grant);
		});
	}

	private release(): void {
		this.active--;
		this.waiting.shift()?.();
	}
}

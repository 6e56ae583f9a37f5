/**
 * At most `slots` calls in flight, shared by every job of a worker process. For model calls: a
 * local model server answers `OLLAMA_NUM_PARALLEL` requests at a time and queues (then refuses
 * with 503) the rest, so more calls would only wait there, holding their job's time limit. The
 * same limiter bounds test runs, which are CPU work (`SANDBOX_PARALLEL`).
 *
 * Fair between owners (a call's `owner`, the project): a freed slot goes to the waiting call whose
 * owner has the fewest calls in flight, the oldest first among those, so a small project posted
 * behind a large one gets its share of the slots at once instead of after the large one's queue.
 * Calls of one owner start in the order they arrived.
 */
export class CallLimiter {
	private active = 0;
	private readonly waiting: Array<{ owner: string; grant: () => void }> = [];
	private readonly activeByOwner = new Map<string, number>();

	constructor(readonly slots: number) {
		if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`slots must be a whole number of at least 1, got ${slots}`);
	}

	get inFlight(): number {
		return this.active;
	}

	get queued(): number {
		return this.waiting.length;
	}

	async run<T>(call: () => Promise<T>, signal?: AbortSignal, owner = ''): Promise<T> {
		await this.acquire(signal, owner);
		try {
			return await call();
		} finally {
			this.release(owner);
		}
	}

	private take(owner: string): void {
		this.active++;
		this.activeByOwner.set(owner, (this.activeByOwner.get(owner) ?? 0) + 1);
	}

	private acquire(signal: AbortSignal | undefined, owner: string): Promise<void> {
		if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
		if (this.active < this.slots) {
			this.take(owner);
			return Promise.resolve();
		}
		return new Promise((resolve, reject) => {
			const entry = {
				owner,
				grant: () => {
					signal?.removeEventListener('abort', abandon);
					this.take(owner);
					resolve();
				},
			};
			const abandon = () => {
				const at = this.waiting.indexOf(entry);
				if (at >= 0) this.waiting.splice(at, 1);
				reject(signal?.reason ?? new Error('aborted'));
			};
			signal?.addEventListener('abort', abandon, { once: true });
			this.waiting.push(entry);
		});
	}

	private release(owner: string): void {
		this.active--;
		const left = (this.activeByOwner.get(owner) ?? 1) - 1;
		if (left > 0) this.activeByOwner.set(owner, left);
		else this.activeByOwner.delete(owner);
		const next = this.nextWaiting();
		if (next < 0) return;
		const [entry] = this.waiting.splice(next, 1);
		entry.grant();
	}

	/** The oldest waiting call among those whose owner has the fewest calls in flight; -1 when none waits. */
	private nextWaiting(): number {
		let best = -1;
		let fewest = Infinity;
		for (let i = 0; i < this.waiting.length; i++) {
			const inFlight = this.activeByOwner.get(this.waiting[i].owner) ?? 0;
			if (inFlight < fewest) {
				best = i;
				fewest = inFlight;
			}
		}
		return best;
	}
}

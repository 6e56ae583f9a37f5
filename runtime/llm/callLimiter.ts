/**
 * At most `slots` calls in flight, shared by every job of a worker process. For model calls: a
 * local model server answers `OLLAMA_NUM_PARALLEL` requests at a time and queues (then refuses
 * with 503) the rest, so more calls would only wait there, holding their job's time limit. The
 * same limiter bounds test runs, which are CPU work (`SANDBOX_PARALLEL`).
 *
 * Fair between owners (a call's `owner`, the project): a freed slot goes to the waiting call whose
 * owner has the fewest calls in flight; among those, to the owner served longest ago (or never),
 * then to the oldest call. So a small project posted behind a large one gets its share of the
 * slots at once instead of after the large one's queue, and owners take turns when slots are few.
 * Calls of one owner start in the order they arrived.
 */
export class CallLimiter {
	private active = 0;
	private readonly waiting: Array<{ owner: string; grant: () => void }> = [];
	private readonly activeByOwner = new Map<string, number>();
	/** When each owner with calls in flight or waiting last got a slot (a running count). */
	private readonly lastServed = new Map<string, number>();
	private grants = 0;

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
		this.lastServed.set(owner, ++this.grants);
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
		if (next >= 0) this.waiting.splice(next, 1)[0].grant();
		// An owner with nothing going and nothing waiting is forgotten: back later, it is served as new.
		if (!this.activeByOwner.has(owner) && !this.waiting.some((entry) => entry.owner === owner)) this.lastServed.delete(owner);
	}

	/** The waiting call to start next (see the class comment); -1 when none waits. */
	private nextWaiting(): number {
		let best = -1;
		let bestKey: [number, number] = [Infinity, Infinity];
		for (let i = 0; i < this.waiting.length; i++) {
			const { owner } = this.waiting[i];
			const key: [number, number] = [this.activeByOwner.get(owner) ?? 0, this.lastServed.get(owner) ?? 0];
			if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
				best = i;
				bestKey = key;
			}
		}
		return best;
	}
}

import type { Redis } from 'ioredis';

import { AiCompanyError } from '../errors';
import type { StoreKeys } from '../state/keys';

/** Why a project's running jobs were stopped. */
export type StopReason = 'cancelled' | 'deleted';

export interface ProjectStop {
	/** Aborted, with a ProjectStoppedError as its reason, once the project is cancelled or deleted. */
	signal: AbortSignal;
	/** Stops watching for this job (the project is still watched while another job of it runs). */
	release(): void;
}

/**
 * The reason a stopped job's signal carries: its project was cancelled or deleted while it ran.
 * Its kind is the stopped job's: cancelled, never retried.
 */
export class ProjectStoppedError extends AiCompanyError {
	constructor(
		readonly projectId: string,
		readonly reason: StopReason,
	) {
		super(`project "${projectId}" was ${reason} while the job ran`);
		this.name = 'ProjectStoppedError';
	}

	get kind(): string {
		return 'cancelled';
	}

	get httpStatus(): number {
		return 409;
	}

	get retryable(): boolean {
		return false;
	}
}

interface Watched {
	controller: AbortController;
	jobs: number;
}

export const DEFAULT_STOP_CHECK_MS = 1000;

/**
 * Stops a project's running jobs soon after it is cancelled or deleted, in the middle of a model
 * call or a test run: a local model's call can take minutes and holds one of its few slots, which
 * the other clients' projects are waiting for. Checked by polling, once per interval for all the
 * projects with a job in this process (two commands each, in one round trip), so a cancel through
 * any API process or n8n node is seen without a message channel that a restart could lose.
 */
export class ProjectStops {
	private readonly watched = new Map<string, Watched>();
	private timer: NodeJS.Timeout | undefined;
	private checking = false;

	constructor(
		private readonly redis: Redis,
		private readonly keys: StoreKeys,
		private readonly intervalMs = DEFAULT_STOP_CHECK_MS,
	) {}

	watch(projectId: string): ProjectStop {
		let entry = this.watched.get(projectId);
		if (!entry || entry.controller.signal.aborted) {
			entry = { controller: new AbortController(), jobs: 0 };
			this.watched.set(projectId, entry);
		}
		entry.jobs++;
		this.schedule();
		const watched = entry;
		let released = false;
		return {
			signal: watched.controller.signal,
			release: () => {
				if (released) return;
				released = true;
				watched.jobs--;
				if (watched.jobs === 0 && this.watched.get(projectId) === watched) this.watched.delete(projectId);
				if (this.watched.size === 0) this.stopTimer();
			},
		};
	}

	/** Stops the polling (at shutdown); jobs still watched keep their signals. */
	close(): void {
		this.watched.clear();
		this.stopTimer();
	}

	/** One check of every watched project now; the timer calls it every interval. */
	async check(): Promise<void> {
		if (this.checking) return;
		this.checking = true;
		try {
			const ids = [...this.watched.keys()];
			if (ids.length === 0) return;
			const batch = this.redis.pipeline();
			for (const id of ids) batch.zscore(this.keys.statusIndex('cancelled'), id).exists(this.keys.project(id));
			const replies = (await batch.exec()) ?? [];
			ids.forEach((id, index) => {
				const [cancelledError, cancelled] = replies[2 * index] ?? [];
				const [existsError, exists] = replies[2 * index + 1] ?? [];
				// A failed read stops nothing: the next check tries again.
				if (cancelledError || existsError) return;
				const reason: StopReason | undefined = exists === 0 ? 'deleted' : cancelled !== null ? 'cancelled' : undefined;
				const entry = this.watched.get(id);
				if (reason && entry && !entry.controller.signal.aborted) entry.controller.abort(new ProjectStoppedError(id, reason));
			});
		} catch {
			// Redis unreachable: the jobs go on; their own store calls wait for it.
		} finally {
			this.checking = false;
		}
	}

	private schedule(): void {
		if (this.timer) return;
		this.timer = setInterval(() => void this.check(), this.intervalMs);
		this.timer.unref();
	}

	private stopTimer(): void {
		clearInterval(this.timer);
		this.timer = undefined;
	}
}

import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Where a job's time goes: waiting for and in model calls, test runs in the sandbox, git. What is
 * left of a job's duration is the service's own work (queue, store, bookkeeping). Kept in an
 * async-local record, so the sandbox, git and the model client time themselves without every step
 * passing a timer along; outside a timed job they only run.
 */
export type Phase = 'llm' | 'sandbox' | 'git';

export type PhaseTimes = Record<`${Phase}Ms`, number>;

const current = new AsyncLocalStorage<PhaseTimes>();

/** Runs `work` with a fresh record of its phase times; the record fills while it runs. */
export function withPhaseTimes<T>(work: () => Promise<T>): { times: PhaseTimes; done: Promise<T> } {
	const times: PhaseTimes = { llmMs: 0, sandboxMs: 0, gitMs: 0 };
	return { times, done: current.run(times, work) };
}

/** Adds the time `work` takes to `phase` of the job it runs in (phases that overlap add up). */
export async function timePhase<T>(phase: Phase, work: () => Promise<T>): Promise<T> {
	const times = current.getStore();
	if (!times) return work();
	const started = performance.now();
	try {
		return await work();
	} finally {
		times[`${phase}Ms`] += performance.now() - started;
	}
}

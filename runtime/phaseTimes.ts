import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Where a job's time goes: waiting for and in model calls, test runs in the sandbox (waiting for
 * a test slot included), git. What is left of a job's duration is the service's own work (queue,
 * store, bookkeeping). Kept in an async-local record, so the sandbox, git and the model client
 * time themselves without every step passing a timer along; outside a timed job they only run.
 */
export type Phase = 'llm' | 'sandbox' | 'git';

export type PhaseTimes = Record<`${Phase}Ms`, number>;

interface JobPhases {
	times: PhaseTimes;
	/** Calls of each phase in flight, and since when the phase has had one. */
	open: Map<Phase, { calls: number; since: number }>;
}

const current = new AsyncLocalStorage<JobPhases>();

/** Runs `work` with a fresh record of its phase times; the record fills while it runs. */
export function withPhaseTimes<T>(work: () => Promise<T>): { times: PhaseTimes; done: Promise<T> } {
	const phases: JobPhases = { times: { llmMs: 0, sandboxMs: 0, gitMs: 0 }, open: new Map() };
	return { times: phases.times, done: current.run(phases, work) };
}

/**
 * Adds the time `work` takes to `phase` of the job it runs in. Calls of one phase that overlap
 * (nested, or side by side) count their time once: the phase's time is how long it had a call going.
 */
export async function timePhase<T>(phase: Phase, work: () => Promise<T>): Promise<T> {
	const phases = current.getStore();
	if (!phases) return work();
	const open = phases.open.get(phase) ?? { calls: 0, since: 0 };
	if (open.calls++ === 0) open.since = performance.now();
	phases.open.set(phase, open);
	try {
		return await work();
	} finally {
		if (--open.calls === 0) phases.times[`${phase}Ms`] += performance.now() - open.since;
	}
}

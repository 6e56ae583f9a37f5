import type { JobName } from '../contracts/service';

// Job ids are derived from what the job works on, so the same request sent twice (a client's retry,
// two workers deciding the same next step) finds the job already queued instead of adding it again.
// BullMQ refuses ":" in custom ids; task ids come from a model, so they are encoded.

function part(value: string | number): string {
	const text = String(value);
	try {
		return encodeURIComponent(text).replace(/[.~]/g, (c) => (c === '.' ? '%2E' : '%7E'));
	} catch {
		// A lone surrogate ("\ud800" is valid JSON from a model): spelled as UTF-16 hex after a "~",
		// which the encoding above always escapes, so the two never meet.
		return `~${Buffer.from(text, 'utf16le').toString('hex')}`;
	}
}

export function jobId(name: JobName, projectId: string, ...rest: Array<string | number>): string {
	return [name, part(projectId), ...rest.map(part)].join('.');
}

export const jobIds = {
	/** One plan per project and retry round. */
	plan: (projectId: string, round: number) => jobId('plan', projectId, round),
	/** A developer turn: one per task attempt. */
	develop: (projectId: string, taskId: string, attempt: number) => jobId('develop', projectId, taskId, attempt),
	/** A test run finishes an attempt: one per task attempt. */
	test: (projectId: string, taskId: string, attempt: number) => jobId('test', projectId, taskId, attempt),
	/** A whole task in auto mode, per retry round. */
	task: (projectId: string, taskId: string, round: number) => jobId('task', projectId, taskId, round),
	/** Publishing the project as it stands at a version. */
	publish: (projectId: string, version: number) => jobId('publish', projectId, version),
	/** A progress report on the project as it stands at a version: the same state, the same report. */
	report: (projectId: string, version: number) => jobId('report', projectId, version),
	/** Deciding what comes next for the project at a version. */
	advance: (projectId: string, version: number) => jobId('advance', projectId, version),
	callback: (projectId: string, what: string) => jobId('callback', projectId, what),
};

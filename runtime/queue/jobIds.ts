import { JOB_NAMES, type JobName } from '../contracts/service';

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
	/** One plan per project and retry round, and one more per request for changes to the plan (`changeRequests` > 0). */
	plan: (projectId: string, round: number, changeRequests = 0) => (changeRequests ? jobId('plan', projectId, round, changeRequests) : jobId('plan', projectId, round)),
	/** A developer turn: one per task attempt. */
	develop: (projectId: string, taskId: string, attempt: number) => jobId('develop', projectId, taskId, attempt),
	/** A test run finishes an attempt: one per task attempt. */
	test: (projectId: string, taskId: string, attempt: number) => jobId('test', projectId, taskId, attempt),
	/** A review finishes an attempt whose tests passed: one per task attempt. */
	review: (projectId: string, taskId: string, attempt: number) => jobId('review', projectId, taskId, attempt),
	/** The whole project's review (its `review` status in auto mode): one per retry round. */
	projectReview: (projectId: string, round: number) => jobId('review', projectId, round),
	/** A whole task in auto mode, per retry round. */
	task: (projectId: string, taskId: string, round: number) => jobId('task', projectId, taskId, round),
	/** Packaging the finished project and proving it from a clean clone, as it stands at a version. */
	package: (projectId: string, version: number) => jobId('package', projectId, version),
	/** Publishing the project as it stands at a version. */
	publish: (projectId: string, version: number) => jobId('publish', projectId, version),
	/** A progress report on the project as it stands at a version: the same state, the same report. */
	report: (projectId: string, version: number) => jobId('report', projectId, version),
	/** Deciding what comes next for the project at a version. */
	advance: (projectId: string, version: number) => jobId('advance', projectId, version),
	callback: (projectId: string, what: string) => jobId('callback', projectId, what),
};

/** What follows the project in each job's id: `text` a part() of a name, `number` a round, attempt or version. */
type Shape = ReadonlyArray<'text' | 'number'>;
/** Job names whose ids come in more shapes than one: a task's review and the whole project's; a plan and a plan after a request for changes. */
const MORE_SHAPES: Partial<Record<JobName, Shape[]>> = { review: [['number']], plan: [['number', 'number']] };
const SHAPES: Record<JobName, Shape> = {
	plan: ['number'],
	develop: ['text', 'number'],
	test: ['text', 'number'],
	review: ['text', 'number'],
	task: ['text', 'number'],
	package: ['number'],
	publish: ['number'],
	report: ['number'],
	advance: ['number'],
	callback: ['text'],
};
/** What part() makes: encodeURIComponent's output with "." and "~" escaped, or "~" and UTF-16 hex. */
const TEXT = /^(?:(?:[A-Za-z0-9_!'()*-]|%[0-9A-F]{2})+|~(?:[0-9a-f]{4})+)$/;
const NUMBER = /^\d+$/;

/**
 * Whether `id` has the shape of an id the builders above make (`<jobName>.<projectId>.<parts>`).
 * Anything else (`meta`, `id`, `events`: BullMQ's own keys beside the jobs) is no job of ours.
 */
export function isJobId(id: string): boolean {
	const [name, project, ...rest] = id.split('.');
	if (!(JOB_NAMES as readonly string[]).includes(name) || project === undefined || !TEXT.test(project)) return false;
	const shapes = [SHAPES[name as JobName], ...(MORE_SHAPES[name as JobName] ?? [])];
	return shapes.some((shape) => rest.length === shape.length && rest.every((value, i) => (shape[i] === 'number' ? NUMBER : TEXT).test(value)));
}

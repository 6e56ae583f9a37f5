import { APPROVAL_DECISIONS, APPROVAL_LIMITS, type ApprovalDecision } from '../contracts/approval';
import { MAX_JSON_DEPTH, type StoreLimits } from '../contracts/limits';
import { filePathProblem } from '../contracts/paths';
import { planSchema, type Plan } from '../contracts/plan';
import {
	PROJECT_STATUSES,
	deliverySchema,
	newProjectEventSchema,
	repositoryInfoSchema,
	taskResultSchema,
	taskWorkSchema,
	type Delivery,
	type ProducedFile,
	type NewProjectEvent,
	type ProjectStatus,
	type RepositoryInfo,
	type TaskResult,
	type TaskWork,
} from '../contracts/project';
import { storedReviewSchema, type StoredReview } from '../contracts/review';
import { schemaProblems } from '../contracts/schemaValidator';
import { MAX_MODEL_REFERENCE_LENGTH, llmUsageSchema, type LlmUsage } from '../contracts/usage';
import { InvalidInputError } from '../errors';
import { taskGraphProblems } from '../planning/taskGraph';

// Every check here runs before the store reads or writes anything, so a refused call changes nothing.

// The same ids the AI Planner accepts; no ":" so an id can never reach into another key.
const PROJECT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const ROLE_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;
const STREAM_ID_PATTERN = /^[0-9]+(-[0-9]+)?$/;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * How many levels of objects and arrays the data a caller stores may nest, the checked field's own
 * value (the plan, the result, ...) being the first. Real plans, results and reports stay far
 * below it; much deeper data (a model's runaway output, a crafted request) would overflow the
 * stack of JSON.stringify and of anything else that walks it recursively.
 */
export const MAX_INPUT_DEPTH = MAX_JSON_DEPTH;
/** How many values (objects, arrays, strings, numbers, ...) one input may hold in all. */
export const MAX_INPUT_VALUES = 1_000_000;
// Keys that reach an object's prototype once code copies the data with `target[key] = value`.
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function checkProjectId(value: unknown): string {
	if (typeof value !== 'string' || !PROJECT_ID_PATTERN.test(value)) {
		throw new InvalidInputError(
			'projectId',
			`must be 1-128 letters, digits, ".", "_" or "-" starting with a letter or digit, got ${JSON.stringify(value)}`,
		);
	}
	return value;
}

export function checkTaskId(value: unknown): string {
	if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
		throw new InvalidInputError('taskId', `must be a task id of the plan (1-200 characters), got ${JSON.stringify(value)}`);
	}
	return value;
}

export function checkStatus(value: unknown): ProjectStatus {
	if (!PROJECT_STATUSES.includes(value as ProjectStatus)) {
		throw new InvalidInputError('status', `must be one of ${PROJECT_STATUSES.join(', ')}; got ${JSON.stringify(value)}`);
	}
	return value as ProjectStatus;
}

export function checkIdempotencyKey(value: unknown): string {
	if (typeof value !== 'string' || value.length > 200 || !VISIBLE_ASCII.test(value)) {
		throw new InvalidInputError('idempotencyKey', `must be 1-200 visible ASCII characters without spaces, got ${JSON.stringify(value)}`);
	}
	return value;
}

export function checkExpectedVersion(value: unknown): number | undefined {
	if (value === undefined) return undefined;
	if (!Number.isSafeInteger(value) || (value as number) < 1) {
		throw new InvalidInputError('expectedVersion', `must be a whole number from 1, got ${JSON.stringify(value)}`);
	}
	return value as number;
}

export function checkSource(value: unknown): string {
	if (typeof value !== 'string' || value.trim() === '' || value.length > 200) {
		throw new InvalidInputError('source', `must be 1-200 characters naming who made the change, e.g. "worker", got ${JSON.stringify(value)}`);
	}
	return value;
}

export function checkReason(value: unknown, limits: StoreLimits): string | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'string') throw new InvalidInputError('reason', `must be text, got ${JSON.stringify(value)}`);
	checkLength('reason', value, limits.maxReasonLength);
	return value;
}

/** A decision on a plan awaiting approval and its comment (empty or blank: none), which a request for changes needs. */
export function checkApprovalDecision(decision: unknown, comment: unknown): { decision: ApprovalDecision; comment?: string } {
	if (!APPROVAL_DECISIONS.includes(decision as ApprovalDecision)) {
		throw new InvalidInputError('decision', `must be one of ${APPROVAL_DECISIONS.join(', ')}; got ${JSON.stringify(decision)}`);
	}
	if (comment !== undefined && typeof comment !== 'string') throw new InvalidInputError('comment', `must be text, got ${JSON.stringify(comment)}`);
	if (comment !== undefined) checkLength('comment', comment, APPROVAL_LIMITS.maxCommentLength);
	const given = comment?.trim() ? comment : undefined;
	if (decision === 'request_changes' && given === undefined) throw new InvalidInputError('comment', 'is needed to request changes: say what the plan should change');
	return given === undefined ? { decision: decision as ApprovalDecision } : { decision: decision as ApprovalDecision, comment: given };
}

export function checkPlan(value: unknown): Plan {
	checkJsonInput('plan', value);
	const problems = schemaProblems(planSchema, value);
	if (problems.length) throw new InvalidInputError('plan', problems.join('; '));
	const plan = value as Plan;
	plan.tasks.forEach((task, i) => {
		if (PROTOTYPE_KEYS.has(task.id)) throw new InvalidInputError(`plan.tasks[${i}].id`, `"${task.id}" is not allowed: task ids become keys of the project's tasks`);
	});
	// Tasks are stored by id, so duplicates would overwrite each other; unknown dependencies and
	// cycles would leave tasks that can never start.
	const graphProblems = taskGraphProblems(plan.tasks);
	if (graphProblems.length) throw new InvalidInputError('plan.tasks', graphProblems.join('; '));
	return plan;
}

export function checkTaskResult(value: unknown, limits: StoreLimits): TaskResult {
	checkJsonInput('result', value);
	const problems = schemaProblems(taskResultSchema, value);
	if (problems.length) throw new InvalidInputError('result', problems.join('; '));
	const result = value as TaskResult;
	checkFileList('result.files', result.files, limits);
	checkFileList('result.testFiles', result.testFiles, limits);
	if (result.testReport) checkBytes('result.testReport', JSON.stringify(result.testReport), limits.maxTestReportBytes);
	if (result.error !== undefined) checkLength('result.error', result.error, limits.maxErrorLength);
	return result;
}

export function checkTaskWork(value: unknown, limits: StoreLimits): TaskWork {
	checkJsonInput('work', value);
	const problems = schemaProblems(taskWorkSchema, value);
	if (problems.length) throw new InvalidInputError('work', problems.join('; '));
	const work = value as TaskWork;
	checkFileList('work.files', work.files, limits);
	checkFileList('work.testFiles', work.testFiles, limits);
	if (work.testReport) checkBytes('work.testReport', JSON.stringify(work.testReport), limits.maxTestReportBytes);
	return work;
}

function checkFileList(field: string, files: ProducedFile[] | undefined, limits: StoreLimits): void {
	const seen = new Set<string>();
	(files ?? []).forEach((file, i) => {
		const at = `${field}[${i}]`;
		// The same rules as for writing files: what the store accepts can always be materialised.
		const pathProblem = filePathProblem(file.path);
		if (pathProblem) throw new InvalidInputError(`${at}.path`, pathProblem);
		if (seen.has(file.path)) throw new InvalidInputError(`${at}.path`, `"${file.path}" appears twice in this list`);
		seen.add(file.path);
		checkBytes(`${at}.content`, file.content, limits.maxFileBytes);
	});
}

/** A review to store on a task or the project: the stored shape, its comments' paths safe, its texts within the store's limits. */
export function checkReview(value: unknown, limits: StoreLimits): StoredReview {
	checkJsonInput('review', value);
	const problems = schemaProblems(storedReviewSchema, value);
	if (problems.length) throw new InvalidInputError('review', problems.join('; '));
	const review = value as StoredReview;
	review.comments.forEach((comment, i) => {
		const pathProblem = filePathProblem(comment.path);
		if (pathProblem) throw new InvalidInputError(`review.comments[${i}].path`, pathProblem);
	});
	checkBytes('review', JSON.stringify(review), limits.maxTestReportBytes);
	return review;
}

export function checkReviewOutcome(value: unknown): 'done' | 'failed' | 'keep' {
	if (value !== 'done' && value !== 'failed' && value !== 'keep') throw new InvalidInputError('outcome', `must be done, failed or keep, got ${JSON.stringify(value)}`);
	return value;
}

export function checkUsage(role: unknown, usage: unknown): { role: string; usage: LlmUsage } {
	if (typeof role !== 'string' || !ROLE_PATTERN.test(role)) {
		throw new InvalidInputError('role', `must be an agent role like "planner" or "developer" (lowercase letters, digits, "_", "-"), got ${JSON.stringify(role)}`);
	}
	if (PROTOTYPE_KEYS.has(role)) throw new InvalidInputError('role', `"${role}" is not allowed: roles become keys of usage.byRole`);
	// First, so NaN and Infinity are named by field (the schema would only say "usage").
	checkJsonInput('usage', usage);
	const problems = schemaProblems(llmUsageSchema, usage);
	if (problems.length) throw new InvalidInputError('usage', problems.join('; '));
	return { role, usage: usage as LlmUsage };
}

/** The most one metering may cost, in USD: far above any real call, low enough that sums stay exact to a millionth. */
const MAX_METERED_COST = 1_000_000;

/** The model, cost and report a usage is metered with (all optional); a model becomes a key of usage.byModel. */
export function checkUsageMeter(meter: { model?: unknown; cost?: unknown; reportOf?: unknown }): { model?: string; cost?: number; reportOf?: number } {
	const { model, cost, reportOf } = meter;
	if (model !== undefined) {
		if (typeof model !== 'string' || model.trim() === '' || model.length > MAX_MODEL_REFERENCE_LENGTH || /[\x00-\x1f\x7f]/.test(model)) {
			throw new InvalidInputError('model', `must be a model reference of 1-${MAX_MODEL_REFERENCE_LENGTH} characters without control characters, got ${JSON.stringify(model)}`);
		}
		if (PROTOTYPE_KEYS.has(model)) throw new InvalidInputError('model', `"${model}" is not allowed: models become keys of usage.byModel`);
	}
	if (cost !== undefined && (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0 || cost > MAX_METERED_COST)) {
		throw new InvalidInputError('cost', `must be a number of US dollars from 0 to ${MAX_METERED_COST}, got ${JSON.stringify(cost)}`);
	}
	if (reportOf !== undefined && (!Number.isSafeInteger(reportOf) || (reportOf as number) < 1)) {
		throw new InvalidInputError('reportOf', `must be a project version (a whole number from 1), got ${JSON.stringify(reportOf)}`);
	}
	return {
		...(model === undefined ? {} : { model: model as string }),
		...(cost === undefined ? {} : { cost: cost as number }),
		...(reportOf === undefined ? {} : { reportOf: reportOf as number }),
	};
}

export function checkRepository(value: unknown): RepositoryInfo | null {
	if (value === null) return null;
	checkJsonInput('repository', value);
	const problems = schemaProblems(repositoryInfoSchema, value);
	if (problems.length) throw new InvalidInputError('repository', problems.join('; '));
	return value as RepositoryInfo;
}

export function checkDelivery(value: unknown, limits: StoreLimits): Delivery | null {
	if (value === null) return null;
	checkJsonInput('delivery', value);
	const problems = schemaProblems(deliverySchema, value);
	if (problems.length) throw new InvalidInputError('delivery', problems.join('; '));
	const delivery = value as Delivery;
	checkFileList('delivery.files', delivery.files, limits);
	return delivery;
}

export function checkNewEvent(value: unknown, limits: StoreLimits): NewProjectEvent {
	checkJsonInput('event', value);
	const problems = schemaProblems(newProjectEventSchema, value);
	if (problems.length) throw new InvalidInputError('event', problems.join('; '));
	const event = value as NewProjectEvent;
	if (event.data) checkBytes('event.data', JSON.stringify(event.data), limits.maxEventDataBytes);
	return event;
}

export function checkEventsQuery(query: { after?: unknown; count?: unknown }): { after?: string; count: number } {
	const { after, count = 100 } = query;
	if (after !== undefined && (typeof after !== 'string' || !STREAM_ID_PATTERN.test(after))) {
		throw new InvalidInputError('after', `must be an event id like "1718000000000-0", got ${JSON.stringify(after)}`);
	}
	checkWholeNumber('count', count, 1, 1000);
	return { after: after as string | undefined, count: count as number };
}

export function checkPage(query: { offset?: unknown; limit?: unknown }): { offset: number; limit: number } {
	const { offset = 0, limit = 50 } = query;
	checkWholeNumber('offset', offset, 0, Number.MAX_SAFE_INTEGER);
	checkWholeNumber('limit', limit, 1, 500);
	return { offset: offset as number, limit: limit as number };
}

export function checkLength(field: string, text: string, max: number): void {
	if (text.length > max) throw new InvalidInputError(field, `is ${text.length} characters long; the limit is ${max}`);
}

export function checkBytes(field: string, text: string, max: number): void {
	const bytes = Buffer.byteLength(text, 'utf8');
	if (bytes > max) throw new InvalidInputError(field, `is ${bytes} bytes; the limit is ${max}`);
}

/**
 * Walks data a caller wants stored, before anything else looks at it (and without recursion, so
 * no depth can overflow the stack here), and refuses, naming the field (`plan.tasks[2]: key
 * "__proto__" is not allowed`, `plan.tasks[0].estimateHours: must be a finite number`): nesting
 * deeper than MAX_INPUT_DEPTH, more than MAX_INPUT_VALUES values, keys that reach a prototype
 * (`__proto__`, `constructor`, `prototype`), numbers JSON cannot hold (NaN, Infinity, and 1e400,
 * which JSON.parse turns into Infinity: JSON.stringify would store them as null), and BigInts.
 * Too deep is named by the field and three levels below it (`plan.tasks[0].extra`).
 */
export function checkJsonInput(field: string, value: unknown): void {
	interface Item {
		value: unknown;
		depth: number;
		at: Path;
	}
	const stack: Item[] = [{ value, depth: 0, at: { name: field } }];
	let count = 0;
	for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
		const { value: v, depth, at } = item;
		if (++count > MAX_INPUT_VALUES) throw new InvalidInputError(field, `holds more than ${MAX_INPUT_VALUES} values`);
		if (typeof v === 'number' && !Number.isFinite(v)) throw new InvalidInputError(pathText(at), `must be a finite number, got ${String(v)}`);
		if (typeof v === 'bigint') throw new InvalidInputError(pathText(at), `must be a JSON number, got the BigInt ${String(v)}`);
		if (typeof v !== 'object' || v === null) continue;
		if (depth >= MAX_INPUT_DEPTH) {
			throw new InvalidInputError(pathText(at, 3), `is nested more than ${MAX_INPUT_DEPTH} levels deep (at ${pathText(at, 8)}…)`);
		}
		if (Array.isArray(v)) {
			for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth: depth + 1, at: { parent: at, name: `[${i}]` } });
			continue;
		}
		const keys = Object.keys(v);
		const bad = keys.find((key) => PROTOTYPE_KEYS.has(key));
		if (bad !== undefined) throw new InvalidInputError(pathText(at), `key "${bad}" is not allowed`);
		for (let i = keys.length - 1; i >= 0; i--) {
			const key = keys[i];
			const name = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
			stack.push({ value: (v as Record<string, unknown>)[key], depth: depth + 1, at: { parent: at, name } });
		}
	}
}

/** Where a value sits in the input, as a chain up to the field checked; joined only for an error. */
interface Path {
	parent?: Path;
	name: string;
}

/** `plan.tasks[2].estimateHours`; with `levels`, only the field and that many levels below it. */
function pathText(at: Path, levels = Infinity): string {
	const names: string[] = [];
	for (let p: Path | undefined = at; p !== undefined; p = p.parent) names.push(p.name);
	names.reverse();
	return names.slice(0, levels + 1).join('');
}

function checkWholeNumber(field: string, value: unknown, min: number, max: number): void {
	if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
		throw new InvalidInputError(field, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
	}
}


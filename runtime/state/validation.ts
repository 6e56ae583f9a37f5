import { planSchema, type Plan } from '../contracts/plan';
import {
	PROJECT_STATUSES,
	llmUsageSchema,
	newProjectEventSchema,
	repositoryInfoSchema,
	taskResultSchema,
	taskWorkSchema,
	type ProducedFile,
	type NewProjectEvent,
	type ProjectStatus,
	type RepositoryInfo,
	type TaskResult,
	type TaskWork,
} from '../contracts/project';
import type { LlmUsage } from '../contracts/usage';
import { InvalidInputError } from '../errors';
import { schemaProblems } from '../llm/schemaValidator';
import { taskGraphProblems } from '../planning/taskGraph';
import { checkFilePath } from '../workspace/paths';
import type { StoreLimits } from './limits';

// Every check here runs before the store reads or writes anything, so a refused call changes nothing.

// The same ids the AI Planner accepts; no ":" so an id can never reach into another key.
const PROJECT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const ROLE_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;
const STREAM_ID_PATTERN = /^[0-9]+(-[0-9]+)?$/;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

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

export function checkPlan(value: unknown): Plan {
	const problems = schemaProblems(planSchema, value);
	if (problems.length) throw new InvalidInputError('plan', problems.join('; '));
	const plan = value as Plan;
	// Tasks are stored by id, so duplicates would overwrite each other; unknown dependencies and
	// cycles would leave tasks that can never start.
	const graphProblems = taskGraphProblems(plan.tasks);
	if (graphProblems.length) throw new InvalidInputError('plan.tasks', graphProblems.join('; '));
	return plan;
}

export function checkTaskResult(value: unknown, limits: StoreLimits): TaskResult {
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
		checkFilePath(file.path, `${at}.path`);
		if (seen.has(file.path)) throw new InvalidInputError(`${at}.path`, `"${file.path}" appears twice in this list`);
		seen.add(file.path);
		checkBytes(`${at}.content`, file.content, limits.maxFileBytes);
	});
}

export function checkUsage(role: unknown, usage: unknown): { role: string; usage: LlmUsage } {
	if (typeof role !== 'string' || !ROLE_PATTERN.test(role)) {
		throw new InvalidInputError('role', `must be an agent role like "planner" or "developer" (lowercase letters, digits, "_", "-"), got ${JSON.stringify(role)}`);
	}
	const problems = schemaProblems(llmUsageSchema, usage);
	if (problems.length) throw new InvalidInputError('usage', problems.join('; '));
	const bad = Object.entries(usage as LlmUsage).find(([, n]) => !Number.isFinite(n));
	if (bad) throw new InvalidInputError(`usage.${bad[0]}`, `must be a finite number, got ${String(bad[1])}`);
	return { role, usage: usage as LlmUsage };
}

export function checkRepository(value: unknown): RepositoryInfo | null {
	if (value === null) return null;
	const problems = schemaProblems(repositoryInfoSchema, value);
	if (problems.length) throw new InvalidInputError('repository', problems.join('; '));
	return value as RepositoryInfo;
}

export function checkNewEvent(value: unknown, limits: StoreLimits): NewProjectEvent {
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

function checkWholeNumber(field: string, value: unknown, min: number, max: number): void {
	if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
		throw new InvalidInputError(field, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
	}
}

// Files are written into a workspace later: a path must stay inside it on every platform.

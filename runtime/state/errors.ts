import { AiCompanyError } from '../errors';

// Bad input (a malformed field, an oversized file) is runtime/errors.ts's InvalidInputError; the
// classes here are the store's own refusals, each carrying what a caller needs to react without
// parsing the message: the node shows it, the worker decides whether to retry, the API picks 404/409.

/** No project with this id (never created, or deleted). */
export class ProjectNotFoundError extends AiCompanyError {
	readonly projectId: string;

	constructor(projectId: string) {
		super(`Project "${projectId}" not found`);
		this.name = 'ProjectNotFoundError';
		this.projectId = projectId;
	}

	get kind(): string {
		return 'not_found';
	}

	get httpStatus(): number {
		return 404;
	}

	get retryable(): boolean {
		return false;
	}
}

/** The project has no task with this id: its plan does not list it, or no plan was set yet. */
export class TaskNotFoundError extends AiCompanyError {
	readonly projectId: string;
	readonly taskId: string;

	constructor(projectId: string, taskId: string) {
		super(`Project "${projectId}" has no task "${taskId}"`);
		this.name = 'TaskNotFoundError';
		this.projectId = projectId;
		this.taskId = taskId;
	}

	get kind(): string {
		return 'not_found';
	}

	get httpStatus(): number {
		return 404;
	}

	get retryable(): boolean {
		return false;
	}
}

/** A status change the lifecycle does not allow, for the project or one of its tasks. */
export class InvalidTransitionError extends AiCompanyError {
	readonly projectId: string;
	/** Set when the refused change was a task's. */
	readonly taskId?: string;
	readonly from: string;
	readonly to: string;

	constructor(projectId: string, from: string, to: string, taskId?: string) {
		const subject = taskId === undefined ? `Project "${projectId}"` : `Task "${taskId}" of project "${projectId}"`;
		super(`${subject} cannot go from "${from}" to "${to}"`);
		this.name = 'InvalidTransitionError';
		this.projectId = projectId;
		this.taskId = taskId;
		this.from = from;
		this.to = to;
	}

	get kind(): string {
		return 'conflict';
	}

	get httpStatus(): number {
		return 409;
	}

	get retryable(): boolean {
		return false;
	}
}

/** The caller's expectedVersion is stale: someone else changed the project since they read it. */
export class VersionConflictError extends AiCompanyError {
	readonly projectId: string;
	readonly expectedVersion: number;
	readonly actualVersion: number;

	constructor(projectId: string, expectedVersion: number, actualVersion: number) {
		super(`Project "${projectId}" is at version ${actualVersion}, expected version ${expectedVersion}: read it again and retry`);
		this.name = 'VersionConflictError';
		this.projectId = projectId;
		this.expectedVersion = expectedVersion;
		this.actualVersion = actualVersion;
	}

	get kind(): string {
		return 'version_conflict';
	}

	get httpStatus(): number {
		return 409;
	}

	get retryable(): boolean {
		return true;
	}
}

/**
 * So many writers changed the project at once that an update lost the race every time it tried.
 * Nothing was written; retrying later is safe.
 */
export class UpdateContentionError extends AiCompanyError {
	readonly projectId: string;
	readonly attempts: number;

	constructor(projectId: string, attempts: number) {
		super(`Project "${projectId}" kept changing under ${attempts} update attempts; nothing was written, try again`);
		this.name = 'UpdateContentionError';
		this.projectId = projectId;
		this.attempts = attempts;
	}

	get kind(): string {
		return 'busy';
	}

	get httpStatus(): number {
		return 503;
	}

	get retryable(): boolean {
		return true;
	}
}

/** The first connection to Redis failed. Says where it tried (never the password) and why. */
export class RedisUnavailableError extends AiCompanyError {
	readonly address: string;

	constructor(address: string, cause: unknown) {
		// Not instanceof: socket errors can come from another realm (a vm context such as Jest's).
		const message = (cause as { message?: unknown } | null)?.message;
		const why = typeof message === 'string' ? message : String(cause);
		super(`Cannot reach Redis at ${address}: ${why}`, { cause });
		this.name = 'RedisUnavailableError';
		this.address = address;
	}

	get kind(): string {
		return 'busy';
	}

	get httpStatus(): number {
		return 503;
	}

	get retryable(): boolean {
		return true;
	}
}

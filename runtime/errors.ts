/**
 * The base of every error the runtime reports: each one says itself what it means to the rest of
 * the service, so runtime/failures.ts reads it instead of knowing every class. `kind` is the error
 * answer's `error` (and the job failure's `kind`), `httpStatus` the API's status, `retryable`
 * whether the same work may pass if tried again later (BullMQ backoff), `field` the input field
 * that was wrong, when one was. The traits are getters on the class (not own properties), so an
 * error logs and serialises as it did before it had them.
 */
export abstract class AiCompanyError extends Error {
	/** Stable, for clients and metrics: invalid_input, not_found, conflict, model_not_found, … */
	abstract get kind(): string;
	abstract get httpStatus(): number;
	/** Transient: the same work may pass later. Never true for bad input. */
	abstract get retryable(): boolean;
	/** The input field that was wrong, when one was. */
	declare readonly field?: string;
}

/**
 * Bad input from the operator or a client: never retried, always names the field, so the node
 * (NodeOperationError), the worker (permanent job failure) and the HTTP API (400) can all say
 * exactly what to change.
 */
export class InvalidInputError extends AiCompanyError {
	readonly field: string;

	constructor(field: string, problem: string) {
		super(`${field}: ${problem}`);
		this.name = 'InvalidInputError';
		this.field = field;
	}

	get kind(): string {
		return 'invalid_input';
	}

	get httpStatus(): number {
		return 400;
	}

	get retryable(): boolean {
		return false;
	}
}

/** A failure that may pass if the same work is tried again later (a receiver down or busy). */
export class TransientError extends AiCompanyError {
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'TransientError';
	}

	get kind(): string {
		return 'unavailable';
	}

	get httpStatus(): number {
		return 503;
	}

	get retryable(): boolean {
		return true;
	}
}

/**
 * The request conflicts with what is stored, and repeating it will not help: e.g. an idempotency
 * key that was used for a different request. Nothing was written.
 */
export class ConflictError extends AiCompanyError {
	readonly field: string;

	constructor(field: string, problem: string) {
		super(`${field}: ${problem}`);
		this.name = 'ConflictError';
		this.field = field;
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

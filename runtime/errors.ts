/**
 * Bad input from the operator or a client: never retried, always names the field, so the node
 * (NodeOperationError), the worker (permanent job failure) and the HTTP API (400) can all say
 * exactly what to change.
 */
export class InvalidInputError extends Error {
	readonly field: string;

	constructor(field: string, problem: string) {
		super(`${field}: ${problem}`);
		this.name = 'InvalidInputError';
		this.field = field;
	}
}

/** A failure that may pass if the same work is tried again later (a receiver down or busy). */
export class TransientError extends Error {
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'TransientError';
	}
}

/**
 * The request conflicts with what is stored, and repeating it will not help: e.g. an idempotency
 * key that was used for a different request. Nothing was written.
 */
export class ConflictError extends Error {
	readonly field: string;

	constructor(field: string, problem: string) {
		super(`${field}: ${problem}`);
		this.name = 'ConflictError';
		this.field = field;
	}
}

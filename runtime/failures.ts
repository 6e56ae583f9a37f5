import { AiCompanyError } from './errors';

/**
 * What any error of the runtime means to its callers: the HTTP status the API answers with, and
 * whether the worker should try the job again (BullMQ backoff) or fail it for good.
 */
export interface Failure {
	/** Stable, for clients and metrics: invalid_input, not_found, conflict, model_not_found, … */
	kind: string;
	httpStatus: number;
	retryable: boolean;
	message: string;
	/** The input field that was wrong, when one was. */
	field?: string;
	/** How long the server that failed asked to wait before the next try (a 429's Retry-After), in ms. */
	retryAfterMs?: number;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * The one place that maps errors to retry-or-not and an HTTP status. The runtime's own errors
 * (AiCompanyError) say it themselves; the rest are read here.
 */
export function describeFailure(error: unknown): Failure {
	const message = error instanceof Error ? error.message : String(error);
	if (error instanceof AiCompanyError) {
		const failure: Failure = { kind: error.kind, httpStatus: error.httpStatus, retryable: error.retryable, message };
		if (error.field !== undefined) failure.field = error.field;
		// The model client's errors keep the server's Retry-After: the job's next try waits at least that.
		const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
		if (error.retryable && typeof retryAfterMs === 'number' && retryAfterMs > 0) failure.retryAfterMs = retryAfterMs;
		return failure;
	}
	return foreignFailure(error, message);
}

/**
 * An error the runtime did not make. A socket that failed (a Node network code on the error, as
 * node:net and ioredis throw them) or an ioredis connection that closed is transient; the rest (a
 * bug, a library's own refusal) is internal and not retried. The model client's and the outbound
 * requests' foreign errors (ollama-js's ResponseError, undici's, an AbortError) are turned into
 * the runtime's own where they are caught (the model client's toLlmError, the callback job).
 */
function foreignFailure(error: unknown, message: string): Failure {
	const code = (error as { code?: unknown } | null)?.code;
	if ((typeof code === 'string' && NETWORK_CODES.has(code)) || /Connection is closed|Stream isn't writeable/.test(message)) {
		return { kind: 'unavailable', httpStatus: 503, retryable: true, message };
	}
	return { kind: 'internal', httpStatus: 500, retryable: false, message };
}

import { ConflictError, InvalidInputError, TransientError } from './errors';
import { LlmError } from './llm/errors';
import {
	InvalidTransitionError,
	ProjectNotFoundError,
	RedisUnavailableError,
	TaskNotFoundError,
	UpdateContentionError,
	VersionConflictError,
} from './state/errors';
import { GitError } from './workspace/git';
import { GitHubError } from './workspace/github';

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
}

const LLM: Record<LlmError['code'], Pick<Failure, 'httpStatus'>> = {
	model_not_found: { httpStatus: 422 },
	unreachable: { httpStatus: 503 },
	unauthorized: { httpStatus: 502 },
	server_error: { httpStatus: 503 },
	bad_request: { httpStatus: 502 },
	timeout: { httpStatus: 504 },
	cancelled: { httpStatus: 409 },
	invalid_output: { httpStatus: 422 },
	reply_too_large: { httpStatus: 422 },
	not_ollama: { httpStatus: 502 },
};

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** The one place that maps errors to retry-or-not and an HTTP status. */
export function describeFailure(error: unknown): Failure {
	const message = error instanceof Error ? error.message : String(error);
	if (error instanceof InvalidInputError) return { kind: 'invalid_input', httpStatus: 400, retryable: false, message, field: error.field };
	if (error instanceof TransientError) return { kind: 'unavailable', httpStatus: 503, retryable: true, message };
	if (error instanceof ConflictError) return { kind: 'conflict', httpStatus: 409, retryable: false, message, field: error.field };
	if (error instanceof ProjectNotFoundError || error instanceof TaskNotFoundError) return { kind: 'not_found', httpStatus: 404, retryable: false, message };
	if (error instanceof InvalidTransitionError) return { kind: 'conflict', httpStatus: 409, retryable: false, message };
	if (error instanceof VersionConflictError) return { kind: 'version_conflict', httpStatus: 409, retryable: true, message };
	if (error instanceof UpdateContentionError || error instanceof RedisUnavailableError) return { kind: 'busy', httpStatus: 503, retryable: true, message };
	if (error instanceof LlmError) return { kind: error.code, httpStatus: LLM[error.code].httpStatus, retryable: error.retryable, message };
	if (error instanceof GitHubError) {
		const transient = error.status === 0 || error.status >= 500 || error.status === 429;
		return { kind: 'github', httpStatus: 502, retryable: transient, message };
	}
	// A push can fail on a network blip; a refused credential or a bad remote will not get better.
	if (error instanceof GitError) return { kind: 'git', httpStatus: 502, retryable: !/refused the credentials|not found|does not appear/i.test(message), message };
	const code = (error as { code?: unknown } | null)?.code;
	if ((typeof code === 'string' && NETWORK_CODES.has(code)) || /Connection is closed|Stream isn't writeable/.test(message)) {
		return { kind: 'unavailable', httpStatus: 503, retryable: true, message };
	}
	return { kind: 'internal', httpStatus: 500, retryable: false, message };
}

import type { LlmUsage } from '../contracts/usage';
import { AiCompanyError } from '../errors';
import { excerpt } from './excerpt';

export type LlmErrorCode =
	/** The model is not on the server (HTTP 404): pull it or pick another. Permanent. */
	| 'model_not_found'
	/** Connection refused, DNS failure, reset: the server may come back. Transient. */
	| 'unreachable'
	/** 401/403 from the server or a proxy in front of it: the provider refused the credentials. Permanent. */
	| 'auth_failed'
	/** 429: the provider's rate limit; the retry waits at least its Retry-After. Transient. */
	| 'rate_limited'
	/** 5xx, including 503 "server busy" and Anthropic's 529 overloaded. Transient. */
	| 'server_error'
	/** Any other 4xx: the request itself is wrong. Permanent. */
	| 'bad_request'
	/** The operator's timeout ran out before the reply was complete. Transient. */
	| 'timeout'
	/** The execution was cancelled. Never retried. */
	| 'cancelled'
	/** The model answered, but not with valid JSON for the contract, even after repair. */
	| 'invalid_output'
	/** The reply grew past the byte limit (LlmSettings.maxReplyBytes); reading stopped there. Permanent. */
	| 'reply_too_large'
	/** Something answered at the Base URL, but not the Ollama API (a web page, another API). Permanent. */
	| 'not_ollama';

const TRANSIENT: ReadonlySet<LlmErrorCode> = new Set(['unreachable', 'server_error', 'timeout', 'rate_limited']);

/**
 * What the API answers a model failure with: the model's fault or the request's (a missing model,
 * unusable output) 422, the model server's 503 (down, busy) or 502 (refused us), a timeout 504, a
 * cancel 409.
 */
const HTTP_STATUS: Record<LlmErrorCode, number> = {
	model_not_found: 422,
	unreachable: 503,
	auth_failed: 502,
	rate_limited: 503,
	server_error: 503,
	bad_request: 502,
	timeout: 504,
	cancelled: 409,
	invalid_output: 422,
	reply_too_large: 422,
	not_ollama: 502,
};

export interface LlmErrorDetails {
	status?: number;
	model?: string;
	baseUrl?: string;
	/** The provider that answered (ollama, openai, anthropic). */
	provider?: string;
	/** How long the server asked us to wait before trying again (its Retry-After), in ms. */
	retryAfterMs?: number;
	cause?: unknown;
}

/** Every failure of the LLM call path; its code is its kind. `retryable` tells the retry loop and the worker what to do. */
export class LlmError extends AiCompanyError {
	readonly code: LlmErrorCode;
	/** The model server's HTTP status, when it answered (not the API's: that is httpStatus). */
	readonly status?: number;
	readonly model?: string;
	readonly baseUrl?: string;
	readonly provider?: string;
	/** The server's Retry-After in ms (a 429 or 503 that said how long to wait): a retry waits at least this. */
	readonly retryAfterMs?: number;

	constructor(code: LlmErrorCode, message: string, details: LlmErrorDetails = {}) {
		super(message, details.cause === undefined ? undefined : { cause: details.cause });
		this.name = 'LlmError';
		this.code = code;
		this.status = details.status;
		this.model = details.model;
		this.baseUrl = details.baseUrl;
		this.provider = details.provider;
		this.retryAfterMs = details.retryAfterMs;
	}

	get kind(): LlmErrorCode {
		return this.code;
	}

	get httpStatus(): number {
		return HTTP_STATUS[this.code];
	}

	get retryable(): boolean {
		return TRANSIENT.has(this.code);
	}
}

/** The model kept answering outside the contract. Keeps the raw reply so the operator can see it. */
export class LlmOutputError extends LlmError {
	readonly rawReply: string;
	readonly problems: string[];
	readonly attempts: number;
	/** What the failed attempts cost: they are paid for even though the output is unusable. */
	readonly usage?: LlmUsage;

	/** `rawReply` is kept as its head and tail only (see excerpt), however long it was. */
	constructor(model: string, rawReply: string, problems: string[], attempts: number, usage?: LlmUsage) {
		super(
			'invalid_output',
			`Model "${model}" did not return valid output after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${problems
				.slice(0, 3)
				.join('; ')}`,
			{ model },
		);
		this.name = 'LlmOutputError';
		this.rawReply = excerpt(rawReply);
		this.problems = problems;
		this.attempts = attempts;
		this.usage = usage;
	}
}

/** A reply larger than the limit: reading stopped there and the request was aborted. */
export class LlmReplyTooLargeError extends LlmError {
	/** The head and tail of what had arrived (see excerpt). */
	readonly rawReply: string;
	readonly limitBytes: number;

	constructor(message: string, details: Omit<LlmErrorDetails, 'status'> & { rawReply: string; limitBytes: number }) {
		super('reply_too_large', message, details);
		this.name = 'LlmReplyTooLargeError';
		this.rawReply = excerpt(details.rawReply);
		this.limitBytes = details.limitBytes;
	}
}

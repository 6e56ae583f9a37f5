import type { LlmUsage } from '../contracts/usage';

export type LlmErrorCode =
	/** The model is not on the server (HTTP 404): pull it or pick another. Permanent. */
	| 'model_not_found'
	/** Connection refused, DNS failure, reset: the server may come back. Transient. */
	| 'unreachable'
	/** 401/403 from the server or a proxy in front of it. Permanent. */
	| 'unauthorized'
	/** 5xx, including 503 "server busy". Transient. */
	| 'server_error'
	/** Any other 4xx: the request itself is wrong. Permanent. */
	| 'bad_request'
	/** The operator's timeout ran out before the reply was complete. Transient. */
	| 'timeout'
	/** The execution was cancelled. Never retried. */
	| 'cancelled'
	/** The model answered, but not with valid JSON for the contract, even after repair. */
	| 'invalid_output';

const TRANSIENT: ReadonlySet<LlmErrorCode> = new Set(['unreachable', 'server_error', 'timeout']);

export interface LlmErrorDetails {
	status?: number;
	model?: string;
	baseUrl?: string;
	cause?: unknown;
}

/** Every failure of the LLM call path. `retryable` tells the retry loop and the worker what to do. */
export class LlmError extends Error {
	readonly code: LlmErrorCode;
	readonly status?: number;
	readonly model?: string;
	readonly baseUrl?: string;

	constructor(code: LlmErrorCode, message: string, details: LlmErrorDetails = {}) {
		super(message, details.cause === undefined ? undefined : { cause: details.cause });
		this.name = 'LlmError';
		this.code = code;
		this.status = details.status;
		this.model = details.model;
		this.baseUrl = details.baseUrl;
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

	constructor(model: string, rawReply: string, problems: string[], attempts: number, usage?: LlmUsage) {
		super(
			'invalid_output',
			`Model "${model}" did not return valid output after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${problems
				.slice(0, 3)
				.join('; ')}`,
			{ model },
		);
		this.name = 'LlmOutputError';
		this.rawReply = rawReply;
		this.problems = problems;
		this.attempts = attempts;
		this.usage = usage;
	}
}

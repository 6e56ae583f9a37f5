import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import type { ErrorBody } from '../contracts/service';
import { describeFailure } from '../failures';

interface AjvIssue {
	instancePath: string;
	message?: string;
	params: Record<string, unknown>;
}

/** Turns ajv's first complaint into a dotted field name: `settings.maxFixAttempts`, `requirements`. */
export function fieldOf(issue: AjvIssue): string {
	const path = issue.instancePath.split('/').filter(Boolean);
	const missing = issue.params.missingProperty ?? issue.params.additionalProperty;
	if (typeof missing === 'string') path.push(missing);
	return path.join('.') || '(body)';
}

function validationMessage(issue: AjvIssue, field: string): string {
	if (issue.params.additionalProperty !== undefined) return `${field}: is not a field this endpoint takes`;
	if (issue.params.missingProperty !== undefined) return `${field}: is missing`;
	// An enum (e.g. settings.license): say which values it takes, not only that this one is not among them.
	if (Array.isArray(issue.params.allowedValues)) return `${field}: must be one of ${issue.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
	return `${field}: ${issue.message ?? 'is not valid'}`;
}

export function errorHandler(error: FastifyError & { validation?: AjvIssue[] }, request: FastifyRequest, reply: FastifyReply): void {
	if (error.validation?.length) {
		const field = fieldOf(error.validation[0]);
		reply.code(400).send({ error: 'invalid_input', message: validationMessage(error.validation[0], field), field } satisfies ErrorBody);
		return;
	}
	// fastify's own refusals (413 body too large, 415) carry their status.
	if (typeof error.statusCode === 'number' && error.statusCode < 500 && error.code?.startsWith('FST_')) {
		const kind = error.statusCode === 413 ? 'too_large' : error.statusCode === 415 ? 'unsupported_media_type' : 'bad_request';
		reply.code(error.statusCode).send({ error: kind, message: error.message } satisfies ErrorBody);
		return;
	}
	// @fastify/static's refusal of a path out of its folder ("..") carries 403 and no FST_ code.
	if (error.statusCode === 403) {
		reply.code(403).send({ error: 'forbidden', message: 'this path is not served' } satisfies ErrorBody);
		return;
	}
	const failure = describeFailure(error);
	if (failure.httpStatus >= 500) request.log.error({ err: error }, 'request failed');
	const body: ErrorBody = { error: failure.kind, message: failure.message };
	if (failure.field) body.field = failure.field;
	reply.code(failure.httpStatus).send(body);
}

import type { CallbackJobData } from '../../contracts/service';
import { InvalidInputError, TransientError } from '../../errors';
import { signatureHeaders } from '../../webhooks/signature';
import type { JobContext } from '../jobContext';

const TIMEOUT_MS = 15_000;

/**
 * Answers that mean "not yet" rather than "never": an n8n Wait node's resume URL answers 409 while
 * the execution is still on its way to the Wait node (a fast job can finish before that), and 404
 * until the execution is saved. Retried with the job's backoff, like 5xx, 429 and network errors.
 */
const NOT_YET = new Set([404, 409, 429]);

/**
 * One POST of a result to a callback, deploy hook or webhook URL. A webhook delivery whose
 * subscription was removed meanwhile is not sent; one whose subscription has a secret is signed
 * (with the secret it has when sent, so a renewed secret applies to retries too).
 */
export async function callbackJob(context: JobContext): Promise<Record<string, unknown>> {
	const { url, body, webhookId } = context.job.data as CallbackJobData;
	const subscription = webhookId === undefined ? undefined : await context.services.webhooks.stored(webhookId);
	if (subscription === null) return { url, skipped: 'unsubscribed' };
	const rawBody = JSON.stringify(body);
	let response: Response;
	try {
		response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'user-agent': 'ai-company-runtime', ...(subscription?.secret ? signatureHeaders(subscription.secret, rawBody) : {}) },
			body: rawBody,
			signal: AbortSignal.any([context.signal, AbortSignal.timeout(TIMEOUT_MS)]),
		});
	} catch (error) {
		throw new TransientError(`callback to ${url} failed: ${(error as Error).message}`);
	}
	await response.arrayBuffer().catch(() => undefined);
	if (response.status >= 500 || NOT_YET.has(response.status)) throw new TransientError(`callback to ${url} answered HTTP ${response.status}`);
	if (response.status >= 400) throw new InvalidInputError(webhookId === undefined ? 'callbackUrl' : 'url', `${url} refused the callback with HTTP ${response.status}`);
	return { url, status: response.status };
}

import { request, type Dispatcher } from 'undici';

import type { CallbackJobData } from '../../contracts/service';
import { InvalidInputError, TransientError } from '../../errors';
import { checkOutboundUrl, OutboundRefusedError } from '../../net/outboundPolicy';
import { outboundDispatcher, refusalIn } from '../../net/policyDispatcher';
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
 * The field the URL was registered as, read from what the job is (runtime/queue/jobIds.ts): a
 * webhook subscription's `url`, a project's `settings.deployHookUrl` (`deploy-<version>`) or
 * `settings.callbackUrl` (`<round>-<status>`), or a step request's `callbackUrl` (`job-…`).
 */
export function callbackFieldOf(jobId: string | undefined, data: Pick<CallbackJobData, 'webhookId'>): string {
	if (data.webhookId !== undefined) return 'url';
	const what = jobId?.split('.')[2] ?? '';
	if (what.startsWith('deploy-')) return 'settings.deployHookUrl';
	if (what.startsWith('job-')) return 'callbackUrl';
	return /^\d+-/.test(what) ? 'settings.callbackUrl' : 'callbackUrl';
}

/**
 * One POST of a result to a callback, deploy hook or webhook URL, through the outbound policy
 * (runtime/net): only where the operator allows, judged on the address really connected to, and
 * no redirect followed. A refused target fails the delivery for good (counted in
 * aic_outbound_refused_total). A webhook delivery whose subscription was removed meanwhile is not
 * sent; one whose subscription has a secret is signed (with the secret it has when sent, so a
 * renewed secret applies to retries too).
 */
export async function callbackJob(context: JobContext): Promise<Record<string, unknown>> {
	const data = context.job.data as CallbackJobData;
	const { url, body, webhookId } = data;
	const { config, metrics } = context.services;
	const field = callbackFieldOf(context.job.id, data);
	const subscription = webhookId === undefined ? undefined : await context.services.webhooks.stored(webhookId);
	if (subscription === null) return { url, skipped: 'unsubscribed' };
	const rawBody = JSON.stringify(body);
	let response: Dispatcher.ResponseData;
	try {
		// Stored before the policy, or before the operator narrowed it: judged again now.
		checkOutboundUrl(url, field, config.outboundAllow);
		response = await request(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'user-agent': 'ai-company-runtime', ...(subscription?.secret ? signatureHeaders(subscription.secret, rawBody) : {}) },
			body: rawBody,
			signal: AbortSignal.any([context.signal, AbortSignal.timeout(TIMEOUT_MS)]),
			dispatcher: outboundDispatcher(config.outboundAllow),
		});
	} catch (error) {
		const refused = refusalIn(error);
		if (refused) {
			metrics.outboundRefused.inc({ field });
			throw new OutboundRefusedError(field, url, refused.reason);
		}
		if (error instanceof InvalidInputError) throw error;
		throw new TransientError(`callback to ${url} failed: ${(error as Error).message}`);
	}
	await response.body.dump().catch(() => undefined);
	const status = response.statusCode;
	if (status >= 500 || NOT_YET.has(status)) throw new TransientError(`callback to ${url} answered HTTP ${status}`);
	if (status >= 400) throw new InvalidInputError(field, `${url} refused the callback with HTTP ${status}`);
	if (status >= 300) {
		const location = response.headers.location;
		throw new InvalidInputError(field, `${url} answered HTTP ${status}${location ? ` (a redirect to ${String(location)})` : ''}: the service follows no redirects; register the URL that answers itself`);
	}
	return { url, status };
}

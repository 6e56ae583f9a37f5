import type { CallbackJobData } from '../../contracts/service';
import { InvalidInputError, TransientError } from '../../errors';
import type { JobContext } from '../jobContext';

const TIMEOUT_MS = 15_000;

/** One POST of a result to a callback or deploy hook URL; 5xx, 429 and network errors are retried. */
export async function callbackJob(context: JobContext): Promise<Record<string, unknown>> {
	const { url, body } = context.job.data as CallbackJobData;
	let response: Response;
	try {
		response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'user-agent': 'ai-company-runtime' },
			body: JSON.stringify(body),
			signal: AbortSignal.any([context.signal, AbortSignal.timeout(TIMEOUT_MS)]),
		});
	} catch (error) {
		throw new TransientError(`callback to ${url} failed: ${(error as Error).message}`);
	}
	await response.arrayBuffer().catch(() => undefined);
	if (response.status >= 500 || response.status === 429) throw new TransientError(`callback to ${url} answered HTTP ${response.status}`);
	if (response.status >= 400) throw new InvalidInputError('callbackUrl', `${url} refused the callback with HTTP ${response.status}`);
	return { url, status: response.status };
}

import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, ILoadOptionsFunctions, IWebhookFunctions, IHookFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { ErrorBody } from '../../../runtime/contracts/service';

/** Every call of this package goes to the runtime service through here, with this credential. */
export const CREDENTIAL_TYPE = 'aiCompanyApi';

export type ServiceContext = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

export interface ServiceRequest {
	method: IHttpRequestMethods;
	/** Starts with /api/ (or /health). */
	path: string;
	body?: IDataObject;
	qs?: IDataObject;
	itemIndex?: number;
	/** Milliseconds; the service's long polls answer within their own `wait`. */
	timeoutMs?: number;
	/** Answer `undefined` for a 404 of the service (a thing it does not have) instead of an error. */
	notFoundAsUndefined?: boolean;
}

/** What the service answers on a refusal: `{ error, message, field? }` (README, "Errors"). */
/** An error answer as the node reads it: the service's ErrorBody, any field possibly absent (a proxy's answer). */
type ServiceErrorBody = Partial<ErrorBody>;

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * One request to the AI Company runtime service. A refusal becomes a NodeApiError whose message is
 * the service's own (naming the field it refuses) and whose HTTP status is the service's; a service
 * that cannot be reached becomes one that names the URL tried.
 */
export async function serviceRequest<T = IDataObject>(context: ServiceContext, request: ServiceRequest & { notFoundAsUndefined: true }): Promise<T | undefined>;
export async function serviceRequest<T = IDataObject>(context: ServiceContext, request: ServiceRequest): Promise<T>;
export async function serviceRequest<T = IDataObject>(context: ServiceContext, request: ServiceRequest): Promise<T | undefined> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE, request.itemIndex);
	const baseURL = String(credentials.baseUrl ?? '').replace(/\/+$/, '');
	const signal = 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
	let response: { statusCode: number; body: unknown };
	try {
		response = await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, {
			method: request.method,
			baseURL,
			url: request.path,
			body: request.body,
			qs: request.qs,
			json: true,
			timeout: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			abortSignal: signal,
		});
	} catch (error) {
		throw unreachable(context, error, `${baseURL}${request.path}`, request.itemIndex);
	}
	if (response.statusCode >= 200 && response.statusCode < 300) return response.body as T;
	if (response.statusCode === 404 && request.notFoundAsUndefined && isServiceReply(response.body)) return undefined;
	throw refusal(context, response.statusCode, response.body, request.itemIndex);
}

/** A refusal in the service's own shape, not a 404 page of something else at that address. */
function isServiceReply(body: unknown): boolean {
	return body !== null && typeof body === 'object' && typeof (body as ServiceErrorBody).error === 'string';
}

function refusal(context: ServiceContext, statusCode: number, body: unknown, itemIndex: number | undefined): NodeApiError {
	const reply: ServiceErrorBody = body !== null && typeof body === 'object' ? (body as ServiceErrorBody) : {};
	const message = reply.message ?? `The AI Company service answered HTTP ${statusCode}`;
	const description = [reply.field ? `Field: ${reply.field}` : '', hintFor(statusCode, reply)].filter(Boolean).join('. ');
	return new NodeApiError(context.getNode(), { ...reply, httpCode: String(statusCode) } as JsonObject, {
		message,
		description: description || undefined,
		httpCode: String(statusCode),
		itemIndex,
	});
}

function hintFor(statusCode: number, reply: ServiceErrorBody): string {
	if (statusCode === 401) return 'Set the API Token of the "AI Company API" credential to the API_TOKEN the service was started with';
	if (statusCode === 404 && reply.error === undefined) return 'Nothing of the AI Company service answers at this path: check the Base URL of the credential';
	if (statusCode === 503 || statusCode === 429) return 'The service or what it depends on is busy or down; running the node again later is safe';
	return '';
}

function unreachable(context: ServiceContext, error: unknown, url: string, itemIndex: number | undefined): NodeApiError {
	const cause = error as JsonObject & { message?: string; code?: string };
	const nodeError = new NodeApiError(context.getNode(), cause, {
		message: `Could not reach the AI Company service at ${url}: ${cause.code ?? cause.message ?? 'no answer'}`,
		description: 'Start the runtime service (npm run start:runtime, or docker compose up) and check the Base URL of the "AI Company API" credential',
		itemIndex,
	});
	// n8n replaces a message naming a socket code with a generic one that drops the URL; keep ours.
	nodeError.message = `Could not reach the AI Company service at ${url}: ${cause.code ?? cause.message ?? 'no answer'}`;
	return nodeError;
}

import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { AiCompanyTrigger } from '../../../nodes/AiCompanyTrigger/AiCompanyTrigger.node';
import { deliveryProblem, MAX_AGE_SECONDS } from '../../../nodes/AiCompanyTrigger/verifyDelivery';
import { signatureHeaders, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../../runtime/webhooks/signature';

// The AI Company Trigger runs its workflow only for deliveries the service signed with the secret
// the trigger registered: its webhook URL alone (in logs, in a proxy) must not be enough to start it.

const SECRET = 'a'.repeat(64);
const BODY = JSON.stringify({ event: 'project.completed', projectId: 'p1', at: '2026-12-01T00:00:00.000Z', project: { status: 'completed' } });
const NOW = new Date('2026-12-01T10:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);

function signed(secret = SECRET, body = BODY, at = NOW) {
	const headers = signatureHeaders(secret, body, at);
	return { timestamp: headers[TIMESTAMP_HEADER], signature: headers[SIGNATURE_HEADER], rawBody: Buffer.from(body) };
}

describe("deliveryProblem accepts the runtime's signature and nothing else", () => {
	it('accepts a delivery the runtime signed, its body as a Buffer or a string', () => {
		expect(deliveryProblem(SECRET, signed(), nowSeconds)).toBeUndefined();
		expect(deliveryProblem(SECRET, { ...signed(), rawBody: BODY }, nowSeconds)).toBeUndefined();
	});

	it(`accepts a timestamp up to ${MAX_AGE_SECONDS} s old or ahead (a retry is signed anew; clocks differ)`, () => {
		expect(deliveryProblem(SECRET, signed(SECRET, BODY, new Date(NOW.getTime() - MAX_AGE_SECONDS * 1000)), nowSeconds)).toBeUndefined();
		expect(deliveryProblem(SECRET, signed(SECRET, BODY, new Date(NOW.getTime() + MAX_AGE_SECONDS * 1000)), nowSeconds)).toBeUndefined();
	});

	it.each([
		['no headers', { timestamp: undefined, signature: undefined, rawBody: Buffer.from(BODY) }, 'no x-ai-company-timestamp or x-ai-company-signature header'],
		['no signature', { ...signed(), signature: undefined }, 'no x-ai-company-timestamp or x-ai-company-signature header'],
		['no timestamp', { ...signed(), timestamp: undefined }, 'no x-ai-company-timestamp or x-ai-company-signature header'],
		['a timestamp that is not seconds', { ...signed(), timestamp: '2026-12-01T10:00:00Z' }, 'x-ai-company-timestamp is not a time in seconds'],
		['a recorded delivery sent again later', signed(SECRET, BODY, new Date(NOW.getTime() - (MAX_AGE_SECONDS + 1) * 1000)), `x-ai-company-timestamp is more than ${MAX_AGE_SECONDS} s away from now`],
		['a timestamp too far ahead', signed(SECRET, BODY, new Date(NOW.getTime() + (MAX_AGE_SECONDS + 1) * 1000)), `x-ai-company-timestamp is more than ${MAX_AGE_SECONDS} s away from now`],
		['a changed body', { ...signed(), rawBody: Buffer.from(BODY.replace('completed', 'failed')) }, 'x-ai-company-signature does not match'],
		['another secret', signed('b'.repeat(64)), 'x-ai-company-signature does not match'],
		['a timestamp changed after signing', { ...signed(), timestamp: String(nowSeconds - 1) }, 'x-ai-company-signature does not match'],
		['a signature of another length', { ...signed(), signature: 'sha256=abc' }, 'x-ai-company-signature does not match'],
		['no body', { ...signed(), rawBody: undefined }, 'the request has no body'],
	])('refuses %s, saying why', (_what, delivery, problem) => {
		expect(deliveryProblem(SECRET, delivery, nowSeconds)).toBe(problem);
	});
});

/** The IWebhookFunctions a delivery reaches the trigger's webhook() with. */
function webhookContext(staticData: IDataObject, request: { headers: Record<string, string | undefined>; rawBody?: Buffer }) {
	const response = { statusCode: 200, body: undefined as unknown };
	const warnings: string[] = [];
	const context = {
		getWorkflowStaticData: () => staticData,
		getNode: () => ({ name: 'When a project ends' }),
		getRequestObject: () => ({ header: (name: string) => request.headers[name.toLowerCase()], rawBody: request.rawBody }),
		getResponseObject: () => ({
			status(code: number) {
				response.statusCode = code;
				return this;
			},
			json(body: unknown) {
				response.body = body;
				return this;
			},
		}),
		getBodyData: () => JSON.parse(request.rawBody?.toString('utf8') ?? '{}') as IDataObject,
		logger: { warn: (message: string) => warnings.push(message) },
		helpers: { returnJsonArray: (items: IDataObject[]) => items.map((json) => ({ json })) },
	};
	return { context: context as unknown as IWebhookFunctions, response, warnings };
}

describe("the AI Company Trigger's webhook()", () => {
	const trigger = new AiCompanyTrigger();
	const realNow = Date.now;
	beforeAll(() => {
		Date.now = () => NOW.getTime();
	});
	afterAll(() => {
		Date.now = realNow;
	});

	it('starts the workflow with the body of a delivery signed with its stored secret', async () => {
		const headers = signatureHeaders(SECRET, BODY, NOW);
		const { context, response } = webhookContext({ webhookId: 'wh_1', webhookSecret: SECRET }, { headers, rawBody: Buffer.from(BODY) });
		const result = await trigger.webhook.call(context);
		expect(result).toEqual({ workflowData: [[{ json: JSON.parse(BODY) }]] });
		expect(response.statusCode).toBe(200);
	});

	it('answers 401 to a forged delivery, runs nothing, and logs why', async () => {
		const headers = signatureHeaders('forger-secret-0123456789', BODY, NOW);
		const { context, response, warnings } = webhookContext({ webhookId: 'wh_1', webhookSecret: SECRET }, { headers, rawBody: Buffer.from(BODY) });
		const result = await trigger.webhook.call(context);
		expect(result).toEqual({ noWebhookResponse: true });
		expect(response).toEqual({ statusCode: 401, body: { error: 'unauthorized', message: 'not a signed delivery of the AI Company service: x-ai-company-signature does not match' } });
		expect(warnings).toEqual(['AI Company Trigger "When a project ends" refused a delivery: x-ai-company-signature does not match']);
	});

	it('refuses every delivery while it has no secret stored (registered by an earlier version): activation registers it anew', async () => {
		const headers = signatureHeaders(SECRET, BODY, NOW);
		const { context, response } = webhookContext({ webhookId: 'wh_1' }, { headers, rawBody: Buffer.from(BODY) });
		expect(await trigger.webhook.call(context)).toEqual({ noWebhookResponse: true });
		expect(response.statusCode).toBe(401);
		expect((response.body as { message: string }).message).toContain('activate the workflow again');
	});
});

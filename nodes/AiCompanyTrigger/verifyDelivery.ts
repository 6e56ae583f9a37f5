import { createHmac, timingSafeEqual } from 'crypto';

/** The runtime's signature headers (runtime/webhooks/signature.ts); test/unit/nodes/sharedValues.test.ts keeps them equal. */
export const TIMESTAMP_HEADER = 'x-ai-company-timestamp';
export const SIGNATURE_HEADER = 'x-ai-company-signature';

/** How old a delivery's timestamp may be (and how far ahead, for clocks that differ). */
export const MAX_AGE_SECONDS = 300;

export interface Delivery {
	timestamp: string | undefined;
	signature: string | undefined;
	rawBody: Buffer | string | undefined;
}

/**
 * Why a delivery is not the service's, or undefined when it is: its signature must be the
 * HMAC-SHA256, keyed with the secret this trigger registered, of `<timestamp>.<raw body>`, and its
 * timestamp recent. Anyone who learns the webhook URL can POST to it; only the service knows the secret.
 */
export function deliveryProblem(secret: string, delivery: Delivery, nowSeconds: number): string | undefined {
	const { timestamp, signature, rawBody } = delivery;
	if (!timestamp || !signature) return `no ${TIMESTAMP_HEADER} or ${SIGNATURE_HEADER} header`;
	if (!/^\d{1,12}$/.test(timestamp)) return `${TIMESTAMP_HEADER} is not a time in seconds`;
	if (Math.abs(nowSeconds - Number(timestamp)) > MAX_AGE_SECONDS) return `${TIMESTAMP_HEADER} is more than ${MAX_AGE_SECONDS} s away from now`;
	if (rawBody === undefined) return 'the request has no body';
	const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`, 'utf8');
	const given = Buffer.from(signature, 'utf8');
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return `${SIGNATURE_HEADER} does not match`;
	return undefined;
}

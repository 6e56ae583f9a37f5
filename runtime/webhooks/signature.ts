import { createHmac } from 'node:crypto';

/** Seconds since the epoch when the delivery was sent (each retry is signed anew). */
export const TIMESTAMP_HEADER = 'x-ai-company-timestamp';
/** `sha256=` and the hex HMAC-SHA256, keyed with the subscription's secret, of `<timestamp>.<raw body>`. */
export const SIGNATURE_HEADER = 'x-ai-company-signature';

/**
 * The headers that sign one delivery. The timestamp is inside what is signed, so a receiver that
 * refuses old timestamps (the AI Company Trigger allows 5 minutes) cannot be sent a recorded
 * delivery again later.
 */
export function signatureHeaders(secret: string, rawBody: string, now: Date = new Date()): Record<string, string> {
	const timestamp = String(Math.floor(now.getTime() / 1000));
	const digest = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
	return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `sha256=${digest}` };
}

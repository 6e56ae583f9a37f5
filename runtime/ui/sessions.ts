import { createHash, randomBytes } from 'node:crypto';

import type { Redis } from 'ioredis';

import type { StoreKeys } from '../state/keys';

/** The dashboard's sign-in cookie: HttpOnly, SameSite=Strict, for /ui only, gone when the browser closes. */
export const SESSION_COOKIE = 'aic_ui_session';

/** How long a sign-in lasts at most, browser still open or not. */
export const SESSION_SECONDS = 12 * 3600;

/** A session id: 32 random bytes, base64url (43 characters). */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Dashboard sign-ins kept in Redis: the browser holds a random id, Redis the id's SHA-256 with an
 * expiry. The API token itself never leaves the sign-in form's one POST: not in a cookie, a URL or a
 * page. Signing out (or the expiry) ends the session on the server, not only in the browser.
 */
export class UiSessions {
	constructor(
		private readonly redis: Redis,
		private readonly keys: StoreKeys,
		private readonly seconds = SESSION_SECONDS,
	) {}

	async start(): Promise<string> {
		const id = randomBytes(32).toString('base64url');
		await this.redis.set(this.keys.uiSession(digest(id)), '1', 'EX', this.seconds);
		return id;
	}

	async valid(id: string | undefined): Promise<boolean> {
		if (id === undefined || !SESSION_ID.test(id)) return false;
		return (await this.redis.exists(this.keys.uiSession(digest(id)))) === 1;
	}

	async end(id: string | undefined): Promise<void> {
		if (id !== undefined && SESSION_ID.test(id)) await this.redis.del(this.keys.uiSession(digest(id)));
	}
}

function digest(id: string): string {
	return createHash('sha256').update(id).digest('hex');
}

/** The Set-Cookie value of a new sign-in: no Max-Age or Expires (a session cookie), Secure over https. */
export function sessionCookie(id: string, secure: boolean): string {
	return `${SESSION_COOKIE}=${id}; Path=/ui; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie value that removes the sign-in cookie. */
export function clearedSessionCookie(secure: boolean): string {
	return `${SESSION_COOKIE}=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

/** One cookie's value from a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
	for (const part of (header ?? '').split(';')) {
		const at = part.indexOf('=');
		if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
	}
	return undefined;
}

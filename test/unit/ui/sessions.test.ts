import { clearedSessionCookie, cookieValue, SESSION_COOKIE, sessionCookie } from '../../../runtime/ui/sessions';

describe('the dashboard session cookie', () => {
	it('is HttpOnly, SameSite=Strict, scoped to /ui, a session cookie (no Max-Age or Expires), Secure only over https', () => {
		expect(sessionCookie('abc', false)).toBe(`${SESSION_COOKIE}=abc; Path=/ui; HttpOnly; SameSite=Strict`);
		expect(sessionCookie('abc', true)).toBe(`${SESSION_COOKIE}=abc; Path=/ui; HttpOnly; SameSite=Strict; Secure`);
		expect(sessionCookie('abc', true)).not.toMatch(/Max-Age|Expires/i);
	});

	it('signing out sends the same cookie emptied and expired', () => {
		expect(clearedSessionCookie(false)).toBe(`${SESSION_COOKIE}=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0`);
	});

	it('is read from a Cookie header by its exact name only', () => {
		expect(cookieValue(`a=1; ${SESSION_COOKIE}=xyz; b=2`, SESSION_COOKIE)).toBe('xyz');
		expect(cookieValue(`x${SESSION_COOKIE}=evil`, SESSION_COOKIE)).toBeUndefined();
		expect(cookieValue(undefined, SESSION_COOKIE)).toBeUndefined();
		expect(cookieValue('garbage', SESSION_COOKIE)).toBeUndefined();
	});
});

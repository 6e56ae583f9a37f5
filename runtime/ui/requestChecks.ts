/**
 * Checks every /ui and /portal form post makes before it changes anything: the request came from a
 * page of this same origin (the Origin header a browser sends on every POST, or Referer when a
 * privacy setting dropped Origin). With the session cookie SameSite=Strict, another site can neither
 * carry the cookie nor pass this check, so no CSRF token is needed in the forms.
 */
export function sameOrigin(headers: { origin?: string; referer?: string; host?: string }): boolean {
	const host = headers.host;
	if (!host) return false;
	const from = headers.origin ?? headers.referer;
	if (!from || from === 'null') return false;
	try {
		const url = new URL(from);
		return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host;
	} catch {
		return false;
	}
}

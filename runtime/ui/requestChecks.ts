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

/**
 * Whether the browser reached the page over https: this process's own TLS, or a reverse proxy that
 * terminates TLS and says so in X-Forwarded-Proto (its first value). Used only to add Secure to the
 * pages' cookies and to write the pages' own links: a request that lies about it harms only itself.
 */
export function servedOverHttps(request: { protocol: string; headers: Record<string, string | string[] | undefined> }): boolean {
	if (request.protocol === 'https') return true;
	const forwarded = request.headers['x-forwarded-proto'];
	const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
	return first === 'https';
}

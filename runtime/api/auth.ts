import { timingSafeEqual } from 'node:crypto';

import type { FastifyInstance } from 'fastify';

import { isLoopback } from '../config/environment';

/**
 * Answer without a token: load balancers and docker health checks probe /health; the n8n
 * credential's Test button asks /api/credential-check, which judges the token itself.
 */
const OPEN_ROUTES = new Set(['/health', '/api/credential-check']);

/**
 * The pages (/ui…, /portal…) are for browsers, which send no Authorization header: the dashboard
 * checks its sign-in cookie (routes/uiSession.ts), the portal its link token, each on its own routes.
 */
const PAGE_ROUTE = /^\/(ui|portal)(\/|$)/;

export type TokenVerdict = 'accepted' | 'refused' | 'not_required';

/** Whether an Authorization header carries the service's token, compared in constant time. */
export function tokenVerdict(authorization: string | undefined, token: string | undefined): TokenVerdict {
	if (!token) return 'not_required';
	const expected = Buffer.from(`Bearer ${token}`);
	const given = Buffer.from(authorization ?? '');
	return given.length === expected.length && timingSafeEqual(given, expected) ? 'accepted' : 'refused';
}

/**
 * With API_TOKEN set, every route but the open ones needs `Authorization: Bearer <token>`. The
 * check goes by the route fastify matched, not the raw URL, so no spelling of a path
 * (`/%61pi/projects`) reaches a handler without it.
 */
export function requireToken(app: FastifyInstance, token: string | undefined): void {
	if (!token) return loopbackOnly(app);
	app.addHook('onRequest', async (request, reply) => {
		const route = request.routeOptions.url;
		if (route !== undefined && (OPEN_ROUTES.has(route) || PAGE_ROUTE.test(route))) return;
		if (tokenVerdict(request.headers.authorization, token) !== 'accepted') {
			return reply.code(401).send({ error: 'unauthorized', message: 'send the service\'s API_TOKEN as "Authorization: Bearer <token>"' });
		}
	});
}

/**
 * Without API_TOKEN the service listens on loopback and is meant for this machine alone; a web page
 * could still reach it by DNS rebinding (its own name made to resolve to 127.0.0.1), and its
 * browser then names that site in Host (and in Origin). So every request must be addressed to a
 * loopback name: localhost or *.localhost (browsers resolve those themselves), 127.x.x.x, [::1].
 */
function loopbackOnly(app: FastifyInstance): void {
	app.addHook('onRequest', async (request, reply) => {
		if (loopbackHost(request.headers.host)) return;
		return reply.code(421).send({ error: 'misdirected', message: 'this service has no API_TOKEN and answers only requests addressed to this machine (Host localhost, 127.0.0.1 or [::1]); set API_TOKEN to reach it by another name' });
	});
}

/** Whether a Host header names this machine's loopback (no Host at all: not a browser's request). */
export function loopbackHost(host: string | undefined): boolean {
	if (host === undefined) return true;
	const name = /^\[([^\]]*)\](?::\d*)?$/.exec(host)?.[1] ?? host.replace(/:\d*$/, '');
	const lower = name.toLowerCase().replace(/\.$/, '');
	return isLoopback(lower) || lower.endsWith('.localhost');
}

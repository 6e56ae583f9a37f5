import { timingSafeEqual } from 'node:crypto';

import type { FastifyInstance } from 'fastify';

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
	if (!token) return;
	app.addHook('onRequest', async (request, reply) => {
		const route = request.routeOptions.url;
		if (route !== undefined && (OPEN_ROUTES.has(route) || PAGE_ROUTE.test(route))) return;
		if (tokenVerdict(request.headers.authorization, token) !== 'accepted') {
			return reply.code(401).send({ error: 'unauthorized', message: 'send the service\'s API_TOKEN as "Authorization: Bearer <token>"' });
		}
	});
}

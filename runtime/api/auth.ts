import { timingSafeEqual } from 'node:crypto';

import type { FastifyInstance } from 'fastify';

/** Answer without a token: load balancers and docker health checks probe it. */
const OPEN_ROUTES = new Set(['/health']);

/**
 * With API_TOKEN set, every route but /health needs `Authorization: Bearer <token>`, compared in
 * constant time. The check goes by the route fastify matched, not the raw URL, so no spelling of a
 * path (`/%61pi/projects`) reaches a handler without it.
 */
export function requireToken(app: FastifyInstance, token: string | undefined): void {
	if (!token) return;
	const expected = Buffer.from(`Bearer ${token}`);
	app.addHook('onRequest', async (request, reply) => {
		const route = request.routeOptions.url;
		if (route !== undefined && OPEN_ROUTES.has(route)) return;
		const given = Buffer.from(request.headers.authorization ?? '');
		if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
			return reply.code(401).send({ error: 'unauthorized', message: 'send the service\'s API_TOKEN as "Authorization: Bearer <token>"' });
		}
	});
}

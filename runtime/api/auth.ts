import { timingSafeEqual } from 'node:crypto';

import type { FastifyInstance } from 'fastify';

/** With API_TOKEN set, every /api route needs `Authorization: Bearer <token>` (compared in constant time). */
export function requireToken(app: FastifyInstance, token: string | undefined): void {
	if (!token) return;
	const expected = Buffer.from(`Bearer ${token}`);
	app.addHook('onRequest', async (request, reply) => {
		if (!request.url.startsWith('/api/')) return;
		const given = Buffer.from(request.headers.authorization ?? '');
		if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
			return reply.code(401).send({ error: 'unauthorized', message: 'send the service\'s API_TOKEN as "Authorization: Bearer <token>"' });
		}
	});
}

import type { FastifyInstance } from 'fastify';

import type { Services } from '../../service/services';
import { fromStreamEntry } from '../../state/eventLog';
import { PAGE_SECURITY_HEADERS } from '../../ui/html';

/** How long one XREAD waits before the stream sends a keep-alive comment and looks whether the project still exists. */
const BLOCK_MS = 5000;
/** Streams open at once in this process; each holds a Redis connection of its own. */
const MAX_STREAMS = 100;
const EVENT_ID = /^\d+-\d+$/;

/**
 * GET /ui/projects/:id/events: the project's event log as server-sent events, live. It starts after
 * ?after=<event id> (the last one the page shows) or, when the browser reconnects, after its
 * Last-Event-ID; each event comes as `event: project` with the event as JSON, within a moment of
 * being written (a blocking XREAD, no polling). A deleted project ends the stream with `event: gone`.
 */
export function uiEventRoutes(ui: FastifyInstance, services: Services): void {
	const { store, redis } = services;
	let open = 0;

	ui.get<{ Params: { id: string }; Querystring: { after?: string } }>('/ui/projects/:id/events', { schema: { hide: true } }, async (request, reply) => {
		const project = await store.get(request.params.id);
		if (open >= MAX_STREAMS) return reply.code(503).type('text/plain; charset=utf-8').send('too many live streams open; reload later');
		const resume = request.headers['last-event-id'];
		const asked = typeof resume === 'string' && EVENT_ID.test(resume) ? resume : request.query.after;
		const key = store.keys.events(project.id);
		// Without a starting point, "from now": the newest id is read before the stream answers, so
		// nothing written once the client sees the stream open is missed.
		let after = typeof asked === 'string' && EVENT_ID.test(asked) ? asked : ((await redis.xrevrange(key, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0');

		reply.hijack();
		const raw = reply.raw;
		raw.writeHead(200, {
			...PAGE_SECURITY_HEADERS,
			'content-type': 'text/event-stream; charset=utf-8',
			'cache-control': 'no-cache, no-transform',
			connection: 'keep-alive',
			'x-accel-buffering': 'no',
		});
		raw.write('retry: 1000\n\n');
		open++;
		const reader = redis.duplicate();
		let closed = false;
		const close = () => {
			if (closed) return;
			closed = true;
			open--;
			reader.disconnect();
			raw.end();
		};
		// A browser that went away while the stream was being set up (the project read, the newest id)
		// has already closed: without this the loop would hold its Redis connection and slot for good.
		raw.on('close', close);
		request.raw.on('close', close);
		if (raw.destroyed || request.raw.socket?.destroyed !== false) close();
		try {
			while (!closed) {
				const read = (await reader.xread('COUNT', 100, 'BLOCK', BLOCK_MS, 'STREAMS', key, after)) as Array<[string, Array<[string, string[]]>]> | null;
				if (closed) break;
				if (!read) {
					if (!(await redis.exists(store.keys.project(project.id)))) {
						raw.write('event: gone\ndata: {}\n\n');
						break;
					}
					raw.write(': keep-alive\n\n');
					continue;
				}
				for (const entry of read[0][1]) {
					const event = fromStreamEntry(entry);
					raw.write(`id: ${event.id}\nevent: project\ndata: ${JSON.stringify(event)}\n\n`);
					after = event.id;
				}
			}
		} catch (error) {
			if (!closed) services.logger.warn({ err: error, projectId: project.id }, 'live event stream ended');
		} finally {
			close();
		}
	});
}

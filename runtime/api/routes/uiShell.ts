import { join } from 'node:path';

import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

import { PAGE_SECURITY_HEADERS, STATIC_PREFIX } from '../../ui/html';

/** runtime/ui/static beside the compiled code (copyAssets.js), or beside the sources under ts-jest. */
const UI_STATIC = join(__dirname, '..', '..', 'ui', 'static');

/** Bull Board's own page sets a <base> and inline styles: its policy allows those, under /ui/queues only. */
export const BULL_BOARD_CSP = [
	"default-src 'self'",
	"script-src 'self'",
	"style-src 'self' 'unsafe-inline'",
	"img-src 'self' data:",
	"font-src 'self'",
	"connect-src 'self'",
	"frame-ancestors 'none'",
	"form-action 'self'",
	"base-uri 'self'",
].join('; ');

/** Whether a raw request URL is one of the pages' (/ui…, /portal…), by its path alone. */
export function isPagePath(url: string): boolean {
	const path = url.split('?')[0];
	return /^\/(ui|portal)(\/|$)/.test(path);
}

/**
 * What every page route shares: the static files (the stylesheet, the live log's script) under /ui/static/,
 * and the security headers (a strict Content-Security-Policy, nosniff, no referrer, no framing) on
 * every answer under /ui and /portal, errors and 404s included.
 */
export async function uiShell(app: FastifyInstance): Promise<void> {
	await app.register(fastifyStatic, {
		root: UI_STATIC,
		prefix: STATIC_PREFIX,
		decorateReply: false,
		index: false,
		list: false,
		dotfiles: 'deny',
		cacheControl: true,
		maxAge: '1h',
	});
	app.addHook('onSend', async (request, reply, payload) => {
		if (!isPagePath(request.url)) return payload;
		for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) reply.header(name, value);
		if (/^\/ui\/queues(\/|$|\?)/.test(request.url)) reply.header('content-security-policy', BULL_BOARD_CSP);
		return payload;
	});
}

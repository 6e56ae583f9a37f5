import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { InvalidInputError } from '../../errors';
import type { Services } from '../../service/services';
import { StoreKeys } from '../../state/keys';
import { signInPage } from '../../ui/dashboard/signIn';
import { sameOrigin, servedOverHttps } from '../../ui/requestChecks';
import { clearedSessionCookie, cookieValue, SESSION_COOKIE, sessionCookie, UiSessions } from '../../ui/sessions';
import { tokenVerdict } from '../auth';

/** The largest form a page posts (a sign-in, a comment). */
const FORM_LIMIT_BYTES = 64 * 1024;

/** Where a sign-in may send the browser back to: a dashboard path, never another site. */
const NEXT_PATH = /^\/ui\/(?!\/)[A-Za-z0-9/_.~%?=&-]*$/;

/**
 * HTML forms (application/x-www-form-urlencoded) for the routes of `instance` only: the API's own
 * routes stay strict JSON. A field sent twice is refused by name.
 */
export function acceptForms(instance: FastifyInstance): void {
	instance.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES }, (_request, body, done) => {
		const fields: Record<string, string> = {};
		for (const [name, value] of new URLSearchParams(body as string)) {
			if (Object.hasOwn(fields, name)) return done(new InvalidInputError(name, 'is sent twice; send it once'), undefined);
			fields[name] = value;
		}
		done(null, fields);
	});
}

/**
 * The dashboard's sign-in, on the routes of `ui` (an encapsulated context holding every /ui page
 * and Bull Board): with API_TOKEN set, a page needs a session cookie made by signing in with the
 * token; without it (the service then listens on loopback only) the pages open directly. Every
 * post, sign-in included, must come from a page of this origin (Origin check; the cookie is
 * SameSite=Strict besides).
 */
export function uiSignIn(ui: FastifyInstance, services: Services): UiSessions {
	const token = services.config.apiToken;
	const sessions = new UiSessions(services.redis, new StoreKeys(services.config.keyPrefix));
	const secure = (request: FastifyRequest) => servedOverHttps(request);

	ui.addHook('onRequest', async (request, reply) => {
		if (request.method !== 'GET' && request.method !== 'HEAD' && !sameOrigin(request.headers)) {
			return reply.code(403).type('text/plain; charset=utf-8').send('refused: a form of the dashboard posts from its own origin (Origin header)');
		}
		if (!token || request.routeOptions.url === '/ui/sign-in') return;
		if (await sessions.valid(cookieValue(request.headers.cookie, SESSION_COOKIE))) return;
		return refuse(request, reply);
	});

	ui.get('/ui/sign-in', { schema: { hide: true } }, async (request, reply) => {
		if (!token) return reply.redirect('/ui/', 303);
		const next = (request.query as { next?: unknown }).next;
		return reply.type('text/html; charset=utf-8').send(signInPage({ next: typeof next === 'string' && NEXT_PATH.test(next) ? next : undefined }));
	});

	ui.post<{ Body: Record<string, string> | undefined }>('/ui/sign-in', { schema: { hide: true } }, async (request, reply) => {
		if (!token) return reply.redirect('/ui/', 303);
		const given = request.body?.token ?? '';
		const next = request.body?.next;
		if (tokenVerdict(`Bearer ${given}`, token) !== 'accepted') {
			return reply.code(401).type('text/html; charset=utf-8').send(signInPage({ error: 'That is not the service’s API token.', next: next && NEXT_PATH.test(next) ? next : undefined }));
		}
		const id = await sessions.start();
		reply.header('set-cookie', sessionCookie(id, secure(request)));
		return reply.redirect(next && NEXT_PATH.test(next) ? next : '/ui/', 303);
	});

	ui.post('/ui/sign-out', { schema: { hide: true } }, async (request, reply) => {
		await sessions.end(cookieValue(request.headers.cookie, SESSION_COOKIE));
		reply.header('set-cookie', clearedSessionCookie(secure(request)));
		return reply.redirect(token ? '/ui/sign-in' : '/ui/', 303);
	});
	return sessions;
}

/** Not signed in: a page asked for by a browser goes to the sign-in form, anything else gets 401. */
function refuse(request: FastifyRequest, reply: FastifyReply): FastifyReply {
	const wantsPage = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
	if (wantsPage) {
		const next = request.url.startsWith('/ui/') && NEXT_PATH.test(request.url) ? `?next=${encodeURIComponent(request.url)}` : '';
		return reply.redirect(`/ui/sign-in${next}`, 303);
	}
	return reply.code(401).type('text/plain; charset=utf-8').send('sign in at /ui/sign-in first');
}

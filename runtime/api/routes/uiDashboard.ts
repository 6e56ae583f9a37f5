import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyError, FastifyInstance } from 'fastify';

import { PROJECT_STATUSES, type ProjectStatus } from '../../contracts/project';
import { APPROVAL_DECISIONS, type ApprovalDecision } from '../../contracts/approval';
import { PORTAL_LINK } from '../../config/defaults';
import { PORTAL_EVENT_TYPES } from '../../contracts/approval';
import { runEnded } from '../../driver/continueProject';
import { decideApproval } from '../../driver/decideApproval';
import { InvalidInputError } from '../../errors';
import { AiCompanyError } from '../../errors';
import type { Services } from '../../service/services';
import { fromStreamEntry } from '../../state/eventLog';
import { servedOverHttps } from '../../ui/requestChecks';
import type { DashboardChrome } from '../../ui/dashboard/layout';
import { dashboardPage, messagePage } from '../../ui/dashboard/layout';
import { approvalActions, portalLinkPage } from '../../ui/dashboard/projectActions';
import { PortalLinks } from '../portal/portalTokens';
import { projectListPage } from '../../ui/dashboard/projectList';
import { projectLive, projectPage } from '../../ui/dashboard/projectPage';
import { deleteProject } from './projectChanges';
import { cancelProject, retryProject } from './projects';
import { companyGlanceOf } from './uiGlance';
import { uiEventRoutes } from './uiEvents';
import { acceptForms, uiSignIn } from './uiSession';

const PAGE_SIZE = 50;
/** Bull Board's routes that write a job's data as sent (method and route). */
const BOARD_DATA_WRITES = new Set(['POST /ui/queues/api/queues/:queueName/add', 'PATCH /ui/queues/api/queues/:queueName/:jobId/update-data']);
/** Events the project page shows when it opens; the rest stream in. */
const EVENTS_SHOWN = 200;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;

/** What an action's redirect says on the page it lands on (by code: no text from the URL is shown). */
const NOTICES: Record<string, string> = {
	cancelled: 'The project was cancelled; its running jobs stop within about a second.',
	retried: 'The project runs again from where it failed.',
	deleted: 'The project was deleted.',
	approved: 'The plan was approved: development starts.',
	request_changes: 'Changes were requested: the planner plans again with your comment.',
};

/**
 * The operator dashboard under /ui (server-rendered pages, no build step): the projects with the
 * company at a glance, a project's page with its live event log and its actions, and Bull Board
 * under /ui/queues, all behind the dashboard's sign-in (uiSession.ts). Actions call the same
 * functions as the API's routes.
 */
export async function uiDashboard(app: FastifyInstance, services: Services): Promise<void> {
	await app.register(async (ui) => {
		acceptForms(ui);
		uiSignIn(ui, services);
		const chrome: DashboardChrome = { signedIn: services.config.apiToken !== undefined };
		const { store, redis } = services;

		ui.setErrorHandler((error: FastifyError, request, reply) => {
			const status = error instanceof AiCompanyError ? error.httpStatus : (error.statusCode ?? 500);
			if (status >= 500) request.log.error({ err: error }, 'dashboard request failed');
			const message = status >= 500 && !(error instanceof AiCompanyError) ? 'Something went wrong on the server; the log says what.' : error.message;
			return reply.code(status).type('text/html; charset=utf-8').send(messagePage(status === 404 ? 'Not found' : 'Not done', chrome, message));
		});

		ui.get('/ui', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/ui/', 301));

		ui.get<{ Querystring: Record<string, string | undefined> }>('/ui/', { schema: { hide: true } }, async (request, reply) => {
			const { status: asked, offset: offsetText, done } = request.query;
			const status = PROJECT_STATUSES.find((s) => s === asked);
			const offset = Math.max(0, Math.min(Number.parseInt(offsetText ?? '0', 10) || 0, 1_000_000));
			const [page, sizes, glance] = await Promise.all([
				store.list({ status, offset, limit: PAGE_SIZE }),
				Promise.all(PROJECT_STATUSES.map((s) => redis.zcard(store.keys.statusIndex(s)))),
				companyGlanceOf(services),
			]);
			const counts = Object.fromEntries(PROJECT_STATUSES.map((s, i) => [s, sizes[i]])) as Record<ProjectStatus, number>;
			return reply.type('text/html; charset=utf-8').send(projectListPage({ ...page, status, counts, glance, notice: done ? NOTICES[done] : undefined }, chrome));
		});

		ui.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>('/ui/projects/:id', { schema: { hide: true, params: idParams } }, async (request, reply) => {
			const project = await store.get(request.params.id);
			const entries = (await redis.xrevrange(store.keys.events(project.id), '+', '-', 'COUNT', EVENTS_SHOWN)) as Array<[string, string[]]>;
			const events = entries.reverse().map(fromStreamEntry);
			const done = request.query.done;
			return reply
				.type('text/html; charset=utf-8')
				.header('cache-control', 'no-store')
				.send(projectPage({ project, events, ended: runEnded(project), notice: done ? NOTICES[done] : undefined, extraActions: approvalActions(project) }, chrome));
		});

		ui.get<{ Params: { id: string } }>('/ui/projects/:id/live', { schema: { hide: true, params: idParams } }, async (request, reply) => {
			const project = await store.get(request.params.id);
			return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(projectLive(project).text);
		});

		const back = (id: string, done: string) => `/ui/projects/${encodeURIComponent(id)}?done=${done}`;
		ui.post<{ Params: { id: string } }>('/ui/projects/:id/cancel', { schema: { hide: true, params: idParams } }, async (request, reply) => {
			await cancelProject(services, request.params.id, { reason: 'cancelled from the dashboard', source: 'dashboard' });
			return reply.redirect(back(request.params.id, 'cancelled'), 303);
		});
		ui.post<{ Params: { id: string } }>('/ui/projects/:id/retry', { schema: { hide: true, params: idParams } }, async (request, reply) => {
			await retryProject(services, request.params.id, { reason: 'retried from the dashboard', source: 'dashboard' });
			return reply.redirect(back(request.params.id, 'retried'), 303);
		});
		ui.post<{ Params: { id: string }; Body: Record<string, string> | undefined }>('/ui/projects/:id/delete', { schema: { hide: true, params: idParams } }, async (request, reply) => {
			await deleteProject(services, request.params.id, request.body?.force === 'true');
			return reply.redirect('/ui/?done=deleted', 303);
		});

		// The plan's approval, decided here as in the API and the portal (driver/decideApproval).
		ui.post<{ Params: { id: string }; Body: Record<string, string> | undefined }>('/ui/projects/:id/approval', { schema: { hide: true, params: idParams } }, async (request, reply) => {
			const decision = APPROVAL_DECISIONS.find((d) => d === request.body?.decision) as ApprovalDecision | undefined;
			if (!decision) throw new InvalidInputError('decision', `must be one of ${APPROVAL_DECISIONS.join(', ')}`);
			const comment = request.body?.comment?.trim() || undefined;
			await decideApproval(services, request.params.id, { decision, ...(comment ? { comment } : {}) }, 'dashboard');
			return reply.redirect(back(request.params.id, decision === 'approve' ? 'approved' : 'request_changes'), 303);
		});

		// A client portal link, shown once to the operator to pass on (as POST /api/projects/:id/portal-link makes it).
		const links = new PortalLinks(services.redis, services.config.keyPrefix, services.runs, { secret: services.config.portalSecret });
		ui.post<{ Params: { id: string } }>('/ui/projects/:id/portal-link', { schema: { hide: true, params: idParams } }, async (request, reply) => {
			const project = await store.get(request.params.id);
			const link = await links.create(project.id, PORTAL_LINK.defaultHours);
			await store.addEvent(project.id, { type: PORTAL_EVENT_TYPES.linkCreated, source: 'dashboard', data: { expiresAt: link.expiresAt } });
			const origin = `${servedOverHttps(request) ? 'https' : request.protocol}://${request.headers.host ?? ''}`;
			return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(dashboardPage('Portal link', chrome, portalLinkPage(project, `${origin}${link.url}`, link.expiresAt), []));
		});

		uiEventRoutes(ui, services);

		// Bull Board, behind the same sign-in; its page gets its own policy (uiShell.ts, BULL_BOARD_CSP).
		const board = new FastifyAdapter();
		board.setBasePath('/ui/queues');
		// @bull-board/api is pinned to the version @bull-board/fastify pins, so both see one adapter interface.
		createBullBoard({ queues: [new BullMQAdapter(services.queue.queue)], serverAdapter: board, options: { uiConfig: { boardTitle: 'AI Company queue' } } });
		// A job's data is written by the API alone, which validates it (the workers trust it): Bull
		// Board's "add job" and "edit data" are refused; reading, retrying, promoting and cleaning stay.
		ui.addHook('onRequest', async (request, reply) => {
			if (BOARD_DATA_WRITES.has(`${request.method} ${request.routeOptions.url ?? ''}`)) {
				return reply.code(403).type('text/plain; charset=utf-8').send("refused: a job's data is written through the API, which checks it, not from the queue board");
			}
		});
		await ui.register(board.registerPlugin(), { prefix: '/ui/queues' });
		// Its page links Google Fonts: the link goes, so the browser asks no other site for anything.
		ui.addHook('onSend', async (request, _reply, payload) =>
			typeof payload === 'string' && request.url.startsWith('/ui/queues') ? payload.replace(/<link[^>]+href="https:\/\/fonts\.googleapis\.com[^>]*>/g, '') : payload,
		);
	});
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { APPROVAL_DECISIONS, type ApprovalDecision } from '../../contracts/approval';
import type { Project } from '../../contracts/project';
import { projectReportSchema, type ProjectReport } from '../../contracts/report';
import { schemaProblems } from '../../contracts/schemaValidator';
import { decideApproval } from '../../driver/decideApproval';
import { AiCompanyError } from '../../errors';
import { jobIds } from '../../queue/jobIds';
import type { Services } from '../../service/services';
import { ProjectNotFoundError } from '../../state/errors';
import { portalPage, refusedPage, type PortalView } from '../../ui/portal/portalPage';
import { sameOrigin, servedOverHttps } from '../../ui/requestChecks';
import { PortalLinks } from '../portal/portalTokens';
import { portalLinkRoutes } from './portalLinks';

const COOKIE = 'aic_portal';
const FORM = 'application/x-www-form-urlencoded';
/** A decision's form: a comment of at most 4,000 characters, escaped as a form encodes it. */
const FORM_LIMIT = 64 * 1024;
/** How many project versions back the page looks for the latest progress report (report jobs are one per version). */
const REPORT_LOOKBACK = 20;

type PortalRequest = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, string | undefined>; Body: Record<string, string> | undefined }>;

/**
 * The client portal: the link API (POST/DELETE /api/projects/:id/portal-link, behind the API token)
 * and the pages the link opens (GET /portal/:id, POST /portal/:id/approval), which need no API
 * token: the link's token is the key. Opened with `?t=<token>`, the page puts the token in an
 * HttpOnly, SameSite=Strict cookie scoped to this project's portal path and redirects to the URL
 * without it, so the token appears in no link, script or later request line of the page. Every
 * refused token (forged, expired, revoked, another project's, missing) gets the same 401 page.
 */
export function portalRoutes(app: FastifyInstance, services: Services): void {
	const links = new PortalLinks(services.redis, services.config.keyPrefix, services.runs, { secret: services.config.portalSecret });
	portalLinkRoutes(app, services, links);

	void app.register(async (portal) => {
		if (!portal.hasContentTypeParser(FORM)) {
			portal.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_request, body, done) => {
				done(null, Object.fromEntries(new URLSearchParams(body as string)));
			});
		}

		portal.get('/portal/:id', { schema: { hide: true } }, async (request: PortalRequest, reply) => {
			const { id } = request.params;
			const given = request.query.t;
			if (given !== undefined) {
				const verdict = await links.verify(id, given);
				if (!verdict.ok) return refuse(reply);
				const maxAge = Math.max(0, verdict.claims.expiresAt - Math.floor(Date.now() / 1000));
				reply.header('set-cookie', `${COOKIE}=${given}; Path=/portal/${id}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${servedOverHttps(request) ? '; Secure' : ''}`);
				return reply.code(303).header('location', `/portal/${id}`).header('cache-control', 'no-store').send();
			}
			const project = await openedProject(request);
			if (!project) return refuse(reply);
			const sent = request.query.sent;
			const notice: PortalView['notice'] =
				sent === 'approve' ? { kind: 'status', text: 'Thank you: the plan is approved and development starts.' }
				: sent === 'request_changes' ? { kind: 'status', text: 'Thank you: the plan is being made again with your comment.' }
				: undefined;
			return show(reply, 200, { project, report: await latestReport(services, project), notice });
		});

		portal.post('/portal/:id/approval', { schema: { hide: true } }, async (request: PortalRequest, reply) => {
			const project = await openedProject(request);
			if (!project) return refuse(reply);
			// With the cookie SameSite=Strict another site's form cannot carry it; the origin check refuses the rest.
			if (!sameOrigin(request.headers)) return show(reply, 403, { project, notice: { kind: 'alert', text: 'Your decision was not sent from this page: open the page again and send it from there.' } });
			const decision = request.body?.decision;
			if (!APPROVAL_DECISIONS.includes(decision as ApprovalDecision)) {
				return show(reply, 400, { project, notice: { kind: 'alert', text: 'Choose "Approve the plan" or "Request changes".' } });
			}
			const comment = request.body?.comment;
			try {
				await decideApproval(services, project.id, { decision: decision as ApprovalDecision, ...(comment ? { comment } : {}) }, 'portal');
			} catch (error) {
				if (!(error instanceof AiCompanyError) || error.httpStatus >= 500) throw error;
				const current = await services.store.get(project.id);
				return show(reply, error.httpStatus, { project: current, notice: { kind: 'alert', text: refusalWords(error) } });
			}
			return reply.code(303).header('location', `/portal/${project.id}?sent=${decision}`).header('cache-control', 'no-store').send();
		});
	});

	/** The project the request's cookie opens, or null: a refused token or a project no longer there. */
	async function openedProject(request: PortalRequest): Promise<Project | null> {
		const { id } = request.params;
		const verdict = await links.verify(id, cookieValue(request.headers.cookie, COOKIE));
		if (!verdict.ok) return null;
		try {
			return await services.store.get(id);
		} catch (error) {
			if (error instanceof ProjectNotFoundError) return null;
			throw error;
		}
	}
}

function refuse(reply: FastifyReply): FastifyReply {
	return reply.code(401).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(refusedPage());
}

function show(reply: FastifyReply, status: number, view: PortalView): FastifyReply {
	return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(portalPage(view));
}

/** What the client reads when a decision is refused: the plan no longer waits, or the comment is missing or too long. */
function refusalWords(error: AiCompanyError): string {
	if (error.httpStatus === 409) return 'The plan is no longer waiting for a decision (it was decided already, or the project changed): the page now shows where it stands.';
	if (error.field === 'comment') return `Your comment ${error.message.replace(/^[^:]*: /, '')}.`;
	return 'Your decision could not be taken: open the page again and send it once more.';
}

/** One cookie's value from a Cookie header (the first of that name). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
	for (const part of (header ?? '').split(';')) {
		const at = part.indexOf('=');
		if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
	}
	return undefined;
}

/** The newest progress report written for the client (a report job's result), looking back a few project versions. */
async function latestReport(services: Services, project: Project): Promise<ProjectReport | null> {
	const versions = Array.from({ length: Math.min(REPORT_LOOKBACK, project.version) }, (_, i) => project.version - i);
	const views = await Promise.all(versions.map((version) => services.queue.view(jobIds.report(project.id, version))));
	for (const view of views) {
		const report = (view?.state === 'completed' ? (view.result as { report?: unknown } | undefined)?.report : undefined) as ProjectReport | undefined;
		if (report && schemaProblems(projectReportSchema, report).length === 0) return report;
	}
	return null;
}

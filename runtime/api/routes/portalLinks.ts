import type { FastifyInstance } from 'fastify';

import { PORTAL_LINK } from '../../config/defaults';
import { PORTAL_EVENT_TYPES, type PortalLinkBody } from '../../contracts/approval';
import type { Services } from '../../service/services';
import type { PortalLinks } from '../portal/portalTokens';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;

const portalLinkBodySchema = {
	type: ['object', 'null'],
	additionalProperties: false,
	properties: { expiresInHours: { type: 'number', minimum: PORTAL_LINK.minHours, maximum: PORTAL_LINK.maxHours } },
} as const;

/** The client portal's links: made for one project with an expiry, all of a project's revoked at once. */
export function portalLinkRoutes(app: FastifyInstance, services: Services, links: PortalLinks): void {
	app.post<{ Params: { id: string }; Body: PortalLinkBody | null }>(
		'/api/projects/:id/portal-link',
		{
			schema: {
				summary: `A link to the project's client portal, { url: "/portal/<id>?t=<token>", expiresAt }: signed, for this project only, valid ${PORTAL_LINK.defaultHours} hours unless expiresInHours (${PORTAL_LINK.minHours}-${PORTAL_LINK.maxHours}) says otherwise`,
				tags: ['portal'],
				params: idParams,
				body: portalLinkBodySchema,
			},
		},
		async (request, reply) => {
			const project = await services.store.get(request.params.id);
			const link = await links.create(project.id, request.body?.expiresInHours ?? PORTAL_LINK.defaultHours);
			await services.store.addEvent(project.id, { type: PORTAL_EVENT_TYPES.linkCreated, source: 'api', data: { expiresAt: link.expiresAt } });
			reply.code(201);
			return link;
		},
	);

	app.delete<{ Params: { id: string } }>(
		'/api/projects/:id/portal-link',
		{ schema: { summary: "Revoke every portal link of the project made so far (they answer 401 from now on)", tags: ['portal'], params: idParams } },
		async (request) => {
			const project = await services.store.get(request.params.id);
			await links.revoke(project.id);
			await services.store.addEvent(project.id, { type: PORTAL_EVENT_TYPES.linksRevoked, source: 'api', data: {} });
			return { projectId: project.id, revoked: true };
		},
	);
}

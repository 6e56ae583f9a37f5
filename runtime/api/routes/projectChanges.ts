import type { FastifyInstance } from 'fastify';

import { eventBodySchema, statusBodySchema, type EventBody, type StatusBody } from '../../contracts/service';
import { continueProject, runEnded } from '../../driver/continueProject';
import { ConflictError, InvalidInputError } from '../../errors';
import type { Services } from '../../service/services';
import { summaryOf } from './projects';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;

/** What the AI Company node's Project State operations change: a status move, an event of the client's, deletion. */
export function projectChangeRoutes(app: FastifyInstance, services: Services): void {
	const { store } = services;

	app.post<{ Params: { id: string }; Body: StatusBody }>(
		'/api/projects/:id/status',
		{ schema: { summary: 'Move the project along its lifecycle (refused moves: 409); end callbacks and webhooks fire', tags: ['projects'], params: idParams, body: statusBodySchema } },
		async (request) => {
			const { status, reason, expectedVersion } = request.body;
			const project = await store.updateStatus(request.params.id, status, { reason, expectedVersion, source: 'api' });
			await continueProject(services, project);
			return summaryOf(project);
		},
	);

	app.post<{ Params: { id: string }; Body: EventBody }>(
		'/api/projects/:id/events',
		{ schema: { summary: "Add an event to the project's log (the project itself does not change)", tags: ['projects'], params: idParams, body: eventBodySchema } },
		async (request, reply) => {
			const { type, message, data = {} } = request.body;
			if (message !== undefined && Object.hasOwn(data, 'message')) {
				throw new InvalidInputError('data.message', 'is given twice, as "message" and as data.message: send one of them');
			}
			const event = await store.addEvent(request.params.id, { type, source: 'api', data: message === undefined ? data : { ...data, message } });
			reply.code(201);
			return { projectId: request.params.id, eventId: event.id };
		},
	);

	app.delete<{ Params: { id: string }; Querystring: { force: boolean } }>(
		'/api/projects/:id',
		{
			schema: {
				summary: 'Delete the project, its event log and run record; one whose run has not ended only with ?force=true',
				tags: ['projects'],
				params: idParams,
				querystring: { type: 'object', additionalProperties: false, properties: { force: { type: 'boolean', default: false } } },
			},
		},
		async (request) => {
			await deleteProject(services, request.params.id, request.query.force);
			return { projectId: request.params.id, deleted: true };
		},
	);
}

/** Deletes a project whose run has ended, or any with `force` (the API's and the dashboard's delete). */
export async function deleteProject(services: Services, id: string, force: boolean): Promise<void> {
	const project = await services.store.get(id);
	if (!runEnded(project) && !force) {
		throw new ConflictError('force', `project "${project.id}" is ${project.status} and its run has not ended: cancel it first, or send ?force=true to delete it anyway (its running jobs then fail)`);
	}
	// Deleted as it was read: a change meanwhile (409) means the caller decides again.
	await services.store.delete(project.id, { expectedVersion: project.version });
}

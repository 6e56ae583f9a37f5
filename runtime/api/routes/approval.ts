import type { FastifyInstance } from 'fastify';

import { approvalBodySchema, type ApprovalBody } from '../../contracts/approval';
import { decideApproval } from '../../driver/decideApproval';
import type { Services } from '../../service/services';
import { summaryOf } from './projects';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;

/** The operator's (or a Project State node's) decision on a plan awaiting the client's approval. */
export function approvalRoutes(app: FastifyInstance, services: Services): void {
	app.post<{ Params: { id: string }; Body: ApprovalBody }>(
		'/api/projects/:id/approval',
		{
			schema: {
				summary: 'Approve the plan of a project awaiting approval (on to development) or request changes with a comment (the planner plans again); 409 unless it awaits approval',
				tags: ['projects'],
				params: idParams,
				body: approvalBodySchema,
			},
		},
		async (request) => {
			const project = await decideApproval(services, request.params.id, request.body, 'api');
			return { ...summaryOf(project), approval: project.approval };
		},
	);
}

import type { FastifyInstance } from 'fastify';

import { checkRunSettings } from '../../config/projectSettings';
import { PROJECT_STATUSES, type Project, type ProjectStatus } from '../../contracts/project';
import { projectIntakeBodySchema, type ProjectIntakeBody } from '../../contracts/service';
import { continueProject, runEnded } from '../../driver/continueProject';
import { ConflictError, InvalidInputError } from '../../errors';
import { checkOutboundSettings } from '../../net/outboundPolicy';
import type { Services } from '../../service/services';
import { titleFromRequirements, trimmedRequirements } from '../../state/intake';
import { longPoll } from '../longPoll';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
const reasonBody = { type: ['object', 'null'], additionalProperties: false, properties: { reason: { type: 'string', maxLength: 2000 } } } as const;

/** Intake, listing, reading, cancelling and retrying whole projects. */
export function projectRoutes(app: FastifyInstance, services: Services): void {
	const { store, runs } = services;

	app.post<{ Body: ProjectIntakeBody }>(
		'/api/projects',
		{ schema: { summary: 'Start a project from a client request (runs to the end unless "start": false)', tags: ['projects'], body: projectIntakeBodySchema } },
		async (request, reply) => {
			const body = request.body;
			const settings = checkRunSettings(body.settings, services.config);
			checkOutboundSettings(settings, services.config.outboundAllow);
			const client: { name?: string; email?: string } = {};
			if (body.clientName?.trim()) client.name = body.clientName;
			if (body.clientEmail?.trim()) client.email = body.clientEmail;
			const requirements = trimmedRequirements(body.requirements);
			const title = body.title?.trim() || titleFromRequirements(requirements);
			const { project, created } = await store.create({ title, requirements, client }, { idempotencyKey: body.idempotencyKey, source: 'api' });
			if (!created && project.requirements !== requirements) {
				throw new ConflictError('idempotencyKey', `was used for another request (project "${project.id}", "${project.title}"); send a new key for a new project`);
			}
			const run = await runs.init(project.id, body.start === false ? 'steps' : 'auto', settings);
			if (run.mode === 'auto') await continueProject(services, project);
			reply.code(created ? 201 : 200);
			return { projectId: project.id, status: project.status, created, mode: run.mode };
		},
	);

	app.get<{ Querystring: { status?: ProjectStatus; offset?: number; limit?: number } }>(
		'/api/projects',
		{
			schema: {
				summary: 'Projects, newest first: the active ones, or those in one status',
				tags: ['projects'],
				querystring: {
					type: 'object',
					additionalProperties: false,
					properties: {
						status: { type: 'string', enum: [...PROJECT_STATUSES] },
						offset: { type: 'integer', minimum: 0, default: 0 },
						limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
					},
				},
			},
		},
		async (request) => {
			const page = await store.list(request.query);
			return { ...page, projects: page.projects.map(summaryOf) };
		},
	);

	app.get<{ Params: { id: string }; Querystring: { wait: number } }>(
		'/api/projects/:id',
		{
			schema: {
				summary: 'A project: status, plan, tasks with attempts and test reports, usage, repository (waits up to ?wait=SECONDS, at most 60, for its run to end)',
				tags: ['projects'],
				params: idParams,
				querystring: { type: 'object', additionalProperties: false, properties: { wait: { type: 'number', minimum: 0, maximum: 60, default: 0 } } },
			},
		},
		async (request) => {
			const project = await longPoll(request, request.query.wait, () => store.get(request.params.id), runEnded);
			const run = await runs.get(project.id);
			return { ...project, run: { mode: run.mode, round: run.round } };
		},
	);

	app.get<{ Params: { id: string }; Querystring: { after?: string; limit?: number } }>(
		'/api/projects/:id/events',
		{
			schema: {
				summary: "The project's event log, oldest first; page on with ?after=<last id>",
				tags: ['projects'],
				params: idParams,
				querystring: {
					type: 'object',
					additionalProperties: false,
					properties: { after: { type: 'string', pattern: '^\\d+-\\d+$' }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
				},
			},
		},
		async (request) => ({ events: await store.events(request.params.id, { after: request.query.after, count: request.query.limit }) }),
	);

	app.post<{ Params: { id: string }; Body: { reason?: string } | null }>(
		'/api/projects/:id/cancel',
		{ schema: { summary: 'Cancel a project; its running jobs stop within about a second, a model call or test run in progress included', tags: ['projects'], params: idParams, body: reasonBody } },
		async (request) => summaryOf(await cancelProject(services, request.params.id, { reason: request.body?.reason ?? 'cancelled through the API', source: 'api' })),
	);

	app.post<{ Params: { id: string } }>(
		'/api/projects/:id/retry',
		{ schema: { summary: 'Run a failed project again from where it failed (its failed tasks get new attempts)', tags: ['projects'], params: idParams } },
		async (request) => summaryOf(await retryProject(services, request.params.id, { reason: 'retried through the API', source: 'api' })),
	);
}

/** Cancels the project (the API's and the dashboard's cancel); its running jobs stop. */
export async function cancelProject(services: Services, id: string, by: { reason: string; source: string }): Promise<Project> {
	const project = await services.store.updateStatus(id, 'cancelled', by);
	await continueProject(services, project);
	return project;
}

/** Runs a failed project again from where it failed (the API's and the dashboard's retry). */
export async function retryProject(services: Services, id: string, by: { reason: string; source: string }): Promise<Project> {
	const { store, runs } = services;
	const current = await store.get(id);
	if (current.status !== 'failed') throw new InvalidInputError('id', `project "${current.id}" is ${current.status}; only a failed project can be retried`);
	const run = await runs.get(current.id);
	await runs.nextRound(current.id, run.mode);
	const project = await store.updateStatus(current.id, current.resumeStatus ?? 'development', by);
	await continueProject(services, project);
	return project;
}

/** A listing row: what a dashboard shows, without code or reports. */
export function summaryOf(project: Project): Record<string, unknown> {
	const tasks = Object.values(project.tasks);
	return {
		projectId: project.id,
		title: project.title,
		status: project.status,
		statusReason: project.statusReason,
		client: project.client,
		tasks: { total: tasks.length, done: tasks.filter((t) => t.status === 'done').length, failed: tasks.filter((t) => t.status === 'failed').length },
		repository: project.repository,
		createdAt: project.createdAt,
		updatedAt: project.updatedAt,
		version: project.version,
	};
}

import type { FastifyInstance } from 'fastify';

import type { ServiceConfig } from '../../config/environment';
import { checkModelReference } from '../../config/modelProviders';
import {
	developBodySchema,
	planBodySchema,
	publishBodySchema,
	reportBodySchema,
	reviewBodySchema,
	testBodySchema,
	type DevelopBody,
	type PlanBody,
	type PublishBody,
	type ReportBody,
	type ReviewBody,
	type TestBody,
} from '../../contracts/service';
import { reportVersionOf } from '../../contracts/usage';
import { queueStep, type StepJobName } from '../../driver/queueStep';
import { checkOutboundUrl } from '../../net/outboundPolicy';
import { planTaskOf } from '../../pipeline/projectFiles';
import { checkPromptTemplate } from '../../prompts/renderPrompt';
import { jobIds } from '../../queue/jobIds';
import type { Services } from '../../service/services';

const projectParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
const taskParams = {
	type: 'object',
	required: ['id', 'taskId'],
	properties: { id: { type: 'string', minLength: 1, maxLength: 200 }, taskId: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;
const accepted = {
	202: {
		type: 'object',
		properties: { jobId: { type: 'string' }, name: { type: 'string' }, state: { type: 'string' }, projectId: { type: 'string' }, taskId: { type: 'string' } },
	},
} as const;

/**
 * A custom prompt that does not compile, or a model on a provider this service has not configured,
 * is refused now, not when the job runs.
 */
function checked<T extends { promptTemplate?: string; model?: string }>(body: T | null, config: ServiceConfig): T | Record<string, never> {
	if (body?.promptTemplate !== undefined) checkPromptTemplate(body.promptTemplate, 'promptTemplate');
	checkModelReference(body?.model, config, 'model');
	return body ?? {};
}

/**
 * One step of a project at a time, for workflows that show each role on the canvas. Each answers at
 * once with a job; GET /api/jobs/:jobId?wait=… gives its result. The job id comes from the project,
 * task and attempt, so a request sent twice answers with the job already there.
 */
export function stepRoutes(app: FastifyInstance, services: Services): void {
	const { store, runs } = services;
	const enqueue = async (name: StepJobName, jobId: string, data: Record<string, unknown>) => {
		const { callbackUrl, ...jobData } = data;
		if (typeof callbackUrl === 'string') checkOutboundUrl(callbackUrl, 'callbackUrl', services.config.outboundAllow);
		const queued = await queueStep(services, name, jobId, jobData, typeof callbackUrl === 'string' ? callbackUrl : undefined);
		return { jobId: queued.jobId, name, state: queued.state, projectId: jobData.projectId as string, ...(jobData.taskId ? { taskId: jobData.taskId as string } : {}) };
	};

	app.post<{ Params: { id: string }; Body: PlanBody | null }>(
		'/api/projects/:id/plan',
		{ schema: { summary: 'Plan the project (intake → planned)', tags: ['steps'], params: projectParams, body: { ...planBodySchema, type: ['object', 'null'] }, response: accepted } },
		async (request, reply) => {
			const project = await store.get(request.params.id);
			const { round } = await runs.get(project.id);
			reply.code(202);
			return enqueue('plan', jobIds.plan(project.id, round, project.approval?.changeRequests ?? 0), { projectId: project.id, ...checked(request.body, services.config) });
		},
	);

	app.post<{ Params: { id: string; taskId: string }; Body: DevelopBody | null }>(
		'/api/projects/:id/tasks/:taskId/develop',
		{ schema: { summary: "Write or fix a task's code", tags: ['steps'], params: taskParams, body: { ...developBodySchema, type: ['object', 'null'] }, response: accepted } },
		async (request, reply) => {
			const project = await store.get(request.params.id);
			const { state } = planTaskOf(project, request.params.taskId);
			const attempt = state.status === 'in_progress' ? state.attempts : state.attempts + 1;
			reply.code(202);
			return enqueue('develop', jobIds.develop(project.id, request.params.taskId, attempt), { projectId: project.id, taskId: request.params.taskId, ...checked(request.body, services.config) });
		},
	);

	app.post<{ Params: { id: string; taskId: string }; Body: TestBody | null }>(
		'/api/projects/:id/tasks/:taskId/test',
		{ schema: { summary: "Write the task's tests once, run them in the sandbox, finish the attempt", tags: ['steps'], params: taskParams, body: { ...testBodySchema, type: ['object', 'null'] }, response: accepted } },
		async (request, reply) => {
			const project = await store.get(request.params.id);
			const { state } = planTaskOf(project, request.params.taskId);
			reply.code(202);
			return enqueue('test', jobIds.test(project.id, request.params.taskId, state.attempts), { projectId: project.id, taskId: request.params.taskId, ...checked(request.body, services.config) });
		},
	);

	app.post<{ Params: { id: string; taskId: string }; Body: ReviewBody | null }>(
		'/api/projects/:id/tasks/:taskId/review',
		{ schema: { summary: "Review a task whose tests passed: approve (done) or request changes (the developer's next attempt)", tags: ['steps'], params: taskParams, body: { ...reviewBodySchema, type: ['object', 'null'] }, response: accepted } },
		async (request, reply) => {
			const project = await store.get(request.params.id);
			const { state } = planTaskOf(project, request.params.taskId);
			reply.code(202);
			return enqueue('review', jobIds.review(project.id, request.params.taskId, state.attempts), { projectId: project.id, taskId: request.params.taskId, ...checked(request.body, services.config) });
		},
	);

	app.post<{ Params: { id: string }; Body: PublishBody | null }>(
		'/api/projects/:id/publish',
		{ schema: { summary: 'Push the repository: one commit per finished task; completes the project when every task is done', tags: ['steps'], params: projectParams, body: { ...publishBodySchema, type: ['object', 'null'] }, response: accepted } },
		async (request, reply) => {
			const project = await store.get(request.params.id);
			reply.code(202);
			return enqueue('publish', jobIds.publish(project.id, project.version), { projectId: project.id, ...request.body });
		},
	);

	app.post<{ Params: { id: string }; Body: ReportBody | null }>(
		'/api/projects/:id/report',
		{ schema: { summary: "Write the client's progress report on the project as it stands (reads the project; changes only its usage, under the role reporter)", tags: ['steps'], params: projectParams, body: { ...reportBodySchema, type: ['object', 'null'] }, response: accepted } },
		async (request, reply) => {
			const project = await store.get(request.params.id);
			reply.code(202);
			// A project changed only by its last report's usage stands at the version that report was written from: the same job answers.
			return enqueue('report', jobIds.report(project.id, reportVersionOf(project)), { projectId: project.id, ...checked(request.body, services.config) });
		},
	);
}

import { planProject, type PlannerOutput, type PlannerSettings } from '../agents/planner/planProject';
import type { Project } from '../contracts/project';
import { InvalidInputError } from '../errors';
import type { StepContext } from './developerStep';
import { meteredAgentCall, recordUsage } from './metering';

export interface PlannerStepResult {
	project: Project;
	/** Absent when the stored plan was kept (the project had one already). */
	output?: PlannerOutput;
}

/**
 * Plans a stored project and moves it intake → planning → planned. A project that already has its
 * plan (a retried job, a worker that died after storing it) keeps it: a finished model call is
 * never paid for twice.
 */
export async function runPlannerStep(context: StepContext, projectId: string, settings: PlannerSettings): Promise<PlannerStepResult> {
	const { store, source } = context;
	let project = await store.get(projectId);
	if (project.status === 'intake') project = await store.updateStatus(projectId, 'planning', { source });
	if (project.status !== 'planning') {
		if (project.plan) return { project };
		throw new InvalidInputError('projectId', `project "${projectId}" is ${project.status}; only a project in intake or planning can be planned`);
	}
	if (project.plan) return { project: await store.updateStatus(projectId, 'planned', { source }) };
	const output = await meteredAgentCall(context, projectId, 'planner', () =>
		planProject({ requirements: project.requirements, title: project.title, projectId, client: project.client, ...changeRequestOf(project) }, context.llm, settings),
	);
	await recordUsage(context, projectId, 'planner', output);
	await store.setPlan(projectId, output.plan, { source });
	return { project: await store.updateStatus(projectId, 'planned', { source }), output };
}

/** The client's comment on the plan they asked to change (the plan was dropped with the request, so this plan is the new one). */
function changeRequestOf(project: Project): { changeRequest?: string } {
	const approval = project.approval;
	return approval?.decision === 'request_changes' && approval.comment !== undefined ? { changeRequest: approval.comment } : {};
}

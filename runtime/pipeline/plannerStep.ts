import { planProject, type PlannerOutput, type PlannerSettings } from '../agents/planner/planProject';
import type { Project } from '../contracts/project';
import { InvalidInputError } from '../errors';
import type { StepContext } from './developerStep';
import { meteredAgentCall } from './metering';

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
	const output = await meteredAgentCall(store, projectId, 'planner', source, () =>
		planProject({ requirements: project.requirements, title: project.title, projectId, client: project.client }, context.llm, settings),
	);
	await store.addUsage(projectId, 'planner', output.usage, { source });
	await store.setPlan(projectId, output.plan, { source });
	return { project: await store.updateStatus(projectId, 'planned', { source }), output };
}

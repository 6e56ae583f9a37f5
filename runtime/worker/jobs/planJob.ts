import type { PlanJobData } from '../../contracts/service';
import { continueProject } from '../../driver/continueProject';
import { runPlannerStep } from '../../pipeline/plannerStep';
import { plannerSettings } from '../agentSettings';
import type { JobContext } from '../jobContext';

/** Plans the project (intake → planning → planned); the AI Planner node's output is the result. */
export async function planJob(context: JobContext): Promise<Record<string, unknown>> {
	const data = context.job.data as PlanJobData;
	context.progress({ phase: 'planning' });
	const { project, output } = await runPlannerStep(context.step, data.projectId, plannerSettings(context.settings, data));
	await continueProject(context.services, project);
	return {
		projectId: project.id,
		title: project.title,
		plan: project.plan,
		model: output?.model ?? null,
		usage: output?.usage ?? null,
		repairs: output?.repairs ?? 0,
		client: project.client,
		reusedStoredPlan: !output,
	};
}

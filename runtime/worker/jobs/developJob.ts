import type { DevelopJobData } from '../../contracts/service';
import { runDeveloperStep } from '../../pipeline/developerStep';
import { planTaskOf } from '../../pipeline/projectFiles';
import { developerSettings } from '../agentSettings';
import type { JobContext } from '../jobContext';

/**
 * One developer turn on a task (the AI Developer node's step). The project moves to development
 * when it is planned or back from testing. A turn whose code is already stored (a retried request,
 * a restarted worker) returns that code instead of asking the model again.
 */
export async function developJob(context: JobContext): Promise<Record<string, unknown>> {
	const data = context.job.data as DevelopJobData;
	const { store } = context.services;
	const source = context.step.source;
	let project = await store.get(data.projectId);
	if (project.status === 'planned' || project.status === 'testing') project = await store.updateStatus(project.id, 'development', { source });
	const { planTask, state } = planTaskOf(project, data.taskId);
	if (state.status === 'in_progress' && state.developedAttempt === state.attempts && data.mode !== 'fix') {
		return { projectId: project.id, taskId: data.taskId, task: planTask, attempt: state.attempts, reused: true, files: state.files };
	}
	context.progress({ phase: 'developing', taskId: data.taskId });
	const { output, attempt } = await runDeveloperStep(context.step, project.id, data.taskId, {
		...developerSettings(context.settings, data),
		mode: data.mode ?? 'auto',
	});
	return { projectId: project.id, taskId: data.taskId, task: planTask, attempt, ...output };
}

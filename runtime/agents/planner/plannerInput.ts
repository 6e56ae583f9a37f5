import type { ProjectClient, ProjectIntake } from '../../contracts/project';

/**
 * What the planner plans from: a stored project's intake (checked by the store when the project was
 * created, runtime/state/intake.ts), with its id.
 */
export interface PlannerInput extends ProjectIntake {
	projectId: string | null;
	client: ProjectClient;
	/** The client's comment when they asked for changes to the previous plan (settings.approval "plan"); fenced in the prompt. */
	changeRequest?: string;
}

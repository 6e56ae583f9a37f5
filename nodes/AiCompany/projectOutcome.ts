import type { IDataObject } from 'n8n-workflow';

/** The parts of GET /api/projects/:id that the outcome is made of. */
export interface ProjectView extends IDataObject {
	id: string;
	title: string;
	status: string;
	statusReason?: string | null;
	repository?: IDataObject | null;
	client?: IDataObject;
	tasks: Record<string, { status: string; attempts: number }>;
	usage?: { total?: IDataObject };
}

/**
 * The same shape as the service's end callback and the trigger's `project` (runtime
 * worker/continueProject.ts projectOutcome), so a workflow reads the end alike from all three.
 */
export function projectOutcome(project: ProjectView): IDataObject {
	return {
		projectId: project.id,
		title: project.title,
		status: project.status,
		reason: project.statusReason ?? null,
		repository: project.repository ?? null,
		client: project.client ?? {},
		tasks: Object.entries(project.tasks).map(([id, task]) => ({ id, status: task.status, attempts: task.attempts })),
		usage: project.usage?.total ?? null,
	};
}

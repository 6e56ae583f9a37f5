import type { ProjectClient, ProjectStatus, RepositoryInfo, TaskStatus } from './project';
import type { LlmUsage, UsageCost } from './usage';

/** The statuses a run ends in: completed and cancelled for good, failed until a retry (nothing runs meanwhile). */
export const RUN_ENDED_STATUSES = ['completed', 'failed', 'cancelled'] as const satisfies readonly ProjectStatus[];
export type RunEndedStatus = (typeof RUN_ENDED_STATUSES)[number];

/**
 * What a project's end callback (settings.callbackUrl), its deploy hook, every webhook delivery's
 * `project` and the AI Company node's output carry: enough for the next n8n node, not the whole
 * project. runtime/driver/projectOutcome.ts makes it from the stored project; the node makes the
 * same from GET /api/projects/:id. A type, not an interface, so that it is also a JSON object
 * (a job's Record<string, unknown>, n8n's IDataObject).
 */
export type ProjectOutcome = {
	projectId: string;
	title: string;
	status: ProjectStatus;
	/** The reason given with the latest status change (why it failed), or null. */
	reason: string | null;
	repository: RepositoryInfo | null;
	client: ProjectClient;
	/** One per task of the project: its status and how many times it was started. */
	tasks: Array<{ id: string; status: TaskStatus; attempts: number }>;
	/** The whole project's model usage. */
	usage: LlmUsage;
	/** What that usage cost in USD (total, by role, by model; MODEL_PRICES); null for a project stored before cost was kept. */
	cost: UsageCost | null;
};

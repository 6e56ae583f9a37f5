import type { Delivery, ProjectClient, ProjectStatus, RepositoryInfo, TaskStatus } from './project';
import type { StoredReview } from './review';
import type { LlmUsage, UsageCost } from './usage';

/** The statuses a run ends in: completed and cancelled for good, failed until a retry (nothing runs meanwhile). */
export const RUN_ENDED_STATUSES = ['completed', 'failed', 'cancelled'] as const satisfies readonly ProjectStatus[];
export type RunEndedStatus = (typeof RUN_ENDED_STATUSES)[number];

/** A review as the outcome tells it: the verdict, the reviewer's summary, the rounds it took, and whether a last rejection only warned. */
export type ReviewBrief = Pick<StoredReview, 'verdict' | 'summary'> & { rounds: number; warned: boolean };

/** A delivery as the outcome tells it: file paths, not contents. */
export type DeliveryBrief = Pick<Delivery, 'testCommand' | 'verified'> & { files: string[] };

/** The brief of a stored review (the outcome's and the client report's). */
export function reviewBrief(review: StoredReview | null | undefined): ReviewBrief | null {
	return review ? { verdict: review.verdict, summary: review.summary, rounds: review.round, warned: review.warned === true } : null;
}

/** The brief of a stored delivery. */
export function deliveryBrief(delivery: Pick<Delivery, 'testCommand' | 'verified' | 'files'> | null | undefined): DeliveryBrief | null {
	return delivery ? { testCommand: delivery.testCommand, verified: delivery.verified, files: delivery.files.map((f) => f.path) } : null;
}

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
	/** One per task of the project: its status, how many times it was started, and its latest review (null before one). */
	tasks: Array<{ id: string; status: TaskStatus; attempts: number; review: ReviewBrief | null }>;
	/** The whole project's latest review (its `review` status); null before one, or with review off. */
	review: ReviewBrief | null;
	/** What DevOps delivered: the repository's own test command, whether it passed in a clean clone, the files it added; null before packaging. */
	delivery: DeliveryBrief | null;
	/** The whole project's model usage. */
	usage: LlmUsage;
	/** What that usage cost in USD (total, by role, by model; MODEL_PRICES); null for a project stored before cost was kept. */
	cost: UsageCost | null;
};

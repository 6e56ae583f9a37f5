import type { JobQueue } from '../queue/jobQueue';
import type { ProjectRuns } from '../state/projectRuns';
import type { ProjectStore } from '../state/projectStore';
import type { WebhookSubscriptions } from '../webhooks/subscriptions';

/**
 * The parts of the process's services the driver uses: the store and run records it reads, the
 * queue it feeds, the subscriptions it announces to. Declared here so the driver depends only on
 * the rooms below it; the API and the worker hand it their whole `Services`.
 */
export interface DriverServices {
	store: ProjectStore;
	runs: ProjectRuns;
	queue: JobQueue;
	webhooks: WebhookSubscriptions;
}

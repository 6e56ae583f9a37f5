import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

import type { ServiceConfig } from '../config/environment';
import type { CallLimiter } from '../llm/callLimiter';
import type { ProviderName } from '../llm/modelRef';
import type { JobQueue } from '../queue/jobQueue';
import type { ProjectStops } from '../queue/projectStops';
import type { ProjectRuns } from '../state/projectRuns';
import type { ProjectStore } from '../state/projectStore';
import type { WebhookSubscriptions } from '../webhooks/subscriptions';
import type { ServiceMetrics } from './metrics';

/** Everything a route or a job processor needs, made once per process (by `createServices` in bin/). */
export interface Services {
	config: ServiceConfig;
	redis: Redis;
	store: ProjectStore;
	runs: ProjectRuns;
	queue: JobQueue;
	webhooks: WebhookSubscriptions;
	/** Each provider's model calls in flight in this process (OLLAMA_NUM_PARALLEL, OPENAI_NUM_PARALLEL, ANTHROPIC_NUM_PARALLEL). */
	modelSlots: Record<ProviderName, CallLimiter>;
	/** Test runs in flight in this process (SANDBOX_PARALLEL). */
	testSlots: CallLimiter;
	/** Stops a job's model calls and test runs when its project is cancelled or deleted. */
	projectStops: ProjectStops;
	metrics: ServiceMetrics;
	logger: Logger;
	close(): Promise<void>;
}

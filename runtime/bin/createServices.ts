import pino, { type Logger } from 'pino';

import { testSlotCount, type ServiceConfig } from '../config/environment';
import { providerSlots } from '../config/modelProviders';
import { CallLimiter } from '../llm/callLimiter';
import { JobQueue } from '../queue/jobQueue';
import { ProjectStops } from '../queue/projectStops';
import type { Services } from '../service/services';
import { ServiceMetrics } from '../service/metrics';
import { connectRedis } from '../state/connection';
import { StoreKeys } from '../state/keys';
import { ProjectRuns } from '../state/projectRuns';
import { ProjectStore } from '../state/projectStore';
import { WebhookSubscriptions } from '../webhooks/subscriptions';

/** Makes the process's services once, at its start: one Redis connection shared by the store, the run records, the queue and the stop watches. */
export async function createServices(config: ServiceConfig, logger: Logger = createLogger(config)): Promise<Services> {
	const redis = await connectRedis(config.redisUrl, redisOptions);
	const store = new ProjectStore(redis, { prefix: config.keyPrefix, source: 'service' });
	const queue = new JobQueue(redis, config);
	const keys = new StoreKeys(config.keyPrefix);
	const projectStops = new ProjectStops(redis, keys);
	const slots = providerSlots(config);
	const modelSlots = { ollama: new CallLimiter(slots.ollama), openai: new CallLimiter(slots.openai), anthropic: new CallLimiter(slots.anthropic) };
	const metrics = new ServiceMetrics();
	metrics.watchModelSlots(modelSlots);
	return {
		config,
		redis,
		store,
		runs: new ProjectRuns(redis, keys),
		queue,
		webhooks: new WebhookSubscriptions(redis, config.keyPrefix, config.outboundAllow),
		modelSlots,
		testSlots: new CallLimiter(testSlotCount(config)),
		projectStops,
		metrics,
		logger,
		async close() {
			projectStops.close();
			await queue.close().catch(() => undefined);
			await redis.quit().catch(() => redis.disconnect());
		},
	};
}

/**
 * RESP2, as BullMQ's scripts expect their replies shaped; no per-command retry limit, so commands
 * wait through a Redis restart instead of failing the job they belong to.
 */
export const redisOptions = { protocol: 2, maxRetriesPerRequest: null } as const;

export function createLogger(config: Pick<ServiceConfig, 'logLevel'>): Logger {
	// Secrets never reach a log line, even when an error object carries them.
	return pino({ level: config.logLevel, redact: ['apiToken', 'githubToken', 'token', 'authorization', '*.authorization', 'headers.authorization'] });
}

import type { Job } from 'bullmq';

import { providerConnections } from '../config/modelProviders';
import { effectiveSettings, type EffectiveSettings } from '../config/projectSettings';
import type { GenerationJobData, ProjectRun } from '../contracts/service';
import { LlmClient } from '../llm/llmClient';
import type { StepContext } from '../pipeline/developerStep';
import type { Services } from '../service/services';
import { callLimitsOf } from './agentSettings';

/** What one job runs with: the services, its project's run record and settings, and a model client of its own. */
export interface JobContext {
	services: Services;
	job: Job;
	run: ProjectRun;
	settings: EffectiveSettings;
	step: StepContext;
	/** Aborted when the worker shuts down past its grace period (the job is handed back), or when its project is cancelled or deleted. */
	signal: AbortSignal;
	progress(update: Record<string, unknown>): void;
}

const PROGRESS_EVERY_MS = 1000;

export async function jobContext(services: Services, job: Job, projectId: string, signal: AbortSignal): Promise<JobContext> {
	const run = await services.runs.get(projectId);
	const settings = effectiveSettings(services.config, projectId, run.settings, run.mode);
	let phase: Record<string, unknown> = {};
	let lastSent = 0;
	const send = (update: Record<string, unknown>, force: boolean) => {
		phase = { ...phase, ...update };
		const now = Date.now();
		if (!force && now - lastSent < PROGRESS_EVERY_MS) return;
		lastSent = now;
		// Progress is for watching only: a failed write must not fail the job.
		job.updateProgress(phase).catch(() => undefined);
	};
	const llm = new LlmClient({
		connection: { baseUrl: services.config.ollamaHost, apiKey: services.config.ollamaApiKey },
		providers: providerConnections(services.config),
		// Transient model errors fail the job (unless its `llm.maxRetries` says otherwise), and BullMQ
		// retries it with backoff from what the store kept.
		...callLimitsOf(services.config, (job.data as GenerationJobData).llm),
		signal,
		limiters: services.modelSlots,
		limiterOwner: projectId,
		onProgress: ({ completionTokens }) => send({ completionTokens }, false),
	});
	return {
		services,
		job,
		run,
		settings,
		step: { store: services.store, llm, source: `worker:${job.name}`, testSlots: services.testSlots, signal, prices: services.config.modelPrices },
		signal,
		progress: (update) => send({ ...update, completionTokens: 0 }, true),
	};
}

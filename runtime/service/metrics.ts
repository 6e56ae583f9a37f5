import { Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { LlmUsage } from '../contracts/usage';

/** Prometheus metrics of one service process (GET /metrics). */
export class ServiceMetrics {
	readonly registry = new Registry();
	readonly jobSeconds = new Histogram({
		name: 'aic_job_duration_seconds',
		help: 'Time a worker spent on a job, by job name and outcome (completed, retry, failed, handed_back, stopped).',
		labelNames: ['name', 'outcome'],
		buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 900, 1800, 3600],
		registers: [this.registry],
	});
	readonly jobPhaseSeconds = new Counter({
		name: 'aic_job_phase_seconds_total',
		help: 'Seconds of completed jobs spent in a phase (llm: waiting for and in model calls; sandbox: test runs; git), by job name; the rest of aic_job_duration_seconds is queue, store and bookkeeping.',
		labelNames: ['name', 'phase'],
		registers: [this.registry],
	});
	readonly llmCalls = new Counter({ name: 'aic_llm_calls_total', help: 'Model calls (repairs and retries included), by role and model.', labelNames: ['role', 'model'], registers: [this.registry] });
	readonly llmTokens = new Counter({ name: 'aic_llm_tokens_total', help: 'Tokens by role, model and kind (prompt, completion).', labelNames: ['role', 'model', 'kind'], registers: [this.registry] });
	readonly llmSeconds = new Counter({ name: 'aic_llm_seconds_total', help: 'Seconds spent waiting on the model server, by role and model.', labelNames: ['role', 'model'], registers: [this.registry] });
	readonly errors = new Counter({ name: 'aic_errors_total', help: 'Job failures by kind (model_not_found, server_error, invalid_input, …) and whether they will be retried.', labelNames: ['kind', 'retrying'], registers: [this.registry] });
	readonly outboundRefused = new Counter({
		name: 'aic_outbound_refused_total',
		help: 'Deliveries refused by the outbound policy (OUTBOUND_ALLOW): a refused address, or a name resolving only to refused ones, by the field the URL came from (settings.callbackUrl, settings.deployHookUrl, callbackUrl, url).',
		labelNames: ['field'],
		registers: [this.registry],
	});
	readonly queueJobs = new Gauge({ name: 'aic_queue_jobs', help: 'Jobs in the queue by state.', labelNames: ['state'], registers: [this.registry] });
	readonly projects = new Gauge({ name: 'aic_projects', help: 'Projects (not archived) by status.', labelNames: ['status'], registers: [this.registry] });
	private readonly slotSources: Array<[string, { inFlight: number }]> = [];
	readonly modelSlotsBusy = new Gauge({
		name: 'aic_model_slots_busy',
		help: "Model calls in flight in this process, by provider (ollama, openai, anthropic): at its *_NUM_PARALLEL the provider's slots are all busy.",
		labelNames: ['provider'],
		registers: [this.registry],
		collect: () => {
			for (const [provider, slots] of this.slotSources) this.modelSlotsBusy.set({ provider }, slots.inFlight);
		},
	});

	/** Reads each provider's busy slots whenever /metrics is read. */
	watchModelSlots(slots: Record<string, { inFlight: number }>): void {
		this.slotSources.push(...Object.entries(slots));
	}

	recordUsage(role: string, model: string, usage: LlmUsage): void {
		if (usage.calls <= 0) return;
		this.llmCalls.inc({ role, model }, usage.calls);
		this.llmTokens.inc({ role, model, kind: 'prompt' }, usage.promptTokens);
		this.llmTokens.inc({ role, model, kind: 'completion' }, usage.completionTokens);
		this.llmSeconds.inc({ role, model }, usage.wallMs / 1000);
	}
}

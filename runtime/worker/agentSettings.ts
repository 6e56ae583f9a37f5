import type { PlannerSettings } from '../agents/planner/planProject';
import type { ReporterSettings } from '../agents/reporter/writeReport';
import { AGENT_DEFAULTS, DEFAULT_CONTEXT_TOKENS, DEFAULT_RETRY_POLICY } from '../config/defaults';
import type { ServiceConfig } from '../config/environment';
import type { EffectiveSettings } from '../config/projectSettings';
import type { DevelopJobData, GenerationJobData, LlmJobOptions, PlanJobData, ReportJobData, ReviewJobData, TestJobData } from '../contracts/service';
import type { GenerationOptions, LlmSettings } from '../llm/llmClient';
import type { DeveloperStepSettings } from '../pipeline/developerStep';
import type { ReviewerStepSettings } from '../pipeline/reviewerStep';
import type { TesterStepSettings } from '../pipeline/testerStep';

// What a job's agent runs with: the job's own options (a step request's `llm`, `promptTemplate`, …)
// over the project's settings over the service's defaults. Auto-mode task jobs carry none.

type JobOptions<T extends GenerationJobData> = Partial<Omit<T, 'projectId'>>;

/** The Ollama request's options, keep_alive and the repair count for a job's `llm` options. */
export function generationOf(llm: LlmJobOptions = {}): GenerationOptions & { maxRepairs: number } {
	const options: NonNullable<GenerationOptions['options']> = {
		temperature: llm.temperature ?? AGENT_DEFAULTS.temperature,
		num_ctx: llm.contextSize ?? AGENT_DEFAULTS.contextSize,
	};
	// 0 is Ollama's "random" and -1 its "no limit": sending them would change nothing.
	if (llm.seed !== undefined && llm.seed !== 0) options.seed = llm.seed;
	if (llm.maxTokens !== undefined && llm.maxTokens !== -1) options.num_predict = llm.maxTokens;
	const keepAlive = llm.keepAlive?.trim() || AGENT_DEFAULTS.keepAlive;
	return {
		options,
		// Ollama reads a bare number as seconds; "-1" as text is no duration it knows.
		keepAlive: /^-?\d+$/.test(keepAlive) ? Number(keepAlive) : keepAlive,
		maxRepairs: llm.maxRepairAttempts ?? AGENT_DEFAULTS.maxRepairs,
	};
}

/**
 * The job's model client limits: by default no retry inside the job (BullMQ retries the job with
 * backoff from what the store kept) and LLM_TIMEOUT_SECONDS per call; a job's `llm` may change both.
 */
export function callLimitsOf(config: Pick<ServiceConfig, 'llmTimeoutMs'>, llm: LlmJobOptions = {}): Pick<LlmSettings, 'timeoutMs' | 'retry'> {
	return {
		timeoutMs: llm.timeoutSeconds === undefined ? config.llmTimeoutMs : Math.round(llm.timeoutSeconds * 1000),
		retry: { ...DEFAULT_RETRY_POLICY, retries: llm.maxRetries ?? 0 },
	};
}

function templateOf(promptTemplate: string | undefined): { promptTemplate?: string } {
	return promptTemplate === undefined ? {} : { promptTemplate };
}

export function plannerSettings(settings: EffectiveSettings, job: JobOptions<PlanJobData> = {}): PlannerSettings {
	return {
		...generationOf(job.llm),
		...templateOf(job.promptTemplate),
		model: job.model ?? settings.models.planner,
		maxTasks: job.maxTasks ?? settings.maxPlanTasks,
	};
}

/** The developer's model and options; the project's escalation model takes a task's later attempts unless the job names a model. */
export function developerSettings(settings: EffectiveSettings, job: JobOptions<DevelopJobData> = {}): Omit<DeveloperStepSettings, 'mode'> {
	return {
		...generationOf(job.llm),
		...templateOf(job.promptTemplate),
		model: job.model ?? settings.models.developer,
		contextTokens: job.contextTokens ?? DEFAULT_CONTEXT_TOKENS,
		// A step request naming its model gets that model on every attempt; otherwise later attempts escalate.
		...(job.model === undefined && settings.escalation ? { escalation: settings.escalation } : {}),
	};
}

export function testerSettings(config: ServiceConfig, settings: EffectiveSettings, job: JobOptions<TestJobData> = {}): TesterStepSettings {
	const command = job.testCommand?.trim().split(/\s+/);
	return {
		...generationOf(job.llm),
		...templateOf(job.promptTemplate),
		model: job.model ?? settings.models.tester,
		regenerateTests: job.regenerateTests ?? false,
		run: {
			timeoutMs: job.testTimeoutSeconds === undefined ? config.testTimeoutMs : job.testTimeoutSeconds * 1000,
			maxOutputBytes: (job.maxOutputKb ?? AGENT_DEFAULTS.maxTestOutputKb) * 1024,
			// The sandbox is the service's own setting, never a request's.
			sandbox: config.sandbox,
			...(command ? { command } : {}),
		},
	};
}

/** The reviewer's model and options, with the project's review policy (rounds, what a last rejection does). */
export function reviewerSettings(settings: EffectiveSettings, job: JobOptions<ReviewJobData> = {}): Omit<ReviewerStepSettings, 'maxAttempts'> {
	return {
		...generationOf(job.llm),
		...templateOf(job.promptTemplate),
		model: job.model ?? settings.models.reviewer,
		policy: { rounds: settings.review.rounds, lastRejection: settings.review.lastRejection },
	};
}

export function reporterSettings(settings: EffectiveSettings, job: JobOptions<ReportJobData> = {}): ReporterSettings {
	return {
		...generationOf(job.llm),
		...templateOf(job.promptTemplate),
		model: job.model ?? settings.models.reporter,
	};
}

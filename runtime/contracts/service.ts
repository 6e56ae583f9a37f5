// The service's public shapes: per-project settings, HTTP bodies and BullMQ job data, each body with
// the JSON schema the HTTP layer validates with (fastify + ajv). Both are written by hand:
// test/unit/contracts/serviceSchemas.test.ts checks each type against its schema (same fields, same
// required ones, a full sample valid), so they cannot drift apart unnoticed.

import { INTAKE_LIMITS } from './limits';
import { PROJECT_STATUSES, type ProjectStatus } from './project';

/** Per-project settings, from the intake's `settings`; each one left out falls back to the service's environment. */
export interface RunSettings {
	/** `escalation`: the developer's model from a task's escalateAfterAttempts-th attempt on (MODEL_ESCALATION when left out; neither: no escalation). */
	models?: { planner?: string; developer?: string; tester?: string; reviewer?: string; escalation?: string };
	/** The task attempt (1-20, default 2) from which the developer writes with the escalation model; without one it changes nothing. */
	escalateAfterAttempts?: number;
	/** Review every task after its tests pass, and the whole project before delivery. Default: true in whole-project mode, false for step jobs (a canvas runs the AI Reviewer node). */
	review?: boolean;
	/** Review rounds per task (1-10, default 2); each rejection costs one of the task's maxFixAttempts too. */
	reviewRounds?: number;
	/** What a rejection in a task's last review round does: "fail" the task (and the project), or "warn" (the task is done, its review kept). Default "fail". */
	reviewLastRejection?: 'fail' | 'warn';
	maxFixAttempts?: number;
	maxPlanTasks?: number;
	/** The repository is `<gitRemoteBase>/<projectId>.git`. */
	gitRemoteBase?: string;
	github?: { owner?: string; repo?: string; private?: boolean };
	deployHookUrl?: string;
	/** POSTed once with the result when the project ends (an n8n Wait node's resume URL). */
	callbackUrl?: string;
	/** false: no packaging step (manifest, README, CI, …) and no proof from a clean clone. Default true. */
	packaging?: boolean;
	/** The delivered repository's LICENSE: one of DELIVERY_LICENSES; none when left out. */
	license?: DeliveryLicense;
	/** "plan": a whole project stops after planning (status awaiting_approval) until the client approves the plan or asks for changes. Default "none". */
	approval?: ApprovalSetting;
}

/** What a project's plan waits for before development (settings.approval). */
export const APPROVAL_SETTINGS = ['plan', 'none'] as const;
export type ApprovalSetting = (typeof APPROVAL_SETTINGS)[number];

/** The licenses DevOps can ship (their texts: runtime/agents/devops/licenses.ts). */
export const DELIVERY_LICENSES = ['MIT', 'ISC', 'BSD-2-Clause'] as const;
export type DeliveryLicense = (typeof DELIVERY_LICENSES)[number];

/** How the service drives a project: `auto` runs it to the end; `steps` waits for step jobs (canvas workflows). */
export type RunMode = 'auto' | 'steps';

/** Kept beside the project (`<prefix>project:<id>:run`): how this project is run. */
export interface ProjectRun {
	mode: RunMode;
	/** +1 on every retry after a failure; part of job ids, so a retry is new work and a repeated request is not. */
	round: number;
	settings: RunSettings;
}

export const JOB_NAMES = ['plan', 'develop', 'test', 'review', 'task', 'package', 'publish', 'report', 'advance', 'callback'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface ProjectJobData {
	projectId: string;
}

/**
 * What a step request carries besides its job's data: the API keeps the URL beside the job (the queue's
 * callback, runtime/driver/queueStep.ts) and POSTs the job's result there when it ends; the job itself
 * never sees it.
 */
export interface StepCallback {
	callbackUrl?: string;
}

/**
 * How a step job calls its model; each option left out keeps the service's default
 * (runtime/config/defaults.ts, LLM_TIMEOUT_SECONDS, JOB_ATTEMPTS).
 */
export interface LlmJobOptions {
	/** Ollama options.temperature, 0..2. */
	temperature?: number;
	/** Ollama options.num_ctx. */
	contextSize?: number;
	/** Ollama keep_alive: "5m", "1h", "-1" (a number of seconds, as text, is sent as a number). */
	keepAlive?: string;
	/** Ollama options.num_predict; -1 (no limit) is not sent. */
	maxTokens?: number;
	/** Ollama options.seed; 0 (random) is not sent. */
	seed?: number;
	/** How often an invalid reply is quoted back to the model and asked again. */
	maxRepairAttempts?: number;
	/** Retries of a transient model error inside the job, before the job itself fails (and BullMQ retries it). */
	maxRetries?: number;
	/** Bounds the whole model call, retries included; 0: no limit. */
	timeoutSeconds?: number;
}

/** What every model-calling step job may carry besides its model. */
export interface GenerationJobData extends ProjectJobData {
	model?: string;
	llm?: LlmJobOptions;
	/** Replaces the role's shipped Handlebars prompt for this job (same variables). */
	promptTemplate?: string;
}

export interface PlanJobData extends GenerationJobData {
	/** At most this many tasks (else the project's settings.maxPlanTasks, else MAX_PLAN_TASKS). */
	maxTasks?: number;
}

export interface DevelopJobData extends GenerationJobData {
	taskId: string;
	mode?: 'auto' | 'write' | 'fix';
	/** Tokens of existing files the developer sees whole. */
	contextTokens?: number;
}

export interface TestJobData extends GenerationJobData {
	taskId: string;
	regenerateTests?: boolean;
	/** Run this instead of the chosen runner: split on spaces, no shell. */
	testCommand?: string;
	testTimeoutSeconds?: number;
	/** stdout and stderr kept, together, in KiB. */
	maxOutputKb?: number;
}

/** One reviewer turn on a task whose tests passed and that waits for its review (POST …/tasks/:taskId/review). */
export interface ReviewJobData extends GenerationJobData {
	taskId: string;
}

/** The whole project's review (its `review` status, auto mode): review, rework the named tasks, review again. */
export interface ProjectReviewJobData extends ProjectJobData {
	/** The project review round at which a rejection is the last word; fixed when the job is queued. */
	roundLimit?: number;
}

/** A whole task (develop, test, fix up to the limit) in auto mode. */
export interface TaskJobData extends ProjectJobData {
	taskId: string;
	/** The task's attempt count at which it fails; fixed when the job is queued. */
	attemptLimit: number;
}

export interface PublishJobData extends ProjectJobData {
	branch?: string;
}

/** A client's progress report on the project as it stands: reads the project, changes nothing. */
export type ReportJobData = GenerationJobData;

export type AdvanceJobData = ProjectJobData;

export interface CallbackJobData {
	url: string;
	body: Record<string, unknown>;
	/** For logs: what the callback reports on. */
	projectId?: string;
	/** A webhook delivery: skipped when the subscription was removed before it went out. */
	webhookId?: string;
}

const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;
const modelName = text(200);
/** An http(s) URL the service POSTs to. */
export const httpUrl = { type: 'string', minLength: 1, maxLength: 2000, pattern: '^https?://' } as const;

export const runSettingsSchema = {
	type: 'object',
	additionalProperties: false,
	properties: {
		models: {
			type: 'object',
			additionalProperties: false,
			properties: { planner: modelName, developer: modelName, tester: modelName, reviewer: modelName, escalation: modelName },
		},
		review: { type: 'boolean' },
		reviewRounds: { type: 'integer', minimum: 1, maximum: 10 },
		escalateAfterAttempts: { type: 'integer', minimum: 1, maximum: 20 },
		reviewLastRejection: { type: 'string', enum: ['fail', 'warn'] },
		maxFixAttempts: { type: 'integer', minimum: 1, maximum: 20 },
		maxPlanTasks: { type: 'integer', minimum: 1, maximum: 200 },
		gitRemoteBase: text(1000),
		github: {
			type: 'object',
			additionalProperties: false,
			properties: {
				owner: { type: 'string', pattern: '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$' },
				repo: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' },
				private: { type: 'boolean' },
			},
		},
		deployHookUrl: httpUrl,
		callbackUrl: httpUrl,
		packaging: { type: 'boolean' },
		license: { type: 'string', enum: DELIVERY_LICENSES },
		approval: { type: 'string', enum: APPROVAL_SETTINGS },
	},
} as const;

/** POST /api/projects */
export interface ProjectIntakeBody {
	title?: string;
	requirements: string;
	clientName?: string;
	clientEmail?: string;
	idempotencyKey?: string;
	settings?: RunSettings | null;
	/** false: store the project and wait for step jobs (canvas workflows). Default true. */
	start?: boolean;
}

export const projectIntakeBodySchema = {
	type: 'object',
	additionalProperties: false,
	required: ['requirements'],
	properties: {
		title: { type: 'string', maxLength: INTAKE_LIMITS.maxTitleLength },
		requirements: { type: 'string', minLength: 1, maxLength: INTAKE_LIMITS.maxRequirementsLength },
		clientName: { type: 'string', maxLength: INTAKE_LIMITS.maxClientNameLength },
		// Empty, as n8n forms send a blank optional field, or an address.
		clientEmail: { type: 'string', maxLength: INTAKE_LIMITS.maxClientEmailLength, pattern: '^$|^[^@\\s]+@[^@\\s]+$' },
		idempotencyKey: { type: 'string', minLength: 1, maxLength: 200 },
		settings: { ...runSettingsSchema, type: ['object', 'null'] },
		start: { type: 'boolean' },
	},
} as const;

export const llmOptionsSchema = {
	type: 'object',
	additionalProperties: false,
	properties: {
		temperature: { type: 'number', minimum: 0, maximum: 2 },
		contextSize: { type: 'integer', minimum: 256 },
		keepAlive: text(20),
		maxTokens: { type: 'integer', minimum: -1 },
		seed: { type: 'integer' },
		maxRepairAttempts: { type: 'integer', minimum: 0, maximum: 10 },
		maxRetries: { type: 'integer', minimum: 0, maximum: 10 },
		timeoutSeconds: { type: 'number', minimum: 0 },
	},
} as const;

const stepBodyProperties = {
	model: modelName,
	callbackUrl: httpUrl,
	llm: llmOptionsSchema,
	promptTemplate: text(100_000),
} as const;

/** POST /api/projects/:id/plan (the job's data without projectId, plus callbackUrl). */
export type PlanBody = Omit<PlanJobData, 'projectId'> & StepCallback;
/** POST /api/projects/:id/tasks/:taskId/develop */
export type DevelopBody = Omit<DevelopJobData, 'projectId' | 'taskId'> & StepCallback;
/** POST /api/projects/:id/tasks/:taskId/test */
export type TestBody = Omit<TestJobData, 'projectId' | 'taskId'> & StepCallback;
/** POST /api/projects/:id/tasks/:taskId/review */
export type ReviewBody = Omit<ReviewJobData, 'projectId' | 'taskId'> & StepCallback;
/** POST /api/projects/:id/report */
export type ReportBody = Omit<ReportJobData, 'projectId'> & StepCallback;
/** POST /api/projects/:id/publish */
export type PublishBody = Omit<PublishJobData, 'projectId'> & StepCallback;

export const planBodySchema = {
	type: 'object',
	additionalProperties: false,
	properties: { ...stepBodyProperties, maxTasks: { type: 'integer', minimum: 1, maximum: 200 } },
} as const;
export const developBodySchema = {
	type: 'object',
	additionalProperties: false,
	properties: { ...stepBodyProperties, mode: { type: 'string', enum: ['auto', 'write', 'fix'] }, contextTokens: { type: 'integer', minimum: 256 } },
} as const;
export const testBodySchema = {
	type: 'object',
	additionalProperties: false,
	properties: {
		...stepBodyProperties,
		regenerateTests: { type: 'boolean' },
		// Something besides spaces: it is split on them into argv.
		testCommand: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' },
		testTimeoutSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
		maxOutputKb: { type: 'integer', minimum: 1, maximum: 10240 },
	},
} as const;
export const reviewBodySchema = {
	type: 'object',
	additionalProperties: false,
	properties: { ...stepBodyProperties },
} as const;
export const reportBodySchema = {
	type: 'object',
	additionalProperties: false,
	properties: { ...stepBodyProperties },
} as const;
export const publishBodySchema = {
	type: 'object',
	additionalProperties: false,
	properties: { callbackUrl: httpUrl, branch: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$' } },
} as const;

/** POST /api/projects/:id/status: a lifecycle move, as the Project State node's Update Status made it. */
export interface StatusBody {
	status: ProjectStatus;
	reason?: string;
	/** Refused with 409 unless the project is still at this version. */
	expectedVersion?: number;
}

export const statusBodySchema = {
	type: 'object',
	additionalProperties: false,
	required: ['status'],
	properties: {
		status: { type: 'string', enum: [...PROJECT_STATUSES] },
		reason: { type: 'string', maxLength: 2000 },
		expectedVersion: { type: 'integer', minimum: 1 },
	},
} as const;

/** POST /api/projects/:id/events: something that happened, for the project's log; `message` is kept as data.message. */
export interface EventBody {
	type: string;
	message?: string;
	data?: Record<string, unknown>;
}

export const eventBodySchema = {
	type: 'object',
	additionalProperties: false,
	required: ['type'],
	properties: {
		type: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[a-z][a-z0-9_.-]*$' },
		message: { type: 'string', maxLength: 2000 },
		data: { type: 'object' },
	},
} as const;

/** What a step route answers (202): the job it queued, or the one already there for this step. */
export interface QueuedJob {
	jobId: string;
	name: string;
	state: string;
	projectId: string;
	taskId?: string;
}

/** The body of every error answer: the failure's kind, a message a person can act on, and the field when one was wrong. */
export interface ErrorBody {
	error: string;
	message: string;
	field?: string;
}

/** Every job's state as GET /api/jobs/:id reports it. */
export interface JobView {
	jobId: string;
	name: string;
	state: string;
	projectId?: string;
	taskId?: string;
	progress: unknown;
	attemptsMade: number;
	result?: unknown;
	error?: { kind: string; message: string; field?: string };
	createdAt: string;
	finishedAt?: string;
}

// The service's public shapes: per-project settings, HTTP bodies and BullMQ job data, each with
// the JSON schema the HTTP layer validates with (fastify + ajv), so the two can never disagree.

/** Per-project settings, from the intake's `settings`; each one left out falls back to the service's environment. */
export interface RunSettings {
	models?: { planner?: string; developer?: string; tester?: string };
	maxFixAttempts?: number;
	maxPlanTasks?: number;
	/** The repository is `<gitRemoteBase>/<projectId>.git`. */
	gitRemoteBase?: string;
	github?: { owner?: string; repo?: string; private?: boolean };
	deployHookUrl?: string;
	/** POSTed once with the result when the project ends (an n8n Wait node's resume URL). */
	callbackUrl?: string;
}

/** How the service drives a project: `auto` runs it to the end; `steps` waits for step jobs (canvas workflows). */
export type RunMode = 'auto' | 'steps';

/** Kept beside the project (`<prefix>project:<id>:run`): how this project is run. */
export interface ProjectRun {
	mode: RunMode;
	/** +1 on every retry after a failure; part of job ids, so a retry is new work and a repeated request is not. */
	round: number;
	settings: RunSettings;
}

export const JOB_NAMES = ['plan', 'develop', 'test', 'task', 'publish', 'advance', 'callback'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface ProjectJobData {
	projectId: string;
	/** Where the job's result is POSTed when it ends (step jobs). */
	callbackUrl?: string;
}

export interface PlanJobData extends ProjectJobData {
	model?: string;
}

export interface DevelopJobData extends ProjectJobData {
	taskId: string;
	mode?: 'auto' | 'write' | 'fix';
	model?: string;
}

export interface TestJobData extends ProjectJobData {
	taskId: string;
	model?: string;
	regenerateTests?: boolean;
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

export type AdvanceJobData = ProjectJobData;

export interface CallbackJobData {
	url: string;
	body: Record<string, unknown>;
	/** For logs: what the callback reports on. */
	projectId?: string;
}

const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;
const modelName = text(200);
const httpUrl = { type: 'string', minLength: 1, maxLength: 2000, pattern: '^https?://' } as const;

export const runSettingsSchema = {
	type: 'object',
	additionalProperties: false,
	properties: {
		models: {
			type: 'object',
			additionalProperties: false,
			properties: { planner: modelName, developer: modelName, tester: modelName },
		},
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
		title: { type: 'string', maxLength: 200 },
		requirements: { type: 'string', minLength: 1, maxLength: 20000 },
		clientName: { type: 'string', maxLength: 200 },
		// Empty, as n8n forms send a blank optional field, or an address.
		clientEmail: { type: 'string', maxLength: 320, pattern: '^$|^[^@\\s]+@[^@\\s]+$' },
		idempotencyKey: { type: 'string', minLength: 1, maxLength: 200 },
		settings: { ...runSettingsSchema, type: ['object', 'null'] },
		start: { type: 'boolean' },
	},
} as const;

const stepBodyProperties = {
	model: modelName,
	callbackUrl: httpUrl,
} as const;

export const planBodySchema = { type: 'object', additionalProperties: false, properties: stepBodyProperties } as const;
export const developBodySchema = {
	type: 'object',
	additionalProperties: false,
	properties: { ...stepBodyProperties, mode: { type: 'string', enum: ['auto', 'write', 'fix'] } },
} as const;
export const testBodySchema = {
	type: 'object',
	additionalProperties: false,
	properties: { ...stepBodyProperties, regenerateTests: { type: 'boolean' } },
} as const;
export const publishBodySchema = {
	type: 'object',
	additionalProperties: false,
	properties: { callbackUrl: httpUrl, branch: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$' } },
} as const;

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

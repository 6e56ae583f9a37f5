import type { JSONSchemaType, SchemaObject } from 'ajv';
import { planApprovalSchema, type PlanApproval } from './approval';
import { planSchema, type Plan } from './plan';
import { storedReviewSchema, type StoredReview } from './review';
import { MAX_MODEL_REFERENCE_LENGTH, projectUsageSchema, type ProjectUsage } from './usage';

/** Where a project is in its life. The allowed moves between them live in runtime/state/lifecycle.ts. */
export const PROJECT_STATUSES = [
	'intake',
	'planning',
	'planned',
	// settings.approval "plan": the plan waits for the client's approval (or a request for changes).
	'awaiting_approval',
	'development',
	'testing',
	'review',
	'deployment',
	'completed',
	'failed',
	'cancelled',
	'on_hold',
] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export const TASK_STATUSES = ['pending', 'in_progress', 'done', 'failed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface ProjectClient {
	name?: string;
	email?: string;
}

/** What a client sends to start a project: the same shape from a node, the worker and the HTTP API. */
export interface ProjectIntake {
	title: string;
	requirements: string;
	client?: ProjectClient;
}

/** A file a developer agent produced for a task, stored as-is so a later step can write or publish it. */
export interface ProducedFile {
	path: string;
	content: string;
}

/**
 * A task's test report as the store keeps it: free-form, so the store does not depend on the
 * tester's contract. The AI Tester stores a TestReport (./testReport.ts), which is assignable to it.
 */
export type StoredTestReport = Record<string, unknown>;

export interface TaskState {
	status: TaskStatus;
	/** How many times the task went in_progress: 1 on the first start, +1 on each retry. */
	attempts: number;
	/** The files of the latest result; a retry's result replaces them. */
	files: ProducedFile[];
	/** The tests the tester wrote for this task; the developer's fixes must make them pass. */
	testFiles: ProducedFile[];
	testReport: StoredTestReport | null;
	error?: string;
	/**
	 * The attempt whose developer files are stored: equal to `attempts` once this attempt's code is
	 * written, so a worker that restarts mid-task tests that code instead of paying for it again.
	 */
	developedAttempt?: number;
	/**
	 * The model that wrote each attempt's code (a model reference), oldest first: the developer's
	 * model, or from settings.escalateAfterAttempts on the escalation model. Absent until code was written.
	 */
	attemptModels?: AttemptModel[];
	/** The reviewer's latest review of the task (runtime/contracts/review.ts); absent until one ran. */
	review?: StoredReview;
	updatedAt: string;
}

/** Which model wrote an attempt's code. */
export interface AttemptModel {
	attempt: number;
	model: string;
}

/** What an agent reports when it finishes a task. */
export interface TaskResult {
	status: 'done' | 'failed';
	/** Omitted: the task keeps the files it has. */
	files?: ProducedFile[];
	/** Omitted: the task keeps the test files it has. */
	testFiles?: ProducedFile[];
	testReport?: StoredTestReport | null;
	error?: string;
}

/** Work recorded on an in-progress task without finishing it: the developer's files, the tester's tests or report. */
export interface TaskWork {
	files?: ProducedFile[];
	/** The model that wrote `files`, kept as the attempt's model (TaskState.attemptModels); only with files. */
	model?: string;
	testFiles?: ProducedFile[];
	testReport?: StoredTestReport | null;
}

export interface RepositoryInfo {
	url?: string;
	branch?: string;
	lastCommit?: string;
}

/** How the delivered repository proved itself: its own test command, run in the sandbox on a clean clone. */
export interface DeliveryProof {
	/** The sandbox's verdict (a TestReport's status: passed, failed, error, timeout). */
	status: string;
	passed: number;
	failed: number;
	/** What ran in the sandbox for the test command (argv). */
	command: string[];
	/** The sandbox's runner: "custom" for a command judged by its report file, "node" when it ran in one process. */
	runner: string;
	durationMs: number;
	/** The end of the run's output. */
	output: string;
}

/**
 * What DevOps added so a client can run the repository (the packaging commit `Packaging: …`, after
 * the tasks' commits) and whether the repository's own test command passed in a clean clone.
 */
export interface Delivery {
	stack: 'node' | 'python';
	/** What a client types in the repository: "npm test", "python -m pytest". */
	testCommand: string;
	/** true: that command passed in a fresh clone of the repository as it is published. */
	verified: boolean;
	/** The packaging commit's files, as committed (merged with a task's file of the same path). */
	files: ProducedFile[];
	/** What was chosen or merged, e.g. "package.json: kept the task's dependencies". */
	notes: string[];
	/** 1, or 2 after a fix round. */
	rounds: number;
	/** When the last task finished: the packaging commit's date, and what the packaging was built from. */
	packagedAt: string;
	proof: DeliveryProof;
}

export interface Project {
	id: string;
	title: string;
	client: ProjectClient;
	requirements: string;
	status: ProjectStatus;
	/** Set while failed or on_hold: the status a retry or resume goes back to. */
	resumeStatus: ProjectStatus | null;
	/** The reason given with the latest status change, if any. */
	statusReason: string | null;
	plan: Plan | null;
	/** Keyed by plan task id. */
	tasks: Record<string, TaskState>;
	repository: RepositoryInfo | null;
	/** The whole project's last review (in its `review` status); absent or null until it ran. */
	review?: StoredReview | null;
	/** Absent or null until DevOps packaged the finished project. */
	delivery?: Delivery | null;
	/** The latest decision on the plan (settings.approval "plan"); absent until one was made. */
	approval?: PlanApproval | null;
	usage: ProjectUsage;
	createdAt: string;
	updatedAt: string;
	/** Set once archived: still readable, no longer listed. */
	archivedAt: string | null;
	/** 1 at creation, +1 on every change; pass it back as expectedVersion to update optimistically. */
	version: number;
	idempotencyKey: string;
}

/** One entry of a project's event log, oldest first. */
export interface ProjectEvent {
	/** The Redis stream entry id: pass it as `after` to read on from here. */
	id: string;
	time: string;
	type: string;
	/** Who made the change, e.g. "n8n:AI Planner", "worker", "api". */
	source: string;
	/** The project version the change produced; absent for events that changed nothing else. */
	version?: number;
	data: Record<string, unknown>;
}

/** Event types the store itself writes; addEvent may add others. */
export const PROJECT_EVENT_TYPES = {
	created: 'project.created',
	statusChanged: 'project.status_changed',
	planSet: 'project.plan_set',
	repositorySet: 'project.repository_set',
	deliverySet: 'project.delivery_set',
	archived: 'project.archived',
	taskStarted: 'task.started',
	taskWorkRecorded: 'task.work_recorded',
	taskDone: 'task.done',
	taskFailed: 'task.failed',
	/** `{ taskId, attempt, round, verdict, comments, warned? }`: a task's review (comments: how many). */
	taskReviewed: 'task.reviewed',
	/** `{ round, verdict, comments, warned? }`: the whole project's review, in its `review` status. */
	projectReviewed: 'project.reviewed',
	/** `{ decision, source, comment? , changeRequests }`: a decision on a plan awaiting approval (API, dashboard or portal). */
	approvalDecided: 'project.approval_decided',
} as const;

const producedFileSchema: JSONSchemaType<ProducedFile> = {
	type: 'object',
	properties: {
		path: { type: 'string', minLength: 1, maxLength: 1024 },
		content: { type: 'string' },
	},
	required: ['path', 'content'],
	additionalProperties: false,
};

export const taskResultSchema: JSONSchemaType<TaskResult> = {
	type: 'object',
	properties: {
		status: { type: 'string', enum: ['done', 'failed'] },
		files: { type: 'array', items: producedFileSchema, nullable: true },
		testFiles: { type: 'array', items: producedFileSchema, nullable: true },
		testReport: { type: 'object', required: [], nullable: true },
		error: { type: 'string', nullable: true },
	},
	required: ['status'],
	additionalProperties: false,
};

export const taskWorkSchema: JSONSchemaType<TaskWork> = {
	type: 'object',
	properties: {
		files: { type: 'array', items: producedFileSchema, nullable: true },
		model: { type: 'string', minLength: 1, maxLength: MAX_MODEL_REFERENCE_LENGTH, nullable: true },
		testFiles: { type: 'array', items: producedFileSchema, nullable: true },
		testReport: { type: 'object', required: [], nullable: true },
	},
	required: [],
	additionalProperties: false,
};

const projectClientSchema: JSONSchemaType<ProjectClient> = {
	type: 'object',
	properties: {
		name: { type: 'string', nullable: true },
		email: { type: 'string', nullable: true },
	},
	required: [],
	additionalProperties: false,
};

export const projectIntakeSchema: JSONSchemaType<ProjectIntake> = {
	type: 'object',
	properties: {
		title: { type: 'string', minLength: 1 },
		requirements: { type: 'string', minLength: 1 },
		client: { ...projectClientSchema, nullable: true },
	},
	required: ['title', 'requirements'],
	additionalProperties: false,
};

export const repositoryInfoSchema: JSONSchemaType<RepositoryInfo> = {
	type: 'object',
	properties: {
		url: { type: 'string', nullable: true, maxLength: 2048 },
		branch: { type: 'string', nullable: true, maxLength: 255 },
		lastCommit: { type: 'string', nullable: true, maxLength: 255 },
	},
	required: [],
	additionalProperties: false,
};

const count = { type: 'number', minimum: 0 } as const;

export const deliverySchema: JSONSchemaType<Delivery> = {
	type: 'object',
	properties: {
		stack: { type: 'string', enum: ['node', 'python'] },
		testCommand: { type: 'string', minLength: 1, maxLength: 2000 },
		verified: { type: 'boolean' },
		files: { type: 'array', items: producedFileSchema, maxItems: 50 },
		notes: { type: 'array', items: { type: 'string', maxLength: 2000 }, maxItems: 50 },
		rounds: { type: 'integer', minimum: 1, maximum: 10 },
		packagedAt: { type: 'string', minLength: 1, maxLength: 100 },
		proof: {
			type: 'object',
			properties: {
				status: { type: 'string', maxLength: 100 },
				passed: { type: 'integer', minimum: 0 },
				failed: { type: 'integer', minimum: 0 },
				command: { type: 'array', items: { type: 'string' } },
				runner: { type: 'string', maxLength: 100 },
				durationMs: count,
				output: { type: 'string', maxLength: 20_000 },
			},
			required: ['status', 'passed', 'failed', 'command', 'runner', 'durationMs', 'output'],
			additionalProperties: false,
		},
	},
	required: ['stack', 'testCommand', 'verified', 'files', 'notes', 'rounds', 'packagedAt', 'proof'],
	additionalProperties: false,
};

/** What addEvent accepts; the store adds id and time. */
export interface NewProjectEvent {
	type: string;
	source?: string;
	data?: Record<string, unknown>;
}

export const newProjectEventSchema: JSONSchemaType<NewProjectEvent> = {
	type: 'object',
	properties: {
		type: { type: 'string', pattern: '^[a-z][a-z0-9_.:-]{0,99}$' },
		source: { type: 'string', minLength: 1, maxLength: 200, nullable: true },
		data: { type: 'object', required: [], nullable: true },
	},
	required: ['type'],
	additionalProperties: false,
};

const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });

// The two stored shapes below are plain schemas: ajv's JSONSchemaType cannot express required fields
// that may be null, and these are only read, never used to type a value.
const taskStateSchema: SchemaObject = {
	type: 'object',
	properties: {
		status: { type: 'string', enum: [...TASK_STATUSES] },
		attempts: { type: 'integer', minimum: 0 },
		files: { type: 'array', items: producedFileSchema },
		testFiles: { type: 'array', items: producedFileSchema },
		testReport: { type: ['object', 'null'] },
		error: { type: 'string' },
		developedAttempt: { type: 'integer', minimum: 0 },
		attemptModels: {
			type: 'array',
			items: {
				type: 'object',
				properties: { attempt: { type: 'integer', minimum: 1 }, model: { type: 'string', minLength: 1 } },
				required: ['attempt', 'model'],
				additionalProperties: false,
			},
		},
		review: storedReviewSchema,
		updatedAt: { type: 'string' },
	},
	required: ['status', 'attempts', 'files', 'testFiles', 'testReport', 'updatedAt'],
};

const projectStatusSchema = { type: 'string', enum: [...PROJECT_STATUSES] };

/** The stored and returned project, for the HTTP API to publish and for tests to check against. */
export const projectSchema: SchemaObject = {
	type: 'object',
	properties: {
		id: { type: 'string', minLength: 1 },
		title: { type: 'string' },
		client: projectClientSchema,
		requirements: { type: 'string' },
		status: projectStatusSchema,
		resumeStatus: { type: ['string', 'null'], enum: [...PROJECT_STATUSES, null] },
		statusReason: { type: ['string', 'null'] },
		plan: nullable(planSchema),
		tasks: { type: 'object', additionalProperties: taskStateSchema },
		repository: nullable(repositoryInfoSchema),
		review: nullable(storedReviewSchema),
		delivery: nullable(deliverySchema),
		approval: nullable(planApprovalSchema),
		usage: projectUsageSchema,
		createdAt: { type: 'string' },
		updatedAt: { type: 'string' },
		archivedAt: { type: ['string', 'null'] },
		version: { type: 'integer', minimum: 1 },
		idempotencyKey: { type: 'string', minLength: 1 },
	},
	required: [
		'id',
		'title',
		'client',
		'requirements',
		'status',
		'resumeStatus',
		'statusReason',
		'plan',
		'tasks',
		'repository',
		'usage',
		'createdAt',
		'updatedAt',
		'archivedAt',
		'version',
		'idempotencyKey',
	],
};

export const projectEventSchema: JSONSchemaType<ProjectEvent> = {
	type: 'object',
	properties: {
		id: { type: 'string', pattern: '^[0-9]+-[0-9]+$' },
		time: { type: 'string' },
		type: { type: 'string' },
		source: { type: 'string' },
		version: { type: 'integer', nullable: true },
		data: { type: 'object', required: [] },
	},
	required: ['id', 'time', 'type', 'source', 'data'],
};

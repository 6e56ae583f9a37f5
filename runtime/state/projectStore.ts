import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DEFAULT_KEY_PREFIX } from '../config/defaults';
import type { ApprovalDecision, ApprovalSource } from '../contracts/approval';
import type { Plan } from '../contracts/plan';
import {
	PROJECT_EVENT_TYPES,
	type NewProjectEvent,
	type Project,
	type ProjectEvent,
	type ProjectIntake,
	type ProjectStatus,
	type Delivery,
	type RepositoryInfo,
	type TaskResult,
	type TaskWork,
} from '../contracts/project';
import type { StoredReview } from '../contracts/review';
import type { LlmUsage } from '../contracts/usage';
import { InvalidInputError } from '../errors';
import * as changes from './changes';
import { ProjectNotFoundError, UpdateContentionError, VersionConflictError } from './errors';
import { fromStreamEntry, toStreamFields, type EventEntry } from './eventLog';
import { indexChanges, indexesOf, indexScore } from './indexes';
import { checkIntake, intakeIdempotencyKey, newProject } from './intake';
import { StoreKeys } from './keys';
import { DEFAULT_STORE_LIMITS, type StoreLimits } from '../contracts/limits';
import { APPEND_EVENT, COMMIT_CHANGE, CREATE_PROJECT, DELETE_PROJECT } from './luaScripts';
import { runScript } from './runScript';
import * as check from './validation';

export interface ProjectStoreOptions {
	/** Prepended to every key; default "aic:". */
	prefix?: string;
	/** Who is writing, recorded on events when a call names no source: "worker", "api", "n8n:AI Planner". */
	source?: string;
	limits?: Partial<StoreLimits>;
	/** Approximate cap of each project's event log (XADD MAXLEN ~); default 10,000. */
	maxEventsPerProject?: number;
	/** How often an update is recomputed when other writers keep getting in first; default 100. */
	maxUpdateAttempts?: number;
	/** For tests that need distinct or fixed timestamps. */
	now?: () => Date;
}

export interface UpdateOptions {
	/** Refuse the change (VersionConflictError) unless the project is still at this version. */
	expectedVersion?: number;
	source?: string;
}

export interface UsageOptions extends UpdateOptions, changes.UsageMeter {}

export interface StatusUpdateOptions extends UpdateOptions {
	/** Why, e.g. the error that made the project fail; kept as statusReason and on the event. */
	reason?: string;
}

export interface CreateOptions {
	/** A client-chosen key; without one the intake's own content is the key. */
	idempotencyKey?: string;
	source?: string;
}

export interface CreateResult {
	project: Project;
	/** false when the idempotency key was used before: `project` is the one created then. */
	created: boolean;
}

export interface ListQuery {
	/** Only projects in this status; without it, every active one (not completed or cancelled). */
	status?: ProjectStatus;
	offset?: number;
	limit?: number;
}

export interface ProjectPage {
	/** Newest first. */
	projects: Project[];
	/** How many the whole listing holds. */
	total: number;
	offset: number;
	limit: number;
}

export interface EventsQuery {
	/** Only events after this event id. */
	after?: string;
	count?: number;
}

interface Stored {
	project: Project;
	version: number;
}

/**
 * The project store every node, the worker and the HTTP API share. Every change is computed in
 * TypeScript from the project as read, then written by a Lua script only if the stored version is
 * still the one read, together with the index entries and the events it produces; a writer that
 * lost the race recomputes from the new state. No update is lost, and readers never see half of one.
 *
 * A project is a hash with a `version` field beside the JSON `data`, so the script can compare
 * versions without decoding the project, and the JSON never passes through Lua's cjson.
 */
export class ProjectStore {
	readonly keys: StoreKeys;
	private readonly limits: StoreLimits;
	private readonly source: string;
	private readonly maxEvents: number;
	private readonly maxAttempts: number;
	private readonly now: () => Date;

	constructor(
		private readonly redis: Redis,
		options: ProjectStoreOptions = {},
	) {
		this.keys = new StoreKeys(options.prefix ?? DEFAULT_KEY_PREFIX);
		this.limits = { ...DEFAULT_STORE_LIMITS, ...options.limits };
		this.source = check.checkSource(options.source ?? 'unknown');
		this.maxEvents = options.maxEventsPerProject ?? 10_000;
		this.maxAttempts = options.maxUpdateAttempts ?? 100;
		this.now = options.now ?? (() => new Date());
	}

	/**
	 * Starts a project in "intake". With an idempotency key used before (given, or derived from the
	 * same title, requirements and client), returns that project instead, even under concurrent calls.
	 */
	async create(intake: ProjectIntake, options: CreateOptions = {}): Promise<CreateResult> {
		const input = checkIntake(intake, this.limits);
		const key = options.idempotencyKey === undefined ? intakeIdempotencyKey(input) : check.checkIdempotencyKey(options.idempotencyKey);
		const source = this.sourceOf(options);
		const now = this.timestamp();
		const project = newProject(randomUUID(), input, key, now);
		const json = this.serialise(project);
		const event: EventEntry = { time: now, type: PROJECT_EVENT_TYPES.created, source, version: 1, data: { title: project.title } };
		const reply = (await runScript(
			this.redis,
			CREATE_PROJECT,
			[this.keys.idempotency(key), this.keys.project(project.id), this.keys.events(project.id), ...indexesOf(project, this.keys)],
			[project.id, json, indexScore(project), this.maxEvents, ...toStreamFields(event)],
		)) as [number, string?];
		if (reply[0] === 1) return { project, created: true };
		// A random UUID is never taken in practice; say so plainly rather than loop if it ever is.
		if (reply[0] === -1) throw new Error(`Project id "${project.id}" is already taken; create again`);
		return { project: await this.get(reply[1] as string), created: false };
	}

	async get(id: string): Promise<Project> {
		return (await this.read(check.checkProjectId(id))).project;
	}

	/** Moves the project along its lifecycle; refuses moves it does not allow (InvalidTransitionError). */
	async updateStatus(id: string, status: ProjectStatus, options: StatusUpdateOptions = {}): Promise<Project> {
		const to = check.checkStatus(status);
		const reason = check.checkReason(options.reason, this.limits);
		return this.update(id, options, (p) => changes.changeStatus(p, to, reason));
	}

	/** Stores the plan and a pending entry for each of its tasks (tasks kept by id keep their progress). */
	async setPlan(id: string, plan: Plan, options: UpdateOptions = {}): Promise<Project> {
		const checked = check.checkPlan(plan);
		return this.update(id, options, (p, now) => changes.setPlan(p, checked, now));
	}

	/** pending or failed → in_progress; counts the attempt. */
	async startTask(id: string, taskId: string, options: UpdateOptions = {}): Promise<Project> {
		const task = check.checkTaskId(taskId);
		return this.update(id, options, (p, now) => changes.startTask(p, task, now));
	}

	/** in_progress → done or failed, storing the produced files, the test report and the error. */
	async recordTaskResult(id: string, taskId: string, result: TaskResult, options: UpdateOptions = {}): Promise<Project> {
		const task = check.checkTaskId(taskId);
		const checked = check.checkTaskResult(result, this.limits);
		return this.update(id, options, (p, now) => changes.recordTaskResult(p, task, checked, now));
	}

	/** Stores files, test files or a test report on an in-progress task without finishing it. */
	async recordTaskWork(id: string, taskId: string, work: TaskWork, options: UpdateOptions = {}): Promise<Project> {
		const task = check.checkTaskId(taskId);
		const checked = check.checkTaskWork(work, this.limits);
		return this.update(id, options, (p, now) => changes.recordTaskWork(p, task, checked, now));
	}

	/**
	 * Stores the reviewer's review of an in-progress task and finishes the attempt as it decided
	 * (`done`, `failed`: changes requested, or `keep`), atomically with its `task.reviewed` event.
	 */
	async recordTaskReview(id: string, taskId: string, review: StoredReview, outcome: changes.ReviewOutcome, options: UpdateOptions = {}): Promise<Project> {
		const task = check.checkTaskId(taskId);
		const checked = check.checkReview(review, this.limits);
		const finish = check.checkReviewOutcome(outcome);
		return this.update(id, options, (p, now) => changes.reviewTask(p, task, checked, finish, now));
	}

	/** Sends finished tasks back to their developers with the project review's comments on their files (a `task.failed` each), atomically. */
	async reopenTasks(id: string, reopened: ReadonlyArray<{ taskId: string; review: StoredReview }>, options: UpdateOptions = {}): Promise<Project> {
		const checked = reopened.map((r) => ({ taskId: check.checkTaskId(r.taskId), review: check.checkReview(r.review, this.limits) }));
		return this.update(id, options, (p, now) => changes.reopenTasks(p, checked, now));
	}

	/** Stores the whole project's review (its `review` status), with its `project.reviewed` event. */
	async recordProjectReview(id: string, review: StoredReview, options: UpdateOptions = {}): Promise<Project> {
		const checked = check.checkReview(review, this.limits);
		return this.update(id, options, (p) => changes.reviewProject(p, checked));
	}

	/**
	 * The client's decision on a plan awaiting approval: approve (on to development) or
	 * request_changes (back to planning, the plan dropped, the comment kept for the planner).
	 * ConflictError (409) unless the project awaits approval.
	 */
	async decideApproval(id: string, decision: ApprovalDecision, comment: string | undefined, options: UpdateOptions & { source: ApprovalSource }): Promise<Project> {
		const checked = check.checkApprovalDecision(decision, comment);
		return this.update(id, options, (p, now) => changes.decideApproval(p, checked.decision, checked.comment, options.source, now));
	}

	/**
	 * Adds one LLM call's (or one agent run's) usage to the project total, the role's and (with
	 * `model`) the model's, and its `cost` in USD (computed by the caller at today's prices) to
	 * usage.cost, all in one atomic change.
	 */
	async addUsage(id: string, role: string, usage: LlmUsage, options: UsageOptions = {}): Promise<Project> {
		const checked = check.checkUsage(role, usage);
		const { model, cost, reportOf, ...update } = options;
		const meter = check.checkUsageMeter({ model, cost, reportOf });
		return this.update(id, update, (p) => changes.addRoleUsage(p, checked.role, checked.usage, meter));
	}

	/** Where the code lives; null clears it. */
	async setRepository(id: string, repository: RepositoryInfo | null, options: UpdateOptions = {}): Promise<Project> {
		const checked = check.checkRepository(repository);
		return this.update(id, options, (p) => changes.setRepository(p, checked));
	}

	/** What DevOps packaged (the packaging commit's files) and whether its proof passed; null clears it. */
	async setDelivery(id: string, delivery: Delivery | null, options: UpdateOptions = {}): Promise<Project> {
		const checked = check.checkDelivery(delivery, this.limits);
		return this.update(id, options, (p) => changes.setDelivery(p, checked));
	}

	/** Takes the project out of every listing but keeps it readable; status and events stay as they are. */
	async archive(id: string, options: UpdateOptions = {}): Promise<Project> {
		return this.update(id, options, (p, now) => changes.archive(p, now));
	}

	/** Removes the project, its event log, its index entries and its idempotency key. */
	async delete(id: string, options: Omit<UpdateOptions, 'source'> = {}): Promise<void> {
		check.checkProjectId(id);
		const expected = check.checkExpectedVersion(options.expectedVersion);
		const { project } = await this.read(id);
		const reply = (await runScript(
			this.redis,
			DELETE_PROJECT,
			[this.keys.project(id), this.keys.events(id), this.keys.idempotency(project.idempotencyKey), this.keys.run(id), ...this.keys.everyIndex],
			[id, expected === undefined ? '' : String(expected)],
		)) as [number, number?];
		if (reply[0] === -1) throw new ProjectNotFoundError(id);
		if (reply[0] === 0) throw new VersionConflictError(id, expected as number, reply[1] as number);
	}

	/** Logs something that happened without changing the project (its version stays). */
	async addEvent(id: string, event: NewProjectEvent): Promise<ProjectEvent> {
		check.checkProjectId(id);
		const checked = check.checkNewEvent(event, this.limits);
		const entry: EventEntry = {
			time: this.timestamp(),
			type: checked.type,
			source: checked.source ?? this.source,
			data: checked.data ?? {},
		};
		const eventId = await runScript(
			this.redis,
			APPEND_EVENT,
			[this.keys.project(id), this.keys.events(id)],
			[this.maxEvents, ...toStreamFields(entry)],
		);
		if (eventId === null) throw new ProjectNotFoundError(id);
		return { id: eventId as string, ...entry };
	}

	/** The event log, oldest first; page on with `after` set to the last id read. */
	async events(id: string, query: EventsQuery = {}): Promise<ProjectEvent[]> {
		check.checkProjectId(id);
		const { after, count } = check.checkEventsQuery(query);
		const [[, exists], [, entries]] = (await this.redis
			.multi()
			.exists(this.keys.project(id))
			.xrange(this.keys.events(id), after === undefined ? '-' : `(${after}`, '+', 'COUNT', count)
			.exec()) as [[null, number], [null, Array<[string, string[]]>]];
		if (!exists) throw new ProjectNotFoundError(id);
		return entries.map(fromStreamEntry);
	}

	/** Active projects (or those in one status), newest first, a page at a time. Archived ones are never listed. */
	async list(query: ListQuery = {}): Promise<ProjectPage> {
		const { offset, limit } = check.checkPage(query);
		const index = query.status === undefined ? this.keys.activeIndex : this.keys.statusIndex(check.checkStatus(query.status));
		const [[, ids], [, total]] = (await this.redis
			.multi()
			.zrevrange(index, offset, offset + limit - 1)
			.zcard(index)
			.exec()) as [[null, string[]], [null, number]];
		if (!ids.length) return { projects: [], total, offset, limit };
		const pipeline = this.redis.pipeline();
		for (const id of ids) pipeline.hget(this.keys.project(id), 'data');
		const rows = ((await pipeline.exec()) ?? []) as Array<[Error | null, string | null]>;
		// A project deleted between the two reads is skipped rather than failing the whole page.
		const projects = rows.flatMap(([error, json]) => {
			if (error) throw error;
			return json === null ? [] : [JSON.parse(json) as Project];
		});
		return { projects, total, offset, limit };
	}

	private async update(
		id: string,
		options: UpdateOptions,
		change: (project: Project, now: string) => changes.Change,
	): Promise<Project> {
		check.checkProjectId(id);
		const expected = check.checkExpectedVersion(options.expectedVersion);
		const source = this.sourceOf(options);
		for (let attempt = 1; ; attempt++) {
			const stored = await this.read(id);
			if (expected !== undefined && stored.version !== expected) throw new VersionConflictError(id, expected, stored.version);
			const now = this.timestamp();
			const result = change(structuredClone(stored.project), now);
			if (result === null) return stored.project;
			const next: Project = { ...result.project, version: stored.version + 1, updatedAt: now };
			const outcome = await this.commit(stored, next, result.events, source);
			if (outcome.ok) return next;
			if (outcome.current === undefined) throw new ProjectNotFoundError(id);
			if (expected !== undefined) throw new VersionConflictError(id, expected, outcome.current);
			if (attempt >= this.maxAttempts) throw new UpdateContentionError(id, attempt);
			await backOff(attempt);
		}
	}

	private async commit(
		stored: Stored,
		next: Project,
		events: changes.ChangeEvent[],
		source: string,
	): Promise<{ ok: true } | { ok: false; current?: number }> {
		const json = this.serialise(next);
		const { remove, add } = indexChanges(stored.project, next, this.keys);
		const eventArgs = events.flatMap((e) => {
			const fields = toStreamFields({ time: next.updatedAt, type: e.type, source, version: next.version, data: e.data });
			return [String(fields.length), ...fields];
		});
		const reply = (await runScript(
			this.redis,
			COMMIT_CHANGE,
			[this.keys.project(next.id), this.keys.events(next.id), ...remove, ...add],
			[
				String(stored.version),
				String(next.version),
				json,
				next.id,
				indexScore(next),
				remove.length,
				add.length,
				this.maxEvents,
				events.length,
				...eventArgs,
			],
		)) as [number, number?];
		if (reply[0] === 1) return { ok: true };
		return { ok: false, current: reply[0] === 0 ? reply[1] : undefined };
	}

	private async read(id: string): Promise<Stored> {
		const [version, data] = await this.redis.hmget(this.keys.project(id), 'version', 'data');
		if (version === null || data === null) throw new ProjectNotFoundError(id);
		return { project: JSON.parse(data) as Project, version: Number(version) };
	}

	private serialise(project: Project): string {
		const json = JSON.stringify(project);
		const bytes = Buffer.byteLength(json, 'utf8');
		if (bytes > this.limits.maxProjectBytes) {
			throw new InvalidInputError(
				'project',
				`would be ${bytes} bytes after this change; the limit is ${this.limits.maxProjectBytes} (large files belong in the repository)`,
			);
		}
		return json;
	}

	private sourceOf(options: { source?: string }): string {
		return options.source === undefined ? this.source : check.checkSource(options.source);
	}

	private timestamp(): string {
		return this.now().toISOString();
	}
}

/** Random, growing waits so writers that collided do not collide again in lockstep. */
function backOff(attempt: number): Promise<void> {
	const ceiling = Math.min(2 ** attempt, 50);
	return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

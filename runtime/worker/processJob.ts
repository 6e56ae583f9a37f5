import { UnrecoverableError, WaitingError, type Job } from 'bullmq';

import type { JobName, ProjectJobData } from '../contracts/service';
import type { LlmUsage } from '../contracts/usage';
import { continueProject, runEnded } from '../driver/continueProject';
import { describeFailure, type Failure } from '../failures';
import { withPhaseTimes, type PhaseTimes } from '../phaseTimes';
import { RetryLaterError } from '../queue/jobBackoff';
import { ProjectStoppedError, type ProjectStop } from '../queue/projectStops';
import type { Services } from '../service/services';
import { jobContext, type JobContext } from './jobContext';
import { advanceJob } from './jobs/advanceJob';
import { callbackJob } from './jobs/callbackJob';
import { developJob } from './jobs/developJob';
import { planJob } from './jobs/planJob';
import { packageJob } from './jobs/packageJob';
import { publishJob } from './jobs/publishJob';
import { reportJob } from './jobs/reportJob';
import { reviewJob } from './jobs/reviewJob';
import { taskJob } from './jobs/taskJob';
import { testJob } from './jobs/testJob';

const HANDLERS: Record<JobName, (context: JobContext) => Promise<Record<string, unknown>>> = {
	plan: planJob,
	develop: developJob,
	test: testJob,
	review: reviewJob,
	task: taskJob,
	package: packageJob,
	publish: publishJob,
	report: reportJob,
	advance: advanceJob,
	callback: callbackJob,
};

/** Jobs that call the model or run tests: they stop in the middle when their project is cancelled or deleted. */
const STOPPABLE_JOBS: ReadonlySet<string> = new Set<JobName>(['plan', 'develop', 'test', 'review', 'task', 'package', 'report']);

/** The jobs in flight in this process, so a shutdown can hand them back and a lost lock can stop them. */
export type InFlight = Map<string, AbortController>;

/**
 * Why a job's work was stopped: this worker no longer holds its lock (it could not renew it in
 * time, e.g. while Redis was away or the cores were saturated), so the queue hands the job to a
 * worker again. Going on would run the same step twice at once, and the copy that started later
 * could begin another attempt of the task; the work stops, and the job's next run resumes from the
 * store.
 */
export class LockLostError extends Error {
	constructor(readonly jobId: string) {
		super(`the worker lost the lock of job ${jobId}: its work stops here, and the queue runs it again`);
		this.name = 'LockLostError';
	}
}

/**
 * Runs one job: its handler, then the bookkeeping every job shares: logs, metrics, the step job's
 * callback, and the failure rules (transient errors are thrown for BullMQ to retry with backoff;
 * permanent ones, and the last try, fail the job for good and, in auto mode, the project).
 */
export async function processJob(services: Services, inFlight: InFlight, job: Job, token?: string): Promise<Record<string, unknown>> {
	const { logger, metrics } = services;
	const data = job.data as Partial<ProjectJobData> & { taskId?: string };
	const projectId = data.projectId ?? '';
	const controller = new AbortController();
	inFlight.set(job.id!, controller);
	const started = Date.now();
	const log = logger.child({ jobId: job.id, job: job.name, projectId: data.projectId, taskId: data.taskId, attempt: job.attemptsMade + 1 });
	log.info('job started');
	const usageBefore = await usageOf(services, projectId);
	const stop: ProjectStop | undefined = projectId && STOPPABLE_JOBS.has(job.name) ? services.projectStops.watch(projectId) : undefined;
	try {
		const handler = HANDLERS[job.name as JobName];
		if (!handler) throw new UnrecoverableError(`unknown job "${job.name}"`);
		const context = await jobContext(services, job, projectId, stop ? AbortSignal.any([controller.signal, stop.signal]) : controller.signal);
		const timed = withPhaseTimes(() => handler(context));
		const result = await timed.done;
		const durationMs = Date.now() - started;
		metrics.jobSeconds.observe({ name: job.name, outcome: 'completed' }, durationMs / 1000);
		for (const [phase, ms] of Object.entries(timed.times)) if (ms > 0) metrics.jobPhaseSeconds.inc({ name: job.name, phase: phase.replace(/Ms$/, '') }, ms / 1000);
		log.info({ durationMs, queuedMs: queuedMs(job, started), ...roundedTimes(timed.times) }, 'job finished');
		await recordUsage(services, projectId, usageBefore, context);
		return result;
	} catch (error) {
		if (controller.signal.reason instanceof LockLostError) {
			// Not this worker's job any more: nothing of it is moved or failed from here (BullMQ's own
			// move would be refused for want of the lock); the run that took it over goes on.
			metrics.jobSeconds.observe({ name: job.name, outcome: 'lock_lost' }, (Date.now() - started) / 1000);
			log.warn({ durationMs: Date.now() - started }, 'job stopped: this worker lost its lock, the queue runs it again');
			throw controller.signal.reason;
		}
		if (controller.signal.aborted && token) {
			// Shutting down: the job goes back to the queue as it was, its attempt not counted.
			metrics.jobSeconds.observe({ name: job.name, outcome: 'handed_back' }, (Date.now() - started) / 1000);
			log.info('job handed back at shutdown');
			await job.moveToWait(token);
			throw new WaitingError();
		}
		if (stop?.signal.aborted) {
			// Cancelled or deleted meanwhile: whoever did it has already ended the run; the job ends
			// for good without failing the project, and says why to a node waiting for it.
			const stopped = stop.signal.reason as ProjectStoppedError;
			metrics.jobSeconds.observe({ name: job.name, outcome: 'stopped' }, (Date.now() - started) / 1000);
			log.info({ durationMs: Date.now() - started, reason: stopped.reason }, 'job stopped: its project was ' + stopped.reason);
			throw new UnrecoverableError(JSON.stringify({ kind: stopped.kind, message: stopped.message }));
		}
		const failure = describeFailure(error);
		const last = !failure.retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
		metrics.errors.inc({ kind: failure.kind, retrying: String(!last) });
		metrics.jobSeconds.observe({ name: job.name, outcome: last ? 'failed' : 'retry' }, (Date.now() - started) / 1000);
		log[last ? 'error' : 'warn']({ kind: failure.kind, durationMs: Date.now() - started, retrying: !last }, failure.message);
		if (last) await onFinalFailure(services, job, failure).catch((e: unknown) => log.error({ err: e }, 'could not record the failure'));
		const reason = JSON.stringify({ kind: failure.kind, message: failure.message, ...(failure.field ? { field: failure.field } : {}) });
		throw last ? new UnrecoverableError(reason) : new RetryLaterError(reason, failure.retryAfterMs);
	} finally {
		stop?.release();
		// The queue may have handed this job to another run in this process meanwhile (a lost lock): that run's entry stays.
		if (inFlight.get(job.id!) === controller) inFlight.delete(job.id!);
	}
}

/** From when the job could first run (its delay over) to when this worker took it. */
function queuedMs(job: Job, started: number): number {
	return Math.max(0, (job.processedOn ?? started) - job.timestamp - (job.opts.delay ?? 0));
}

function roundedTimes(times: PhaseTimes): PhaseTimes {
	return { llmMs: Math.round(times.llmMs), sandboxMs: Math.round(times.sandboxMs), gitMs: Math.round(times.gitMs) };
}

/** Jobs that only tell about a project: their failure is theirs, never the project's. */
const OBSERVING_JOBS: ReadonlySet<string> = new Set<JobName>(['callback', 'report']);

/** A job that fails for good fails its project when the service drives it. */
async function onFinalFailure(services: Services, job: Job, failure: Failure): Promise<void> {
	const data = job.data as Partial<ProjectJobData> & { taskId?: string };
	if (!data.projectId || OBSERVING_JOBS.has(job.name)) return;
	const run = await services.runs.get(data.projectId);
	if (run.mode !== 'auto') return;
	const project = await services.store.get(data.projectId);
	if (runEnded(project)) return;
	const what = data.taskId ? `task "${data.taskId}"` : job.name;
	const failed = await services.store.updateStatus(project.id, 'failed', { reason: `${what}: ${failure.message}`.slice(0, 2000), source: `worker:${job.name}` });
	await continueProject(services, failed);
}

async function usageOf(services: Services, projectId: string): Promise<Record<string, LlmUsage> | null> {
	if (!projectId) return null;
	return services.store.get(projectId).then((p) => p.usage.byRole, () => null);
}

/** LLM metrics come from what the store metered for the job, so they count exactly what projects are charged. */
async function recordUsage(services: Services, projectId: string, before: Record<string, LlmUsage> | null, context: JobContext): Promise<void> {
	if (!before) return;
	const after = await usageOf(services, projectId);
	if (!after) return;
	for (const [role, usage] of Object.entries(after)) {
		const prior = Object.hasOwn(before, role) ? before[role] : undefined;
		const model = (context.settings.models as Record<string, string>)[role] ?? 'unknown';
		services.metrics.recordUsage(role, model, {
			promptTokens: usage.promptTokens - (prior?.promptTokens ?? 0),
			completionTokens: usage.completionTokens - (prior?.completionTokens ?? 0),
			totalTokens: usage.totalTokens - (prior?.totalTokens ?? 0),
			llmMs: usage.llmMs - (prior?.llmMs ?? 0),
			wallMs: usage.wallMs - (prior?.wallMs ?? 0),
			calls: usage.calls - (prior?.calls ?? 0),
		});
	}
}

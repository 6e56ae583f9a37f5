import type { Project } from '../contracts/project';
import { developTask, type DeveloperOutput, type DeveloperSettings, type FixRequest } from '../agents/developer';
import { InvalidInputError } from '../errors';
import type { CallLimiter } from '../llm/callLimiter';
import type { LlmClient } from '../llm/llmClient';
import type { PriceTable } from '../contracts/usage';
import type { ProjectStore } from '../state/projectStore';
import { meteredAgentCall, recordUsage } from './metering';
import { currentCodeFiles, mergeFiles, planTaskOf, testFilesToRun } from './projectFiles';

export interface StepContext {
	store: ProjectStore;
	llm: LlmClient;
	/** Written into the event log, e.g. "n8n:AI Developer" or "worker". */
	source: string;
	/** Bounds the test runs in flight of a worker process, fairly between projects; none: no bound. */
	testSlots?: CallLimiter;
	/** Stops the wait for a test slot and the test run in progress (a worker's shutdown, a cancelled project). */
	signal?: AbortSignal;
	/** MODEL_PRICES: what metered usage costs; none: every model costs 0. */
	prices?: PriceTable;
}

export type DeveloperMode = 'auto' | 'write' | 'fix';

export interface DeveloperStepSettings extends DeveloperSettings {
	/** auto: fix when the task's last test run failed, write otherwise. */
	mode: DeveloperMode;
	/** A stronger model for a task's later attempts: from attempt `fromAttempt` on it writes instead of `model`. */
	escalation?: Escalation;
}

export interface Escalation {
	model: string;
	/** The first attempt (1 for the first) that uses the escalation model. */
	fromAttempt: number;
}

/** The model a task's attempt is written with: the escalation model from its `fromAttempt` on, the developer's before. */
export function modelForAttempt(settings: Pick<DeveloperStepSettings, 'model' | 'escalation'>, attempt: number): string {
	const { escalation } = settings;
	return escalation && attempt >= escalation.fromAttempt ? escalation.model : settings.model;
}

export interface DeveloperStepResult {
	project: Project;
	output: DeveloperOutput;
	/** The task's attempt this work belongs to (1 for the first). */
	attempt: number;
}

/**
 * One developer turn on a stored task: starts (or restarts) it, writes or fixes its code from the
 * stored project, and records the files and usage. The store is the source of truth, so any
 * node or worker can take the next turn.
 */
export async function runDeveloperStep(context: StepContext, projectId: string, taskId: string, settings: DeveloperStepSettings): Promise<DeveloperStepResult> {
	const { store, llm, source } = context;
	let project = await store.get(projectId);
	let { state } = planTaskOf(project, taskId);
	if (state.status === 'done') {
		throw new InvalidInputError('taskId', `task "${taskId}" is already done; its tests passed on attempt ${state.attempts}`);
	}
	const fix = fixRequestOf(project, taskId, settings.mode);
	if (state.status !== 'in_progress') {
		project = await store.startTask(projectId, taskId, { source });
		state = project.tasks[taskId];
	}
	const { planTask } = planTaskOf(project, taskId);
	// The choice of model is the pipeline's: the agent writes with the model it is given.
	const { mode: _mode, escalation: _escalation, ...agentSettings } = { ...settings, model: modelForAttempt(settings, state.attempts) };
	const dependencyPaths = planTask.dependsOn.flatMap((id) => (Object.hasOwn(project.tasks, id) ? project.tasks[id].files.map((f) => f.path) : []));
	const output = await meteredAgentCall(context, projectId, 'developer', () =>
		developTask(
			{
				task: planTask,
				planSummary: project.plan!.summary,
				techStack: project.plan!.techStack,
				projectFiles: currentCodeFiles(project),
				priorityPaths: [...state.files.map((f) => f.path), ...dependencyPaths],
				fix,
				protectedPaths: testFilesToRun(project, taskId).map((f) => f.path),
			},
			llm,
			agentSettings,
		),
	);
	await recordUsage(context, projectId, 'developer', output);
	project = await store.recordTaskWork(projectId, taskId, { files: mergeFiles(state.files, output.files), model: output.model }, { source });
	return { project, output, attempt: state.attempts };
}

function fixRequestOf(project: Project, taskId: string, mode: DeveloperMode): FixRequest | undefined {
	const state = project.tasks[taskId];
	const report = state.testReport as { status?: string; failures?: FixRequest['failures']; output?: string } | null;
	const failedRun = !!report && report.status !== 'passed' && state.testFiles.length > 0;
	// The attempt the reviewer rejected: the one that ended (failed), or the one before the attempt in progress (a turn resumed).
	const finishedAttempt = state.status === 'in_progress' ? state.attempts - 1 : state.attempts;
	const rejected = !failedRun && state.review?.verdict === 'request_changes' && state.review.attempt === finishedAttempt && !state.review.warned;
	if (mode === 'write' || (mode === 'auto' && !failedRun && !rejected)) return undefined;
	if (rejected) return { failures: [], output: '', testFiles: state.testFiles, review: { summary: state.review!.summary, comments: state.review!.comments } };
	if (!failedRun) {
		throw new InvalidInputError('mode', `task "${taskId}" has no failing test report to fix: run the AI Tester first, or use the Write mode`);
	}
	const failures = report!.failures ?? [];
	const output = report!.output ?? '';
	// A finished task's test that now fails is a regression this task caused: show that test too,
	// but only the ones the failures name, so the prompt does not grow with the project.
	const failingText = [output, ...failures.map((f) => `${f.test} ${f.message}`)].join('\n');
	const regressions = testFilesToRun(project, taskId).filter(
		(file) => !state.testFiles.some((own) => own.path === file.path) && failingText.includes(file.path),
	);
	return { failures, output, testFiles: [...state.testFiles, ...regressions.slice(0, MAX_REGRESSION_FILES_SHOWN)] };
}

const MAX_REGRESSION_FILES_SHOWN = 3;

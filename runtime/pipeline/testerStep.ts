import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { writeTests, type TesterOutput, type TesterSettings } from '../agents/tester';
import type { Project } from '../contracts/project';
import type { TestReport } from '../contracts/testReport';
import { InvalidInputError } from '../errors';
import { timePhase } from '../phaseTimes';
import { runTests, type RunTestsOptions } from '../sandbox/runners';
import { materializeFiles } from '../workspace/materialize';
import type { StepContext } from './developerStep';
import { meteredAgentCall, recordUsage } from './metering';
import { currentCodeFiles, planTaskOf, testFilesToRun } from './projectFiles';

export interface TesterStepSettings extends TesterSettings {
	/** Write new tests even when the task has some (e.g. after the acceptance criteria changed). */
	regenerateTests: boolean;
	run: Pick<RunTestsOptions, 'command' | 'timeoutMs' | 'maxOutputBytes' | 'sandbox' | 'signal'>;
	/**
	 * The project reviews its tasks: a passing run leaves the task in progress with its report, for
	 * the reviewer to finish (runReviewerStep); a failing run fails the attempt as always.
	 */
	awaitReview?: boolean;
}

export interface TesterStepResult {
	project: Project;
	report: TestReport;
	/** Present when this turn wrote the tests. */
	written?: TesterOutput;
	attempt: number;
}

/**
 * One tester turn on a task the developer has worked on: writes its tests once, runs the
 * project's code against them (and against the tests of finished tasks) in the sandbox, and
 * finishes the task: done when they pass (or, when the project reviews its tasks, left in progress
 * for the reviewer), failed with the report otherwise.
 */
export async function runTesterStep(context: StepContext, projectId: string, taskId: string, settings: TesterStepSettings): Promise<TesterStepResult> {
	const { store, llm, source } = context;
	let project = await store.get(projectId);
	const { planTask, state } = planTaskOf(project, taskId);
	if (state.status !== 'in_progress') {
		throw new InvalidInputError('taskId', `task "${taskId}" is ${state.status}, not in progress: run the AI Developer on it first`);
	}
	let written: TesterOutput | undefined;
	if (settings.regenerateTests || !state.testFiles?.length) {
		written = await meteredAgentCall(context, projectId, 'tester', () =>
			writeTests(
				{ task: planTask, planSummary: project.plan!.summary, techStack: project.plan!.techStack, taskFiles: state.files, projectFiles: currentCodeFiles(project) },
				llm,
				settings,
			),
		);
		await recordUsage(context, projectId, 'tester', written);
		project = await store.recordTaskWork(projectId, taskId, { testFiles: written.testFiles }, { source });
	}
	const tested = project;
	const run = () => runProjectTests(tested, taskId, { ...settings.run, signal: context.signal });
	// Waiting for a test slot is part of the test run's time.
	const report = await timePhase('sandbox', () => (context.testSlots ? context.testSlots.run(run, context.signal, projectId) : run()));
	if (report.status === 'passed' && settings.awaitReview) {
		project = await store.recordTaskWork(projectId, taskId, { testReport: report }, { source });
	} else {
		project = await store.recordTaskResult(
			projectId,
			taskId,
			report.status === 'passed'
				? { status: 'done', testReport: report }
				: { status: 'failed', testReport: report, error: failureSummary(report) },
			{ source },
		);
	}
	return { project, report, written, attempt: state.attempts };
}

/** Materialises the project's code and the tests to run in a fresh folder and runs them there. */
export async function runProjectTests(project: Project, taskId: string, run: TesterStepSettings['run']): Promise<TestReport> {
	const workspace = await mkdtemp(join(tmpdir(), 'ai-company-workspace-'));
	try {
		const code = currentCodeFiles(project);
		const tests = testFilesToRun(project, taskId);
		const testPaths = new Set(tests.map((f) => f.path));
		const files = [...code.filter((f) => !testPaths.has(f.path)), ...tests];
		await materializeFiles(workspace, files);
		return await runTests(workspace, { techStack: project.plan?.techStack ?? [], files, ...run });
	} finally {
		await rm(workspace, { recursive: true, force: true });
	}
}

function failureSummary(report: TestReport): string {
	if (report.status === 'timeout') return `the tests did not finish within ${Math.round(report.durationMs / 1000)} s`;
	if (report.status === 'error') return `the tests could not run: ${report.output.split('\n').slice(-3).join(' ').slice(0, 300)}`;
	return `${report.failed} of ${report.passed + report.failed} tests failed: ${report.failures.map((f) => f.test).slice(0, 5).join('; ')}`;
}

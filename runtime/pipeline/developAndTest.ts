import type { TestReport } from '../contracts/testReport';
import { runDeveloperStep, type DeveloperStepSettings, type StepContext } from './developerStep';
import { runTesterStep, type TesterStepSettings } from './testerStep';

export interface FixLoopSettings {
	developer: Omit<DeveloperStepSettings, 'mode'>;
	tester: TesterStepSettings;
	/** Developer turns at most, the first included. */
	maxAttempts: number;
}

export interface FixLoopResult {
	status: 'done' | 'failed';
	attempts: number;
	report: TestReport;
}

/**
 * The canvas loop Developer → Tester → (failed and attempts left) → Developer in fix mode → …
 * as one call, for the worker. Each turn is the same step the nodes run, so a crash between two
 * turns resumes from the store.
 */
export async function developAndTestTask(context: StepContext, projectId: string, taskId: string, settings: FixLoopSettings): Promise<FixLoopResult> {
	for (;;) {
		const developed = await runDeveloperStep(context, projectId, taskId, { ...settings.developer, mode: 'auto' });
		const tested = await runTesterStep(context, projectId, taskId, settings.tester);
		if (tested.report.status === 'passed' || developed.attempt >= settings.maxAttempts) {
			return { status: tested.report.status === 'passed' ? 'done' : 'failed', attempts: developed.attempt, report: tested.report };
		}
	}
}

import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runTesterStep, type TesterStepSettings } from '../../runtime/index';
import { executePerItem } from '../shared/executePerItem';
import { readAgentTurn } from '../shared/taskFields';

/**
 * One tester turn per input item. The output's `status` (the test run's) and `attempt` are what
 * an IF node needs to send a failed task back to the AI Developer.
 */
export async function executeAiTester(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return executePerItem(this, async (itemIndex, stores) => {
		const { projectId, taskId, options, settings, step } = await readAgentTurn(this, itemIndex, stores);
		const result = await runTesterStep(step, projectId, taskId, {
			...settings,
			model: String(this.getNodeParameter('model', itemIndex, '')),
			promptTemplate: typeof options.promptTemplate === 'string' ? options.promptTemplate : undefined,
			regenerateTests: options.regenerateTests === true,
			run: runSettings(options),
		});
		const task = result.project.tasks[taskId];
		return {
			projectId,
			taskId,
			status: result.report.status,
			taskStatus: task.status,
			attempt: result.attempt,
			report: result.report,
			testFiles: task.testFiles.map((f) => f.path),
			wroteTests: !!result.written,
			model: result.written?.model ?? null,
			usage: result.written?.usage ?? null,
		} as unknown as IDataObject;
	});
}

function runSettings(options: IDataObject): TesterStepSettings['run'] {
	const command = typeof options.testCommand === 'string' && options.testCommand.trim() ? options.testCommand.trim().split(/\s+/) : undefined;
	const sandbox = options.sandbox === 'bubblewrap' || options.sandbox === 'process' || options.sandbox === 'process-unconfined' ? options.sandbox : 'auto';
	return {
		command,
		sandbox,
		timeoutMs: (typeof options.testTimeoutSeconds === 'number' ? options.testTimeoutSeconds : 120) * 1000,
		maxOutputBytes: (typeof options.maxOutputKb === 'number' ? options.maxOutputKb : 256) * 1024,
	};
}

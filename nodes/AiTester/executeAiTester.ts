import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executePerItem } from '../shared/executePerItem';
import { runServiceJob } from '../shared/runServiceJob';
import { stepBody, taskStepPath } from '../shared/stepRequest';

/** One tester turn per input item: tests written once, run in the sandbox, the attempt finished. */
export async function executeAiTester(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return executePerItem(this, async (itemIndex) => {
		const body = stepBody(this, itemIndex, ['regenerateTests', 'testCommand', 'testTimeoutSeconds', 'maxOutputKb']);
		return runServiceJob(this, itemIndex, taskStepPath(this, itemIndex, 'test'), body);
	});
}

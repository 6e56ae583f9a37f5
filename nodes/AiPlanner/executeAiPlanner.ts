import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executePerItem } from '../shared/executePerItem';
import { readText } from '../shared/parameters';
import { runServiceJob } from '../shared/runServiceJob';
import { stepBody } from '../shared/stepRequest';
import { serviceRequest } from '../shared/transport/serviceRequest';

/** One plan per input item: of the stored project, or of one created here from the requirements. */
export async function executeAiPlanner(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return executePerItem(this, async (itemIndex) => {
		const projectId = readText(this, 'projectId', 'Project ID', itemIndex) ?? (await createProject(this, itemIndex));
		return runServiceJob(this, itemIndex, `/api/projects/${encodeURIComponent(projectId)}/plan`, stepBody(this, itemIndex, ['maxTasks']));
	});
}

/** A project for canvas steps (`start: false`): the service waits for the nodes to drive it. */
async function createProject(context: IExecuteFunctions, itemIndex: number): Promise<string> {
	const requirements = readText(context, 'requirements', 'Requirements', itemIndex, true);
	const title = readText(context, 'title', 'Title', itemIndex);
	const created = await serviceRequest<{ projectId: string }>(context, {
		method: 'POST',
		path: '/api/projects',
		body: { requirements, ...(title ? { title } : {}), start: false },
		itemIndex,
	});
	return created.projectId;
}

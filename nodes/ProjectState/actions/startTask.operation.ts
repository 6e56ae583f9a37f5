import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ProjectStore } from '../../../runtime/index';
import { projectIdField, projectJson, readProjectId, readTaskId, taskIdField, updateOptions } from '../helpers/parameters';

const properties: INodeProperties[] = [projectIdField, taskIdField];

export const description = updateDisplayOptions({ show: { operation: ['startTask'] } }, properties);

/** pending (or failed, for a retry) → in_progress; counts the attempt. */
export async function execute(store: ProjectStore, context: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readProjectId(context, itemIndex);
	return projectJson(await store.startTask(id, readTaskId(context, itemIndex), updateOptions(context, itemIndex)));
}

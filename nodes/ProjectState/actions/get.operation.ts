import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ProjectStore } from '../../../runtime/index';
import { projectIdField, projectJson, readProjectId } from '../helpers/parameters';

const properties: INodeProperties[] = [projectIdField];

export const description = updateDisplayOptions({ show: { operation: ['get'] } }, properties);

export async function execute(store: ProjectStore, context: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return projectJson(await store.get(readProjectId(context, itemIndex)));
}

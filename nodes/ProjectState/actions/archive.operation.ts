import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ProjectStore } from '../../../runtime/index';
import { projectIdField, projectJson, readProjectId, updateOptions } from '../helpers/parameters';

const properties: INodeProperties[] = [projectIdField];

export const description = updateDisplayOptions({ show: { operation: ['archive'] } }, properties);

/** Out of every listing, still readable; archiving twice keeps the first "archivedAt". */
export async function execute(store: ProjectStore, context: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readProjectId(context, itemIndex);
	return projectJson(await store.archive(id, updateOptions(context, itemIndex)));
}

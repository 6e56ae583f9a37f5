import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ProjectStore } from '../../../runtime/index';
import { projectIdField, readProjectId, updateOptions } from '../helpers/parameters';

const properties: INodeProperties[] = [projectIdField];

export const description = updateDisplayOptions({ show: { operation: ['delete'] } }, properties);

/** Removes the project, its event log, its index entries and its idempotency key. */
export async function execute(store: ProjectStore, context: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readProjectId(context, itemIndex);
	const { expectedVersion } = updateOptions(context, itemIndex);
	await store.delete(id, expectedVersion === undefined ? {} : { expectedVersion });
	return { id, deleted: true };
}

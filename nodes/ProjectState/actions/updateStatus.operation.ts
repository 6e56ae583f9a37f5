import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { PROJECT_STATUSES, type ProjectStatus, type ProjectStore } from '../../../runtime/index';
import { projectIdField, projectJson, readProjectId, readText, updateOptions } from '../helpers/parameters';

/** Every project status, by its name in the lifecycle (runtime/state/lifecycle.ts). */
export const statusOptions: INodePropertyOptions[] = PROJECT_STATUSES.map((status) => ({
	name: status
		.split('_')
		.map((word) => word[0].toUpperCase() + word.slice(1))
		.join(' '),
	value: status,
})).sort((a, b) => a.name.localeCompare(b.name));

const properties: INodeProperties[] = [
	projectIdField,
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: statusOptions,
		default: 'planning',
		description: 'Where the project goes next; moves the lifecycle does not allow are refused, naming both statuses',
	},
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		default: '',
		description: 'Why, e.g. the error that made the project fail; kept as "statusReason" and in the event log',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['updateStatus'] } }, properties);

export async function execute(store: ProjectStore, context: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readProjectId(context, itemIndex);
	const status = readText(context, 'status', itemIndex, 'status');
	const reason = readText(context, 'reason', itemIndex, 'reason', false);
	const project = await store.updateStatus(id, status as ProjectStatus, {
		...updateOptions(context, itemIndex),
		...(reason.trim() ? { reason } : {}),
	});
	return projectJson(project);
}

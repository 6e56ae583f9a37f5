import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { InvalidInputError, type ProjectStore } from '../../../runtime/index';
import { projectIdField, readJson, readProjectId, readText } from '../helpers/parameters';

const properties: INodeProperties[] = [
	projectIdField,
	{
		displayName: 'Event Type',
		name: 'eventType',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. review.requested',
		description: 'Up to 64 lowercase letters, digits, dots, dashes, underscores or colons, starting with a letter',
	},
	{
		displayName: 'Event Data',
		name: 'eventData',
		type: 'json',
		default: '{}',
		description: 'Any JSON object (up to 64 KB) kept with the event',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['addEvent'] } }, properties);

/** Appends to the project's event log without changing the project (its version stays). */
export async function execute(store: ProjectStore, context: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readProjectId(context, itemIndex);
	const type = readText(context, 'eventType', itemIndex, 'event');
	const data = readJson(context, 'eventData', itemIndex, 'data') ?? {};
	if (typeof data !== 'object' || data === null || Array.isArray(data)) {
		throw new InvalidInputError('data', `must be a JSON object like { "reviewer": "Ada" }, got ${Array.isArray(data) ? 'a list' : JSON.stringify(data)}`);
	}
	const event = await store.addEvent(id, { type, data: data as Record<string, unknown> });
	return { projectId: id, ...event } as IDataObject;
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ProjectEvent, ProjectStore } from '../../../runtime/index';
import { projectIdField, readProjectId, readText, returnAllFields } from '../helpers/parameters';

/** The store's largest page of events. */
const PAGE = 1000;

const properties: INodeProperties[] = [
	projectIdField,
	...returnAllFields(PAGE),
	{
		displayName: 'After Event ID',
		name: 'after',
		type: 'string',
		default: '',
		placeholder: 'e.g. 1718000000000-0',
		description: 'Only events after this one (its "ID" in an earlier output), to read on from there',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['getEvents'] } }, properties);

/** The event log, oldest first: one item per event. */
export async function execute(store: ProjectStore, context: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const id = readProjectId(context, itemIndex);
	const returnAll = context.getNodeParameter('returnAll', itemIndex, false) === true;
	let after: string | undefined = readText(context, 'after', itemIndex, 'after') || undefined;
	const events: ProjectEvent[] = [];
	if (!returnAll) {
		const count = context.getNodeParameter('limit', itemIndex, 50) as number;
		events.push(...(await store.events(id, { after, count })));
	} else {
		for (;;) {
			const page = await store.events(id, { after, count: PAGE });
			events.push(...page);
			if (page.length < PAGE) break;
			after = page[page.length - 1].id;
		}
	}
	return events.map((event) => ({ projectId: id, ...event }) as IDataObject);
}

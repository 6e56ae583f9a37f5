import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { InvalidInputError, PROJECT_STATUSES, type Project, type ProjectStatus, type ProjectStore } from '../../../runtime/index';
import { projectJson, readText, returnAllFields } from '../helpers/parameters';
import { statusOptions } from './updateStatus.operation';

/** The store's largest page of projects. */
const PAGE = 500;
const ALL_ACTIVE = 'active';

const properties: INodeProperties[] = [
	{
		displayName: 'Status Filter',
		name: 'statusFilter',
		type: 'options',
		options: [{ name: 'All Active', value: ALL_ACTIVE, description: 'Every project not completed, cancelled or archived' }, ...statusOptions],
		default: ALL_ACTIVE,
		description: 'Archived projects are never listed',
	},
	...returnAllFields(PAGE),
	{
		displayName: 'Offset',
		name: 'offset',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: 'How many projects to skip, newest first: with a Limit of 50, 50 gives the second page',
		displayOptions: { show: { returnAll: [false] } },
	},
];

export const description = updateDisplayOptions({ show: { operation: ['list'] } }, properties);

/** Newest first, one item per project; no items when none match. */
export async function execute(store: ProjectStore, context: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const filter = readText(context, 'statusFilter', itemIndex, 'statusFilter') || ALL_ACTIVE;
	if (filter !== ALL_ACTIVE && !PROJECT_STATUSES.includes(filter as ProjectStatus)) {
		throw new InvalidInputError('statusFilter', `must be "${ALL_ACTIVE}" or one of ${PROJECT_STATUSES.join(', ')}; got ${JSON.stringify(filter)}`);
	}
	const status = filter === ALL_ACTIVE ? undefined : (filter as ProjectStatus);
	if (context.getNodeParameter('returnAll', itemIndex, false) !== true) {
		const limit = context.getNodeParameter('limit', itemIndex, 50) as number;
		const offset = context.getNodeParameter('offset', itemIndex, 0) as number;
		const page = await store.list({ status, offset, limit });
		return page.projects.map(projectJson);
	}
	// Projects created meanwhile shift later pages: skip what was already listed.
	const seen = new Set<string>();
	const projects: Project[] = [];
	for (let offset = 0; ; offset += PAGE) {
		const page = await store.list({ status, offset, limit: PAGE });
		for (const project of page.projects) {
			if (!seen.has(project.id)) projects.push(project);
			seen.add(project.id);
		}
		if (offset + PAGE >= page.total) break;
	}
	return projects.map(projectJson);
}

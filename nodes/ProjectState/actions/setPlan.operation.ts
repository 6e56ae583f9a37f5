import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { Plan, ProjectStore } from '../../../runtime/index';
import { projectIdField, projectJson, readJson, readProjectId, updateOptions } from '../helpers/parameters';

const properties: INodeProperties[] = [
	projectIdField,
	{
		displayName: 'Plan',
		name: 'plan',
		type: 'json',
		default: '={{ $json.plan }}',
		required: true,
		description:
			'The plan as the AI Planner outputs it in its "plan" field. Each of its tasks gets an entry in "tasks"; tasks kept from an earlier plan keep their progress.',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['setPlan'] } }, properties);

export async function execute(store: ProjectStore, context: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readProjectId(context, itemIndex);
	// The store checks the plan against the plan contract and the task graph, naming "plan".
	const plan = readJson(context, 'plan', itemIndex, 'plan') ?? null;
	return projectJson(await store.setPlan(id, plan as Plan, updateOptions(context, itemIndex)));
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { LlmUsage, ProjectStore } from '../../../runtime/index';
import { projectIdField, projectJson, readJson, readProjectId, readText, updateOptions } from '../helpers/parameters';

const properties: INodeProperties[] = [
	projectIdField,
	{
		displayName: 'Role',
		name: 'role',
		type: 'string',
		default: 'planner',
		required: true,
		description: 'The agent role the usage is metered under: planner, developer, tester, …',
	},
	{
		displayName: 'Usage',
		name: 'usage',
		type: 'json',
		default: '={{ $json.usage }}',
		required: true,
		description:
			'What the model calls cost, as the AI nodes output it in "usage": promptTokens, completionTokens, totalTokens, llmMs, wallMs, calls',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['addUsage'] } }, properties);

/** Adds to the project's usage total and to the role's; logs no event. */
export async function execute(store: ProjectStore, context: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readProjectId(context, itemIndex);
	const role = readText(context, 'role', itemIndex, 'role');
	const usage = readJson(context, 'usage', itemIndex, 'usage') ?? null;
	return projectJson(await store.addUsage(id, role, usage as LlmUsage, updateOptions(context, itemIndex)));
}

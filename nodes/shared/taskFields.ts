import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { InvalidInputError } from '../../runtime';

/** Project and task of a Task Splitter item (or any item carrying them), for the nodes that work on one task. */
export const taskTargetProperties: INodeProperties[] = [
	{
		displayName: 'Project ID',
		name: 'projectId',
		type: 'string',
		default: '={{ $json.projectId }}',
		required: true,
		description: 'The project in the Project State store; the plan must be stored there (Project State → Set Plan)',
	},
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		default: '={{ $json.task?.id ?? $json.taskId }}',
		required: true,
		description: 'The task to work on: a Task Splitter item\'s task ID by default',
	},
];

export function readTaskTarget(context: IExecuteFunctions, itemIndex: number): { projectId: string; taskId: string } {
	const text = (name: string) => {
		const value = context.getNodeParameter(name, itemIndex, '');
		if (typeof value === 'number') return String(value);
		if (typeof value !== 'string' || !value.trim()) throw new InvalidInputError(name, 'is empty: map it from the input item, e.g. {{ $json.' + name + ' }}');
		return value.trim();
	};
	return { projectId: text('projectId'), taskId: text('taskId') };
}

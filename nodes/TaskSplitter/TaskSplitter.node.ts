import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';


import { executeTaskSplitter } from './execute';

export class TaskSplitter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Task Splitter',
		name: 'taskSplitter',
		icon: 'file:taskSplitter.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "ready" ? "Ready tasks" : "All tasks" }}',
		description: 'Splits a project plan into one item per task, in dependency order, with parallel waves',
		defaults: { name: 'Task Splitter' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{
				displayName: 'Plan',
				name: 'plan',
				type: 'json',
				default: '={{ $json.plan }}',
				required: true,
				description: 'The plan to split, as the AI Planner outputs it in its "plan" field',
			},
			{
				displayName: 'Project ID',
				name: 'projectId',
				type: 'string',
				default: '={{ $json.projectId }}',
				description: 'Carried to every task item',
			},
			{
				displayName: 'Output',
				name: 'mode',
				type: 'options',
				options: [
					{
						name: 'All Tasks',
						value: 'all',
						description: 'Every task, in dependency order',
					},
					{
						name: 'Ready Tasks',
						value: 'ready',
						description: 'Only tasks not done yet whose dependencies are all done, for step-by-step orchestration',
					},
				],
				default: 'all',
			},
			{
				displayName: 'Done Task IDs',
				name: 'doneTaskIds',
				type: 'string',
				default: '',
				placeholder: 'T1, T2',
				description: 'IDs of the tasks already done, comma-separated, or an expression giving a list',
				displayOptions: { show: { mode: ['ready'] } },
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executeTaskSplitter.call(this);
	}
}

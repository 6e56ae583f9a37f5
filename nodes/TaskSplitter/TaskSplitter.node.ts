import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { serviceCredentials } from '../shared/descriptions/common';
import { executeTaskSplitter } from './executeTaskSplitter';

export class TaskSplitter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Task Splitter',
		name: 'taskSplitter',
		icon: { light: 'file:taskSplitter.svg', dark: 'file:taskSplitter.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "ready" ? "Ready tasks" : "All tasks" }}',
		description: 'Splits a project plan into one item per task, in dependency order, with parallel waves',
		defaults: { name: 'Task Splitter' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ ...serviceCredentials[0], required: false, displayOptions: { show: { source: ['stored'] } } }],
		properties: [
			{
				displayName: 'Plan Source',
				name: 'source',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Input Item', value: 'input', description: 'The plan given below, e.g. the AI Planner\'s output; no service call' },
					{
						name: 'Stored Project',
						value: 'stored',
						description: 'The plan and done tasks of a project in the AI Company service',
					},
				],
				default: 'input',
			},
			{
				displayName: 'Plan',
				name: 'plan',
				type: 'json',
				default: '={{ $json.plan }}',
				required: true,
				description: 'The plan to split, as the AI Planner outputs it in its "plan" field',
				displayOptions: { show: { source: ['input'] } },
			},
			{
				displayName: 'Project ID',
				name: 'projectId',
				type: 'string',
				default: '={{ $json.projectId }}',
				description: 'Carried to every task item; with Plan Source "Stored Project", the project whose plan is split',
			},
			{
				displayName: 'Output',
				name: 'mode',
				type: 'options',
				options: [
					{ name: 'All Tasks', value: 'all', description: 'Every task, in dependency order' },
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
				displayOptions: { show: { mode: ['ready'], source: ['input'] } },
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executeTaskSplitter.call(this);
	}
}

import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { keyPrefixOption } from '../shared/executionStore';
import { REDIS_CREDENTIAL_TEST, testRedisCredential } from '../shared/redisConnection';
import { projectStateCredentials } from './helpers/credentials';
import { operationFields, VERSIONED_OPERATIONS } from './actions/operations';
import { router } from './actions/router';

export class ProjectState implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Project State',
		name: 'projectState',
		icon: 'file:projectState.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description: 'Creates, reads and moves projects along their lifecycle in Redis, with their plan, task results and event log',
		defaults: { name: 'Project State' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: projectStateCredentials,
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Add Event',
						value: 'addEvent',
						description: 'Log something that happened, without changing the project',
						action: 'Add an event to a project',
					},
					{
						name: 'Add Usage',
						value: 'addUsage',
						description: 'Add model usage (tokens, time, calls) to the project\'s total and to a role\'s',
						action: 'Add usage to a project',
					},
					{
						name: 'Archive',
						value: 'archive',
						description: 'Take a project out of every listing; it stays readable',
						action: 'Archive a project',
					},
					{
						name: 'Create',
						value: 'create',
						description: 'Start a project from a client request, or return the one already created for it',
						action: 'Create a project',
					},
					{
						name: 'Delete',
						value: 'delete',
						description: 'Remove a project with its event log',
						action: 'Delete a project',
					},
					{
						name: 'Get',
						value: 'get',
						description: 'Read a project',
						action: 'Get a project',
					},
					{
						name: 'Get Events',
						value: 'getEvents',
						description: 'Read a project\'s event log, oldest first',
						action: 'Get the events of a project',
					},
					{
						name: 'List',
						value: 'list',
						description: 'Active projects, or those in one status, newest first',
						action: 'List projects',
					},
					{
						name: 'Publish Repository',
						value: 'publish',
						description: 'Push the project\'s code to a git remote or GitHub, one commit per finished task',
						action: 'Publish the project repository',
					},
					{
						name: 'Record Task Result',
						value: 'recordTaskResult',
						description: 'Mark a started task done or failed, with its files, test report and error',
						action: 'Record a task result',
					},
					{
						name: 'Set Plan',
						value: 'setPlan',
						description: 'Store the AI Planner\'s plan and a pending entry for each of its tasks',
						action: 'Set the plan of a project',
					},
					{
						name: 'Start Task',
						value: 'startTask',
						description: 'Mark a pending or failed task in progress, counting the attempt',
						action: 'Start a task',
					},
					{
						name: 'Update Status',
						value: 'updateStatus',
						description: 'Move a project along its lifecycle',
						action: 'Update the status of a project',
					},
				],
				default: 'get',
			},
			...operationFields,
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Expected Version',
						name: 'expectedVersion',
						type: 'number',
						default: 1,
						typeOptions: { minValue: 1 },
						description:
							'Change the project only if it is still at this version (the version an earlier step read); otherwise fail without writing anything',
						displayOptions: { show: { '/operation': VERSIONED_OPERATIONS } },
					},
					keyPrefixOption,
				],
			},
		],
	};

	methods = {
		credentialTest: { [REDIS_CREDENTIAL_TEST]: testRedisCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}

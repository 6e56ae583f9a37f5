import type { INodeProperties } from 'n8n-workflow';

import { modelProperty } from '../../shared/descriptions/common';
import { executionProperties } from '../../shared/descriptions/execution';
import { projectSettingsProperty } from '../../shared/descriptions/projectSettings';
import { intakeProperties } from '../../shared/intake';
import { approvalOperation } from './approvalOperation';
import { portalLinkOperation } from './portalLinkOperation';

const show = (...operation: string[]) => ({ displayOptions: { show: { resource: ['project'], operation } } });

const PROJECT_STATUSES = ['intake', 'planning', 'planned', 'awaiting_approval', 'development', 'testing', 'review', 'deployment', 'completed', 'failed', 'cancelled', 'on_hold'];
const statusName = (status: string) => status.replace('_', ' ').replace(/^./, (c) => c.toUpperCase());

export const projectOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['project'] } },
	options: [
		{ name: 'Cancel', value: 'cancel', action: 'Cancel a project', description: 'Stop a project; its running jobs stop within about a second' },
		{ name: 'Create', value: 'create', action: 'Create a project', description: "Store a client's request as a new project (the same Idempotency Key gives the same project)" },
		{
			name: 'Create Portal Link',
			value: 'portalLink',
			action: 'Create a client portal link for a project',
			description: "A link to the project's client portal (a URL relative to the service's address, and when it expires): the client reads the plan and progress there and approves the plan",
		},
		{
			name: 'Decide Plan Approval',
			value: 'decideApproval',
			action: 'Approve or request changes to the plan of a project',
			description: 'For a project awaiting approval (settings Approval: plan): approve the plan (development starts) or request changes with a comment (the planner plans again)',
		},
		{ name: 'Delete', value: 'delete', action: 'Delete a project', description: 'Delete a project that has ended, with its events' },
		{ name: 'Get', value: 'get', action: 'Get a project', description: 'Status, plan, tasks with attempts and test reports, usage, repository' },
		{ name: 'Get Many', value: 'getAll', action: 'Get many projects', description: 'The active projects, or those in one status, newest first' },
		{ name: 'Publish', value: 'publish', action: 'Publish a project', description: 'Push the repository: one commit per finished task; completes the project when every task is done' },
		{ name: 'Retry', value: 'retry', action: 'Retry a project', description: 'Run a failed project again from where it failed' },
		{ name: 'Update Status', value: 'updateStatus', action: 'Update the status of a project', description: 'Move the project along its lifecycle' },
		{ name: 'Write Report', value: 'report', action: 'Write a progress report for a project', description: "Have a model write the client's progress report on the project as it stands; the project does not change" },
	],
	default: 'create',
};

const projectId: INodeProperties = {
	displayName: 'Project ID',
	name: 'projectId',
	type: 'string',
	default: '={{ $json.projectId }}',
	required: true,
	...show('cancel', 'decideApproval', 'delete', 'get', 'portalLink', 'publish', 'report', 'retry', 'updateStatus'),
};

export const projectFields: INodeProperties[] = [
	...intakeProperties({ resource: ['project'], operation: ['create'] }),
	{
		displayName: 'Run Automatically',
		name: 'start',
		type: 'boolean',
		default: false,
		description: 'Whether the service runs the whole project by itself (plan, tasks, tests, fixes, publish); off: the AI nodes drive it step by step',
		...show('create'),
	},
	{ ...projectSettingsProperty, ...show('create') },
	projectId,
	...approvalOperation.fields,
	...portalLinkOperation.fields,
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: PROJECT_STATUSES.map((value) => ({ name: statusName(value), value })),
		default: 'completed',
		description: 'Where the project goes; a move its lifecycle does not allow is refused and changes nothing (README, "Lifecycle")',
		...show('updateStatus'),
	},
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		default: '',
		description: 'Kept with the status and in the event log',
		...show('updateStatus', 'cancel'),
	},
	{
		displayName: 'Expected Version',
		name: 'expectedVersion',
		type: 'number',
		default: 0,
		description: 'The "version" you read; the change is refused when someone changed the project since. 0: change whatever is current.',
		...show('updateStatus'),
	},
	{
		displayName: 'Branch',
		name: 'branch',
		type: 'string',
		default: '',
		placeholder: 'main',
		description: 'Branch to push; empty: main',
		...show('publish'),
	},
	...jobExecution('publish', 'the published repository'),
	{ ...modelProperty('writes the report'), ...show('report') },
	...jobExecution('report', 'the report'),
	{
		displayName: 'Status Filter',
		name: 'statusFilter',
		type: 'options',
		options: [{ name: 'Active (Not Ended)', value: 'active' }, ...PROJECT_STATUSES.map((value) => ({ name: statusName(value), value }))],
		default: 'active',
		...show('getAll'),
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		...show('getAll'),
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		description: 'Max number of results to return',
		displayOptions: { show: { resource: ['project'], operation: ['getAll'], returnAll: [false] } },
	},
];

/** The Execution parameters of an operation that runs as a service job, shown for it only. */
function jobExecution(operation: string, what: string): INodeProperties[] {
	return executionProperties(what).map((p) => ({
		...p,
		displayOptions: { show: { ...(p.displayOptions?.show ?? {}), resource: ['project'], operation: [operation] } },
	}));
}

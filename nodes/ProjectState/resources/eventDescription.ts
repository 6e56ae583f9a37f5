import type { INodeProperties } from 'n8n-workflow';

const show = (...operation: string[]) => ({ displayOptions: { show: { resource: ['event'], operation } } });

export const eventOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['event'] } },
	options: [
		{ name: 'Create', value: 'create', action: 'Add an event to a project', description: "Write an entry to the project's event log" },
		{ name: 'Get Many', value: 'getAll', action: 'Get many events of a project', description: "The project's event log, oldest first" },
	],
	default: 'getAll',
};

export const eventFields: INodeProperties[] = [
	{
		displayName: 'Project ID',
		name: 'projectId',
		type: 'string',
		default: '={{ $json.projectId }}',
		required: true,
		...show('create', 'getAll'),
	},
	{
		displayName: 'Type',
		name: 'eventType',
		type: 'string',
		default: 'note',
		required: true,
		placeholder: 'deployed',
		description: 'Lowercase letters, digits and . _ -, starting with a letter (e.g. deployed, client.notified).',
		...show('create'),
	},
	{ displayName: 'Message', name: 'message', type: 'string', default: '', description: 'One line for people reading the log; kept as data.message', ...show('create') },
	{ displayName: 'Data', name: 'data', type: 'json', default: '{}', description: 'Any JSON object kept with the event', ...show('create') },
	{
		displayName: 'After Event ID',
		name: 'after',
		type: 'string',
		default: '',
		placeholder: '1733011200000-0',
		description: 'Only events after this one (the last ID you saw); empty: from the start',
		...show('getAll'),
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		description: 'Max number of results to return',
		...show('getAll'),
	},
];

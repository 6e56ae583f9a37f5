import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { InvalidInputError, type Project, type UpdateOptions } from '../../../runtime/index';

// Fields several operations show, and the readers that turn parameter values into what the store
// takes. Readers refuse wrong types with an InvalidInputError naming the field; the store checks
// everything else (patterns, sizes, the lifecycle) before it writes anything.

export const projectIdField: INodeProperties = {
	displayName: 'Project ID',
	name: 'projectId',
	type: 'string',
	default: '={{ $json.projectId ?? $json.id }}',
	required: true,
	description:
		'The ID that Create returned. By default it comes from the input item: the project ID field of the AI Planner and Task Splitter output, or the ID of a project this node output.',
};

export const taskIdField: INodeProperties = {
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. T1',
	description: 'The ID of a task in the project\'s plan, such as the task ID the Task Splitter outputs',
};

/** Field names the runtime's errors use → the parameter a user changes. */
export const FIELD_LABELS: Record<string, string> = {
	projectId: 'Project ID',
	taskId: 'Task ID',
	title: 'Title',
	requirements: 'Requirements',
	'client.name': 'Client Name',
	'client.email': 'Client Email',
	intake: 'Title / Requirements',
	idempotencyKey: 'Idempotency Key',
	status: 'Status',
	statusFilter: 'Status Filter',
	reason: 'Reason',
	plan: 'Plan',
	result: 'Result',
	'result.files': 'Files',
	'result.testFiles': 'Test Files',
	'result.testReport': 'Test Report',
	'result.error': 'Error Message',
	role: 'Role',
	usage: 'Usage',
	event: 'Event Type',
	'event.data': 'Event Data',
	data: 'Event Data',
	after: 'After Event ID',
	offset: 'Offset',
	limit: 'Limit',
	expectedVersion: 'Expected Version (Options)',
	prefix: 'Key Prefix (Options)',
	database: 'Database Number (Redis credential)',
	port: 'Port (Redis credential)',
	project: 'the project: it grew too large',
};

/** A text parameter: numbers become text, absent values '' (trimmed when `trim`). */
export function readText(context: IExecuteFunctions, name: string, itemIndex: number, field = name, trim = true): string {
	const value = context.getNodeParameter(name, itemIndex, '');
	if (value === undefined || value === null) return '';
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	if (typeof value !== 'string') throw new InvalidInputError(field, `must be text, got ${describe(value)}`);
	return trim ? value.trim() : value;
}

export function readProjectId(context: IExecuteFunctions, itemIndex: number): string {
	const id = readText(context, 'projectId', itemIndex, 'projectId');
	if (!id) throw new InvalidInputError('projectId', 'is empty: give the ID of the project, e.g. {{ $json.id }} after Create');
	return id;
}

export function readTaskId(context: IExecuteFunctions, itemIndex: number): string {
	const id = readText(context, 'taskId', itemIndex, 'taskId');
	if (!id) throw new InvalidInputError('taskId', 'is empty: give the ID of a task of the plan, e.g. T1');
	return id;
}

/**
 * A JSON parameter: an object or list from an expression is taken as it is, text is parsed.
 * Empty text (or nothing) gives undefined.
 */
export function readJson(context: IExecuteFunctions, name: string, itemIndex: number, field = name): unknown {
	const value = context.getNodeParameter(name, itemIndex, undefined);
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') return value;
	if (value.trim() === '') return undefined;
	try {
		return JSON.parse(value) as unknown;
	} catch (error) {
		throw new InvalidInputError(field, `is not valid JSON: ${(error as Error).message}`);
	}
}

/** The Options collection every operation shares. */
export function readOptions(context: IExecuteFunctions, itemIndex: number): IDataObject {
	const options = context.getNodeParameter('options', itemIndex, {});
	return options && typeof options === 'object' && !Array.isArray(options) ? (options as IDataObject) : {};
}

/** Expected Version from the options, for operations that change a project. */
export function updateOptions(context: IExecuteFunctions, itemIndex: number): UpdateOptions {
	const { expectedVersion } = readOptions(context, itemIndex);
	if (expectedVersion === undefined || expectedVersion === null || expectedVersion === '') return {};
	const version = typeof expectedVersion === 'string' && /^\s*\d+\s*$/.test(expectedVersion) ? Number(expectedVersion) : expectedVersion;
	// The store refuses anything but a whole number from 1, naming expectedVersion.
	return { expectedVersion: version as number };
}

/** A project as an output item's JSON. */
export function projectJson(project: Project): IDataObject {
	return project as unknown as IDataObject;
}

function describe(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	return typeof value === 'object' ? 'an object' : typeof value;
}

/** n8n's usual Return All / Limit pair, for operations that output many items. */
export function returnAllFields(maxLimit: number): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			default: 50,
			typeOptions: { minValue: 1, maxValue: maxLimit },
			description: 'Max number of results to return',
			displayOptions: { show: { returnAll: [false] } },
		},
	];
}

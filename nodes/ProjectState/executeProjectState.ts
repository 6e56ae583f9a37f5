import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { executePerItem } from '../shared/executePerItem';
import { intakeBody } from '../shared/intake';
import { readText } from '../shared/parameters';
import { runServiceJob } from '../shared/runServiceJob';
import { serviceRequest } from '../shared/transport/serviceRequest';
import { approvalOperation } from './resources/approvalOperation';
import { portalLinkOperation } from './resources/portalLinkOperation';

type Operation = (context: IExecuteFunctions, itemIndex: number) => Promise<IDataObject | IDataObject[]>;

const LIST_PAGE = 200;

const projectPath = (context: IExecuteFunctions, itemIndex: number, tail = '') =>
	`/api/projects/${encodeURIComponent(readText(context, 'projectId', 'Project ID', itemIndex, true))}${tail}`;

/** Each operation is one request to the service's project API (README, "The HTTP API"). */
const OPERATIONS: Record<string, Record<string, Operation>> = {
	project: {
		create: (context, itemIndex) =>
			serviceRequest(context, { method: 'POST', path: '/api/projects', body: intakeBody(context, itemIndex, context.getNodeParameter('start', itemIndex, false) as boolean), itemIndex }),
		get: (context, itemIndex) => serviceRequest(context, { method: 'GET', path: projectPath(context, itemIndex), itemIndex }),
		getAll: listProjects,
		updateStatus: (context, itemIndex) => {
			const body: IDataObject = { status: context.getNodeParameter('status', itemIndex) as string };
			const reason = readText(context, 'reason', 'Reason', itemIndex);
			if (reason) body.reason = reason;
			const expectedVersion = context.getNodeParameter('expectedVersion', itemIndex, 0) as number;
			if (expectedVersion) body.expectedVersion = expectedVersion;
			return serviceRequest(context, { method: 'POST', path: projectPath(context, itemIndex, '/status'), body, itemIndex });
		},
		cancel: (context, itemIndex) => {
			const reason = readText(context, 'reason', 'Reason', itemIndex);
			return serviceRequest(context, { method: 'POST', path: projectPath(context, itemIndex, '/cancel'), body: reason ? { reason } : {}, itemIndex });
		},
		decideApproval: (context, itemIndex) => approvalOperation.execute(context, itemIndex, projectPath(context, itemIndex, '/approval')),
		portalLink: (context, itemIndex) => portalLinkOperation.execute(context, itemIndex, projectPath(context, itemIndex, '/portal-link')),
		retry: (context, itemIndex) => serviceRequest(context, { method: 'POST', path: projectPath(context, itemIndex, '/retry'), itemIndex }),
		publish: (context, itemIndex) => {
			const branch = readText(context, 'branch', 'Branch', itemIndex);
			return runServiceJob(context, itemIndex, projectPath(context, itemIndex, '/publish'), branch ? { branch } : {});
		},
		delete: (context, itemIndex) => serviceRequest(context, { method: 'DELETE', path: projectPath(context, itemIndex), itemIndex }),
		report: (context, itemIndex) => {
			const model = readText(context, 'model', 'Model', itemIndex);
			return runServiceJob(context, itemIndex, projectPath(context, itemIndex, '/report'), model ? { model } : {});
		},
	},
	event: {
		create: (context, itemIndex) => {
			const body: IDataObject = { type: readText(context, 'eventType', 'Type', itemIndex, true) };
			const message = readText(context, 'message', 'Message', itemIndex);
			if (message) body.message = message;
			const data = jsonObject(context, context.getNodeParameter('data', itemIndex, {}), itemIndex);
			if (Object.keys(data).length) body.data = data;
			return serviceRequest(context, { method: 'POST', path: projectPath(context, itemIndex, '/events'), body, itemIndex });
		},
		getAll: async (context, itemIndex) => {
			const qs: IDataObject = { limit: context.getNodeParameter('limit', itemIndex, 50) as number };
			const after = readText(context, 'after', 'After Event ID', itemIndex);
			if (after) qs.after = after;
			const { events } = await serviceRequest<{ events: IDataObject[] }>(context, { method: 'GET', path: projectPath(context, itemIndex, '/events'), qs, itemIndex });
			return events;
		},
	},
};

export async function executeProjectState(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return executePerItem(this, async (itemIndex) => {
		const resource = this.getNodeParameter('resource', itemIndex) as string;
		const operation = this.getNodeParameter('operation', itemIndex) as string;
		const run = OPERATIONS[resource]?.[operation];
		if (!run) throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not known`, { itemIndex });
		return run(this, itemIndex);
	});
}

/** One output item per project; pages through the service's list (200 a page) when Return All is on. */
async function listProjects(context: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const status = context.getNodeParameter('statusFilter', itemIndex, 'active') as string;
	const returnAll = context.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const wanted = returnAll ? Number.POSITIVE_INFINITY : (context.getNodeParameter('limit', itemIndex, 50) as number);
	const projects: IDataObject[] = [];
	for (let offset = 0; projects.length < wanted; offset += LIST_PAGE) {
		const qs: IDataObject = { offset, limit: Math.min(LIST_PAGE, wanted - projects.length) };
		if (status !== 'active') qs.status = status;
		const page = await serviceRequest<{ projects: IDataObject[] }>(context, { method: 'GET', path: '/api/projects', qs, itemIndex });
		projects.push(...page.projects);
		if (page.projects.length < (qs.limit as number)) break;
	}
	return projects;
}

function jsonObject(context: IExecuteFunctions, value: unknown, itemIndex: number): IDataObject {
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = value.trim() ? (JSON.parse(value) as unknown) : {};
		} catch (error) {
			throw new NodeOperationError(context.getNode(), `"Data" is not JSON: ${(error as Error).message}`, { itemIndex });
		}
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new NodeOperationError(context.getNode(), '"Data" must be a JSON object, e.g. { "url": "https://..." }', { itemIndex });
	}
	return parsed as IDataObject;
}

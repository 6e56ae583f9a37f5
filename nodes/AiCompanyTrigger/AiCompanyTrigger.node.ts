import type { IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { WebhookEventType } from '../../runtime/contracts/webhooks';
import { serviceCredentials } from '../shared/descriptions/common';
import { subscription } from './subscription';
import { deliveryProblem, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './verifyDelivery';

/**
 * The runtime's EVENT_TYPES (runtime/contracts/webhooks.ts), named for the Events list: the compiler
 * holds each value to the contracts' WebhookEventType, test/unit/nodes/agentDefaults.test.ts holds
 * the list to EVENT_TYPES (a run-time value the compiled node cannot import: its file requires the
 * service's schemas).
 */
export const TRIGGER_EVENTS: Array<{ name: string; value: WebhookEventType }> = [
	{ name: 'Project Planned', value: 'project.planned' },
	{ name: 'Project Awaiting Approval', value: 'project.awaiting_approval' },
	{ name: 'Project Completed', value: 'project.completed' },
	{ name: 'Project Failed', value: 'project.failed' },
	{ name: 'Project Cancelled', value: 'project.cancelled' },
	{ name: 'Task Done', value: 'task.done' },
	{ name: 'Task Failed', value: 'task.failed' },
	{ name: 'Task Reviewed', value: 'task.reviewed' },
];

export class AiCompanyTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AI Company Trigger',
		name: 'aiCompanyTrigger',
		icon: { light: 'file:aiCompanyTrigger.svg', dark: 'file:aiCompanyTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["events"].join(", ") }}',
		description: "Starts the workflow when the AI Company service reports a project's or a task's news",
		defaults: { name: 'AI Company Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: serviceCredentials,
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: TRIGGER_EVENTS,
				default: ['project.completed', 'project.failed'],
				required: true,
				description: 'What the service tells this workflow about',
			},
			{
				displayName: 'Project ID',
				name: 'projectId',
				type: 'string',
				default: '',
				description: "Only this project's events; empty: every project's",
			},
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return subscription(this).exists();
			},
			async create(this: IHookFunctions): Promise<boolean> {
				await subscription(this).create();
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return subscription(this).remove();
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const secret = this.getWorkflowStaticData('node').webhookSecret;
		const request = this.getRequestObject();
		const problem =
			typeof secret === 'string'
				? deliveryProblem(secret, { timestamp: request.header(TIMESTAMP_HEADER), signature: request.header(SIGNATURE_HEADER), rawBody: request.rawBody }, Math.floor(Date.now() / 1000))
				: 'this trigger has no secret stored: activate the workflow again to register it';
		if (problem) {
			// Not the service's delivery (or not one this trigger can check): the workflow does not run.
			this.logger.warn(`AI Company Trigger "${this.getNode().name}" refused a delivery: ${problem}`);
			this.getResponseObject().status(401).json({ error: 'unauthorized', message: `not a signed delivery of the AI Company service: ${problem}` });
			return { noWebhookResponse: true };
		}
		return { workflowData: [this.helpers.returnJsonArray([this.getBodyData()])] };
	}
}

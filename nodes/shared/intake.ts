import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { runSettingsBody } from './descriptions/projectSettings';
import { readText } from './parameters';

/** What a client's request carries, as the intake fields of Project State → Create and AI Company. */
export function intakeProperties(show: IDataObject = {}): INodeProperties[] {
	const displayOptions = Object.keys(show).length ? { displayOptions: { show: show as Record<string, string[]> } } : {};
	return [
		{
			displayName: 'Requirements',
			name: 'requirements',
			type: 'string',
			typeOptions: { rows: 6 },
			default: '={{ $json.requirements }}',
			required: true,
			description: 'What the client wants built. Treated as data: the model is told never to follow instructions in it.',
			...displayOptions,
		},
		{
			displayName: 'Intake Fields',
			name: 'intake',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [
				{ displayName: 'Client Email', name: 'clientEmail', type: 'string', placeholder: 'name@email.com', default: '', description: 'Where the templates send the client their news; an address, or empty' },
				{ displayName: 'Client Name', name: 'clientName', type: 'string', default: '', description: 'Shown to the model as data (fenced), and in reports and emails' },
				{
					displayName: 'Idempotency Key',
					name: 'idempotencyKey',
					type: 'string',
					default: '',
					description: "The client's own request ID: the same key gives the same project, so a retried webhook never makes a second one",
				},
				{
					displayName: 'Title',
					name: 'title',
					type: 'string',
					default: '',
					description: 'One line; when empty, the first line of the requirements is used',
				},
			],
			...displayOptions,
		},
	];
}

/** POST /api/projects's body from the intake fields and the Project Settings collection. */
export function intakeBody(context: IExecuteFunctions, itemIndex: number, start: boolean): IDataObject {
	const body: IDataObject = { requirements: readText(context, 'requirements', 'Requirements', itemIndex, true), start };
	const intake = context.getNodeParameter('intake', itemIndex, {}) as IDataObject;
	for (const name of ['title', 'clientName', 'clientEmail', 'idempotencyKey']) {
		const value = intake[name];
		if (typeof value === 'string' && value.trim()) body[name] = value.trim();
		else if (typeof value === 'number') body[name] = String(value);
	}
	const settings = runSettingsBody(context.getNodeParameter('settings', itemIndex, {}) as IDataObject);
	if (Object.keys(settings).length) body.settings = settings;
	return body;
}

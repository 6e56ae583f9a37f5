import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { InvalidInputError, titleFromRequirements, type ProjectClient, type ProjectIntake, type ProjectStore } from '../../../runtime/index';
import { projectJson, readText } from '../helpers/parameters';

const properties: INodeProperties[] = [
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '={{ $json.title }}',
		description: 'The project\'s name (up to 200 characters); when empty, the first line of the requirements',
	},
	{
		displayName: 'Requirements',
		name: 'requirements',
		type: 'string',
		typeOptions: { rows: 6 },
		default: '={{ $json.requirements }}',
		required: true,
		description: 'What the client wants built',
	},
	{
		displayName: 'Client Name',
		name: 'clientName',
		type: 'string',
		default: '={{ $json.client?.name ?? "" }}',
	},
	{
		displayName: 'Client Email',
		name: 'clientEmail',
		type: 'string',
		placeholder: 'name@email.com',
		default: '={{ $json.client?.email ?? "" }}',
	},
	{
		displayName: 'Idempotency Key',
		name: 'idempotencyKey',
		type: 'string',
		default: '',
		description:
			'A key that makes creating twice return the first project, e.g. a form submission ID. When empty, the same title, requirements and client count as the same project.',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['create'] } }, properties);

/** Starts a project in "intake", or returns the one created before with the same idempotency key. */
export async function execute(store: ProjectStore, context: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const requirements = readText(context, 'requirements', itemIndex, 'requirements');
	if (!requirements) throw new InvalidInputError('requirements', 'is empty: describe what the client wants built');
	const client: ProjectClient = {};
	const name = readText(context, 'clientName', itemIndex, 'client.name');
	const email = readText(context, 'clientEmail', itemIndex, 'client.email');
	if (name) client.name = name;
	if (email) client.email = email;
	const intake: ProjectIntake = {
		title: readText(context, 'title', itemIndex, 'title') || titleFromRequirements(requirements),
		requirements,
		client,
	};
	const idempotencyKey = readText(context, 'idempotencyKey', itemIndex, 'idempotencyKey');
	const { project, created } = await store.create(intake, idempotencyKey ? { idempotencyKey } : {});
	return { ...projectJson(project), created };
}

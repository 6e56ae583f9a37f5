import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { InvalidInputError, publishStoredProject, type ProjectStore, type PublishTarget } from '../../../runtime/index';
import { projectIdField, projectJson, readProjectId } from '../helpers/parameters';

const properties: INodeProperties[] = [
	projectIdField,
	{
		displayName: 'Publish To',
		name: 'publishTarget',
		type: 'options',
		options: [
			{ name: 'Git Remote', value: 'git', description: 'Any git URL or path, e.g. a bare repository on this machine or a server' },
			{ name: 'GitHub', value: 'github', description: 'A new repository created with the GitHub credential' },
		],
		default: 'git',
	},
	{
		displayName: 'Remote URL',
		name: 'remoteUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. /srv/git/acme-42.git or https://git.example.com/acme-42.git',
		description: 'Where to push. An expression can build it from the project, e.g. one base folder plus the project ID plus .git.',
		displayOptions: { show: { publishTarget: ['git'] } },
	},
	{
		displayName: 'Repository Name',
		name: 'repositoryName',
		type: 'string',
		default: '={{ $json.id ?? $json.projectId }}',
		required: true,
		description: 'The GitHub repository to create (or reuse when it exists)',
		displayOptions: { show: { publishTarget: ['github'] } },
	},
	{
		displayName: 'Organization',
		name: 'organization',
		type: 'string',
		default: '',
		description: 'Create the repository in this organization; empty: for the credential\'s user',
		displayOptions: { show: { publishTarget: ['github'] } },
	},
	{
		displayName: 'Private',
		name: 'private',
		type: 'boolean',
		default: true,
		description: 'Whether the new GitHub repository is private',
		displayOptions: { show: { publishTarget: ['github'] } },
	},
	{
		displayName: 'Branch',
		name: 'branch',
		type: 'string',
		default: 'main',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['publish'] } }, properties);

/**
 * Builds the repository from the store (one commit per finished task, named after it) and pushes
 * it; the project's repository info says where it went.
 */
export async function execute(store: ProjectStore, context: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const projectId = readProjectId(context, itemIndex);
	const branch = String(context.getNodeParameter('branch', itemIndex, 'main') || 'main');
	const target = await targetOf(context, itemIndex, branch);
	const { project, result } = await publishStoredProject(store, projectId, target, `n8n:${context.getNode().name}`);
	return { ...projectJson(project), published: result as unknown as IDataObject };
}

async function targetOf(context: IExecuteFunctions, itemIndex: number, branch: string): Promise<PublishTarget> {
	if (context.getNodeParameter('publishTarget', itemIndex, 'git') === 'git') {
		const url = String(context.getNodeParameter('remoteUrl', itemIndex, '')).trim();
		if (!url) throw new InvalidInputError('remoteUrl', 'is empty: give the git URL or path to push to');
		return { kind: 'git', url, branch };
	}
	const credentials = await context.getCredentials('githubApi', itemIndex);
	const server = typeof credentials.server === 'string' && credentials.server ? credentials.server : undefined;
	const organization = String(context.getNodeParameter('organization', itemIndex, '')).trim();
	return {
		kind: 'github',
		branch,
		token: String(credentials.accessToken ?? ''),
		name: String(context.getNodeParameter('repositoryName', itemIndex, '')).trim(),
		org: organization || undefined,
		private: context.getNodeParameter('private', itemIndex, true) as boolean,
		baseUrl: server,
		existingOk: true,
	};
}

import type { INodeCredentialDescription } from 'n8n-workflow';

import { redisCredentialDescriptions } from '../../shared/redisConnection';

/** The store's Redis always; n8n's built-in GitHub credential only to publish to GitHub. */
export const projectStateCredentials: INodeCredentialDescription[] = [
	...redisCredentialDescriptions,
	{
		name: 'githubApi',
		required: true,
		displayOptions: { show: { operation: ['publish'], publishTarget: ['github'] } },
	},
];

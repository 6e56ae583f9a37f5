import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The one credential of this package: where the AI Company runtime service listens and its
 * API token. The service holds the Ollama, Redis and GitHub settings, so n8n holds none of them.
 */
export class AiCompanyApi implements ICredentialType {
	name = 'aiCompanyApi';

	displayName = 'AI Company API';

	icon = { light: 'file:aiCompany.svg', dark: 'file:aiCompany.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-ai-company/n8n-nodes-ai-company#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://127.0.0.1:8000',
			placeholder: 'http://127.0.0.1:8000',
			description: 'Where the AI Company runtime service listens (npm run start:runtime, or the "runtime" service in docker compose: http://runtime:8000)',
			required: true,
		},
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: "The service's API_TOKEN, sent as a Bearer token. Leave empty only for a service on loopback started without API_TOKEN.",
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '={{ $credentials.apiToken ? "Bearer " + $credentials.apiToken : "" }}' } },
	};

	// The check route always answers 200 with what it found, so each rule below can turn one way of
	// failing into a sentence saying what to fix. Nothing listening, or not our service (404), get n8n's own message.
	test: ICredentialTestRequest = {
		request: { baseURL: '={{ $credentials.baseUrl.replace(/\\/+$/, "") }}', url: '/api/credential-check', method: 'GET' },
		rules: [
			{
				type: 'responseSuccessBody',
				properties: { key: 'token', value: 'refused', message: 'The service refused the API token: set the API_TOKEN the service was started with' },
			},
			{
				type: 'responseSuccessBody',
				properties: { key: 'status', value: 'down', message: 'The service answers, but cannot reach its Redis: check REDIS_URL of the service and that Redis runs' },
			},
			{
				type: 'responseSuccessBody',
				properties: { key: 'status', value: 'degraded', message: 'The service answers, but cannot reach Ollama: check OLLAMA_HOST of the service and that Ollama runs' },
			},
		],
	};
}

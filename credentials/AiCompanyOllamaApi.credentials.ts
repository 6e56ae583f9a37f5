import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Our own Ollama credential. The nodes also accept n8n's built-in "Ollama" credential (ollamaApi);
 * this one exists because its Test button is run by our nodes' connection test, which tells
 * apart "nothing there", "refused (401/403)" and "not an Ollama server" — the built-in one's
 * test only reports that the request failed.
 */
export class AiCompanyOllamaApi implements ICredentialType {
	name = 'aiCompanyOllamaApi';

	displayName = 'AI Company Ollama API';

	icon = 'file:aiCompanyOllama.svg' as const;

	documentationUrl = 'https://github.com/n8n-nodes-ai-company/n8n-nodes-ai-company#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://127.0.0.1:11434',
			placeholder: 'http://127.0.0.1:11434',
			description: 'Where Ollama listens. In docker compose this is usually http://ollama:11434.',
			required: true,
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Sent as a Bearer token, for an Ollama behind an authenticating proxy (e.g. Open WebUI). Leave empty for a plain Ollama.',
		},
	];
}

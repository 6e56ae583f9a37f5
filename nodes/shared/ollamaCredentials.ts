import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeCredentialDescription,
	INodeCredentialTestResult,
	INodeProperties,
} from 'n8n-workflow';

import { probeOllama, type OllamaConnection } from '../../runtime/index';

export const OLLAMA_CREDENTIAL_TEST = 'aiCompanyOllamaConnectionTest';

type OllamaCredentialType = 'aiCompanyOllamaApi' | 'ollamaApi';

/** Both credential types carry `baseUrl` and `apiKey`; which one is used is the operator's choice. */
export const ollamaAuthenticationProperty: INodeProperties = {
	displayName: 'Credential Type',
	name: 'authentication',
	type: 'options',
	options: [
		{
			name: 'AI Company Ollama API',
			value: 'aiCompanyOllamaApi',
			description: 'This package\'s credential, whose Test button says exactly what is wrong',
		},
		{
			name: 'Built-In Ollama Credential',
			value: 'ollamaApi',
			description: 'Reuse the Ollama credential of n8n\'s own AI nodes',
		},
	],
	default: 'aiCompanyOllamaApi',
};

export const ollamaCredentialDescriptions: INodeCredentialDescription[] = [
	{
		name: 'aiCompanyOllamaApi',
		required: true,
		testedBy: OLLAMA_CREDENTIAL_TEST,
		displayOptions: { show: { authentication: ['aiCompanyOllamaApi'] } },
	},
	{
		name: 'ollamaApi',
		required: true,
		displayOptions: { show: { authentication: ['ollamaApi'] } },
	},
];

export async function getOllamaConnection(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	itemIndex = 0,
): Promise<OllamaConnection> {
	const type = (
		'getCurrentNodeParameter' in context
			? context.getCurrentNodeParameter('authentication')
			: context.getNodeParameter('authentication', itemIndex)
	) as OllamaCredentialType | undefined;
	const credentials = await context.getCredentials(type ?? 'aiCompanyOllamaApi', itemIndex);
	return connectionFrom(credentials);
}

function connectionFrom(data: ICredentialDataDecryptedObject | undefined): OllamaConnection {
	const apiKey = typeof data?.apiKey === 'string' && data.apiKey ? data.apiKey : undefined;
	return { baseUrl: String(data?.baseUrl ?? ''), apiKey };
}

/** The credential's Test button: OK with the server version and model count, or what is wrong. */
export async function testOllamaCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const probe = await probeOllama(connectionFrom(credential.data));
		const models = probe.models.length
			? `${probe.models.length} model(s)`
			: 'no models yet: run "ollama pull <model>" on the server';
		return { status: 'OK', message: `Connected to Ollama ${probe.version}, ${models}` };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}

import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';

/** A parameter value, or a function of the item standing in for an n8n expression like {{ $json.x }}. */
export type ParameterValue = unknown | ((item: IDataObject, itemIndex: number) => unknown);

export interface NodeRun {
	parameters: Record<string, ParameterValue>;
	items?: IDataObject[];
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	continueOnFail?: boolean;
	cancelSignal?: AbortSignal;
}

/** Every request a node sent through n8n's helper, for tests that check what went out. */
export interface SentRequest {
	method: string;
	url: string;
	body: unknown;
}

/**
 * n8n's `httpRequestWithAuthentication` for our credential type, as n8n 2.41 does it: the
 * credential's generic `authenticate` header (Bearer token when one is set), `baseURL` + `url`,
 * `qs`, JSON in and out, `returnFullResponse` and `ignoreHttpStatusErrors`, a thrown error with
 * the socket code when nothing answers. Real HTTP, so the nodes talk to a real service.
 */
function httpHelper(run: NodeRun, sent: SentRequest[]) {
	return async function httpRequestWithAuthentication(type: string, options: IHttpRequestOptions) {
		const credentials = run.credentials?.[type];
		if (!credentials) throw new Error(`Node does not have any credentials set for "${type}"`);
		const url = new URL(`${options.baseURL ?? ''}${options.url}`);
		for (const [name, value] of Object.entries(options.qs ?? {})) url.searchParams.set(name, String(value));
		const headers: Record<string, string> = { accept: 'application/json' };
		if (credentials.apiToken) headers.authorization = `Bearer ${String(credentials.apiToken)}`;
		if (options.body !== undefined) headers['content-type'] = 'application/json';
		sent.push({ method: options.method ?? 'GET', url: url.toString(), body: options.body });
		let res: Response;
		try {
			res = await fetch(url, {
				method: options.method ?? 'GET',
				headers,
				body: options.body === undefined ? undefined : JSON.stringify(options.body),
				signal: AbortSignal.any([AbortSignal.timeout(options.timeout ?? 300_000), ...(options.abortSignal ? [options.abortSignal as AbortSignal] : [])]),
			});
		} catch (error) {
			const cause = (error as Error & { cause?: { code?: string } }).cause;
			throw Object.assign(new Error((error as Error).message), { code: cause?.code });
		}
		const text = await res.text();
		const body = text && (res.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as unknown) : text;
		if (!options.ignoreHttpStatusErrors && res.status >= 400) throw Object.assign(new Error(`Request failed with status code ${res.status}`), { httpCode: res.status });
		return options.returnFullResponse ? { statusCode: res.status, body, headers: Object.fromEntries(res.headers) } : body;
	};
}

function nodeOf(nodeType: INodeType): INode {
	return {
		id: 'node-under-test',
		name: nodeType.description.defaults.name ?? nodeType.description.displayName,
		type: `n8n-nodes-ai-company.${nodeType.description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
}

function parameterReader(run: NodeRun, items: IDataObject[]) {
	return function getNodeParameter(name: string, itemIndex: number, fallback?: unknown) {
		if (!(name in run.parameters)) {
			if (arguments.length >= 3) return fallback;
			throw new Error(`Could not get parameter "${name}"`);
		}
		const value = run.parameters[name];
		return typeof value === 'function' ? (value as (i: IDataObject, n: number) => unknown)(items[itemIndex] ?? {}, itemIndex) : value;
	};
}

/**
 * Runs a node's execute() through n8n-workflow's IExecuteFunctions interface, with the parts
 * our nodes use implemented as n8n implements them: parameters resolved per item, credentials
 * by type, n8n's authenticated request helper, continueOnFail, the execution's cancel signal.
 * `sent` receives every request the node made.
 */
export async function runNode(nodeType: INodeType, run: NodeRun, sent: SentRequest[] = []): Promise<INodeExecutionData[][]> {
	const node = nodeOf(nodeType);
	const items = run.items ?? [{}];
	const context = {
		getInputData: () => items.map((json) => ({ json })),
		getNode: () => node,
		continueOnFail: () => run.continueOnFail ?? false,
		getExecutionCancelSignal: () => run.cancelSignal,
		getNodeParameter: parameterReader(run, items),
		async getCredentials(type: string) {
			const data = run.credentials?.[type];
			if (!data) throw new Error(`Node does not have any credentials set for "${type}"`);
			return data;
		},
		helpers: { httpRequestWithAuthentication: httpHelper(run, sent) },
	};
	if (!nodeType.execute) throw new Error(`${node.type} has no execute()`);
	return nodeType.execute.call(context as unknown as IExecuteFunctions) as Promise<INodeExecutionData[][]>;
}

/** The context of a trigger's webhook methods: static data kept across calls, as n8n keeps it per node. */
export function hookContext(nodeType: INodeType, run: NodeRun & { webhookUrl: string; staticData: IDataObject }): IHookFunctions {
	const context = {
		getNode: () => nodeOf(nodeType),
		getNodeParameter: parameterReader(run, [{}]),
		getNodeWebhookUrl: () => run.webhookUrl,
		getWorkflowStaticData: () => run.staticData,
		async getCredentials(type: string) {
			const data = run.credentials?.[type];
			if (!data) throw new Error(`Node does not have any credentials set for "${type}"`);
			return data;
		},
		helpers: { httpRequestWithAuthentication: httpHelper(run, []) },
	};
	// getNodeParameter in hooks has no item index: (name, fallback).
	const read = context.getNodeParameter;
	context.getNodeParameter = function (name: string, fallback?: unknown) {
		return arguments.length >= 2 ? read(name, 0, fallback) : read(name, 0);
	} as typeof read;
	return context as unknown as IHookFunctions;
}

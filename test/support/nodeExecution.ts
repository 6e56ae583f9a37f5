import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';

/** A parameter value, or a function of the item standing in for an n8n expression like {{ $json.x }}. */
export type ParameterValue = unknown | ((item: IDataObject, itemIndex: number) => unknown);

export interface NodeRun {
	parameters: Record<string, ParameterValue>;
	items: IDataObject[];
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	continueOnFail?: boolean;
	cancelSignal?: AbortSignal;
}

/**
 * Runs a node's execute() through n8n-workflow's IExecuteFunctions interface, with the parts
 * our nodes use implemented as n8n implements them: parameters resolved per item, credentials
 * by type, continueOnFail, the execution's cancel signal.
 */
export async function runNode(nodeType: INodeType, run: NodeRun): Promise<INodeExecutionData[][]> {
	const node: INode = {
		id: 'node-under-test',
		name: nodeType.description.defaults.name ?? nodeType.description.displayName,
		type: `n8n-nodes-ai-company.${nodeType.description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const inputItems: INodeExecutionData[] = run.items.map((json) => ({ json }));
	const context = {
		getInputData: () => inputItems,
		getNode: () => node,
		continueOnFail: () => run.continueOnFail ?? false,
		getExecutionCancelSignal: () => run.cancelSignal,
		getNodeParameter(name: string, itemIndex: number, fallback?: unknown) {
			if (!(name in run.parameters)) {
				if (arguments.length >= 3) return fallback;
				throw new Error(`Could not get parameter "${name}"`);
			}
			const value = run.parameters[name];
			return typeof value === 'function' ? (value as (i: IDataObject, n: number) => unknown)(run.items[itemIndex], itemIndex) : value;
		},
		async getCredentials(type: string) {
			const data = run.credentials?.[type];
			if (!data) throw new Error(`Node does not have any credentials set for "${type}"`);
			return data;
		},
	};
	if (!nodeType.execute) throw new Error(`${node.type} has no execute()`);
	return nodeType.execute.call(context as unknown as IExecuteFunctions) as Promise<INodeExecutionData[][]>;
}

import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ExecutionStore } from './executionStore';
import { toNodeError, type NodeErrorContext } from './toNodeError';

export type ItemWork = (itemIndex: number, stores: ExecutionStore) => Promise<IDataObject | IDataObject[]>;

/**
 * What every node of this package does around its work: runs it once per input item, pairs each
 * output item with its input item, turns failures into errors that name the item and the field,
 * honours Continue On Fail (`{ error, description }` for that item, the others go on), and closes
 * the execution's project store connection at the end, whatever happened.
 */
export async function executePerItem(context: IExecuteFunctions, work: ItemWork, errors: NodeErrorContext = {}): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const stores = new ExecutionStore(context);
	const output: INodeExecutionData[] = [];
	try {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const result = await work(itemIndex, stores);
				for (const json of Array.isArray(result) ? result : [result]) output.push({ json, pairedItem: { item: itemIndex } });
			} catch (error) {
				const nodeError = toNodeError(context.getNode(), error, itemIndex, errors);
				if (!context.continueOnFail()) throw nodeError;
				output.push({ json: { error: nodeError.message, description: nodeError.description ?? null }, pairedItem: { item: itemIndex } });
			}
		}
	} finally {
		await stores.close();
	}
	return [output];
}

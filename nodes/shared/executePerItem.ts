import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

export type ItemWork = (itemIndex: number) => Promise<IDataObject | IDataObject[]>;

/**
 * What every node of this package does around its work: runs it once per input item, pairs each
 * output item with its input item, makes every failure an n8n error that names the item, and
 * honours Continue On Fail (`{ error, description }` for that item; the others go on).
 */
export async function executePerItem(context: IExecuteFunctions, work: ItemWork): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const result = await work(itemIndex);
			for (const json of Array.isArray(result) ? result : [result]) output.push({ json, pairedItem: { item: itemIndex } });
		} catch (error) {
			const nodeError =
				error instanceof NodeApiError || error instanceof NodeOperationError
					? error
					: new NodeOperationError(context.getNode(), error as Error, { itemIndex });
			if (!context.continueOnFail()) throw nodeError;
			output.push({ json: { error: nodeError.message, description: nodeError.description ?? null }, pairedItem: { item: itemIndex } });
		}
	}
	return [output];
}

import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ExecutionStore } from '../../shared/executionStore';
import { toNodeError } from '../../shared/toNodeError';
import { FIELD_LABELS, readOptions } from '../helpers/parameters';
import { operations, type OperationName } from './operations';

/**
 * Runs the chosen operation once per input item, on one Redis connection for the whole execution
 * (opened at the first item, closed when the last is done, whatever happened). Every output item
 * is paired to the input item it came from; with Continue On Fail a failed item gives
 * `{ error, description }` and the others go on.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const node = this.getNode();
	const operationName = this.getNodeParameter('operation', 0) as OperationName;
	if (!Object.hasOwn(operations, operationName)) {
		throw new NodeOperationError(node, `The operation "${String(operationName)}" is not supported`);
	}
	const operation = operations[operationName];
	const stores = new ExecutionStore(this);
	const output: INodeExecutionData[] = [];
	try {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const store = await stores.get(itemIndex, readOptions(this, itemIndex).keyPrefix);
				const result = await operation.execute(store, this, itemIndex);
				for (const json of Array.isArray(result) ? result : [result]) {
					output.push({ json, pairedItem: { item: itemIndex } });
				}
			} catch (error) {
				const nodeError = toNodeError(node, error, itemIndex, { fieldLabels: FIELD_LABELS });
				if (!this.continueOnFail()) throw nodeError;
				const json: IDataObject = { error: nodeError.message, description: nodeError.description ?? null };
				output.push({ json, pairedItem: { item: itemIndex } });
			}
		}
	} finally {
		await stores.close();
	}
	return [output];
}

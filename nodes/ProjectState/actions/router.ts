import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { executePerItem } from '../../shared/executePerItem';
import { FIELD_LABELS, readOptions } from '../helpers/parameters';
import { operations, type OperationName } from './operations';

/**
 * Runs the chosen operation once per input item, on one Redis connection for the whole execution
 * (opened at the first item, closed when the last is done, whatever happened). Every output item
 * is paired to the input item it came from; with Continue On Fail a failed item gives
 * `{ error, description }` and the others go on.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	const operationName = this.getNodeParameter('operation', 0) as OperationName;
	if (!Object.hasOwn(operations, operationName)) {
		throw new NodeOperationError(node, `The operation "${String(operationName)}" is not supported`);
	}
	const operation = operations[operationName];
	return executePerItem(
		this,
		async (itemIndex, stores) => operation.execute(await stores.get(itemIndex, readOptions(this, itemIndex).keyPrefix), this, itemIndex),
		{ fieldLabels: FIELD_LABELS },
	);
}

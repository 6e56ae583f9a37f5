import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { Redis } from 'ioredis';

import { DEFAULT_KEY_PREFIX, ProjectStore, StoreKeys } from '../../../runtime';
import { closeRedis, openRedis } from '../../shared/redisConnection';
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
	// Recorded on every event this node writes, so the log says which step made a change.
	const source = `n8n:${node.name}`.slice(0, 200);
	const connection = new ExecutionConnection(this);
	const output: INodeExecutionData[] = [];
	try {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const { keyPrefix } = readOptions(this, itemIndex);
				const prefix = keyPrefix === undefined || keyPrefix === '' ? DEFAULT_KEY_PREFIX : (keyPrefix as string);
				// A bad prefix is refused (naming "prefix") before anything connects.
				new StoreKeys(prefix);
				const store = new ProjectStore(await connection.get(itemIndex), { prefix, source });
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
		await connection.close();
	}
	return [output];
}

/** The execution's one connection, opened when first needed; a failed open fails every item alike. */
class ExecutionConnection {
	private opening?: Promise<Redis>;

	constructor(private readonly context: IExecuteFunctions) {}

	async get(itemIndex: number): Promise<Redis> {
		this.opening ??= this.context.getCredentials('redis', itemIndex).then(openRedis);
		return this.opening;
	}

	async close(): Promise<void> {
		const redis = await this.opening?.catch(() => undefined);
		if (redis) await closeRedis(redis);
	}
}

import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * A text parameter, trimmed. Required ones that are empty (an expression that found nothing, most
 * often) stop the item with an error that names the parameter and how it is usually mapped.
 */
export function readText(context: IExecuteFunctions, name: string, label: string, itemIndex: number, required: true): string;
export function readText(context: IExecuteFunctions, name: string, label: string, itemIndex: number, required?: false): string | undefined;
export function readText(context: IExecuteFunctions, name: string, label: string, itemIndex: number, required = false): string | undefined {
	const value = context.getNodeParameter(name, itemIndex, '') as unknown;
	if (typeof value === 'number') return String(value);
	if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
		if (!required) return undefined;
		throw new NodeOperationError(context.getNode(), `"${label}" is empty`, {
			itemIndex,
			description: `Set "${label}", or map it from the input item, e.g. {{ $json.${name} }}`,
		});
	}
	if (typeof value !== 'string') {
		throw new NodeOperationError(context.getNode(), `"${label}" must be text, not ${Array.isArray(value) ? 'a list' : typeof value}`, { itemIndex });
	}
	return value.trim();
}

/** The node's Options collection as set by the operator: only the options added are present. */
export function readOptions(context: IExecuteFunctions, itemIndex: number): IDataObject {
	return context.getNodeParameter('options', itemIndex, {}) as IDataObject;
}

/** `{ name: value }` for each of `names` that is present in `from`, so unset options stay the service's defaults. */
export function pick(from: IDataObject, names: readonly string[]): IDataObject {
	const picked: IDataObject = {};
	for (const name of names) if (from[name] !== undefined && from[name] !== '') picked[name] = from[name];
	return picked;
}

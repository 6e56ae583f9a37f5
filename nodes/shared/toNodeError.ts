import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { InvalidInputError, LlmError, LlmOutputError } from '../../runtime';

const RAW_REPLY_SHOWN = 4000;

/** Turns a runtime error into the error an n8n user sees, with what to change in its description. */
export function toNodeError(node: INode, error: unknown, itemIndex: number): NodeOperationError {
	if (error instanceof NodeOperationError) return error;
	if (error instanceof LlmOutputError) {
		const raw = error.rawReply.length > RAW_REPLY_SHOWN ? `${error.rawReply.slice(0, RAW_REPLY_SHOWN)}… (cut)` : error.rawReply;
		return new NodeOperationError(node, error.message, {
			itemIndex,
			description: [
				`Problems: ${error.problems.join('; ')}`,
				`Raw reply of model "${error.model ?? ''}":`,
				raw || '(empty)',
				'Try a larger or instruction-tuned model, a lower Temperature, or more Max Repair Attempts.',
			].join('\n\n'),
		});
	}
	if (error instanceof InvalidInputError) {
		return new NodeOperationError(node, error.message, { itemIndex, description: `Check the "${error.field}" field.` });
	}
	if (error instanceof LlmError) {
		return new NodeOperationError(node, error.message, { itemIndex, description: `Error code: ${error.code}` });
	}
	return new NodeOperationError(node, error as Error, { itemIndex });
}

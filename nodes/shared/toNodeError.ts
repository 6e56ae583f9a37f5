import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	InvalidInputError,
	InvalidTransitionError,
	LlmError,
	LlmOutputError,
	nextProjectStatuses,
	PROJECT_STATUSES,
	ProjectNotFoundError,
	RedisUnavailableError,
	TaskNotFoundError,
	UpdateContentionError,
	VersionConflictError,
	type ProjectStatus,
} from '../../runtime/index';
import { redisProblemHint } from './redisConnection';

const RAW_REPLY_SHOWN = 4000;

export interface NodeErrorContext {
	/**
	 * The parameter an input field is set in, by the field's name in the runtime's errors
	 * (`projectId` → "Project ID"). A dotted field (`result.files[0].path`) uses its longest named prefix.
	 */
	fieldLabels?: Record<string, string>;
}

/** Turns a runtime error into the error an n8n user sees, with what to change in its description. */
export function toNodeError(node: INode, error: unknown, itemIndex: number, context: NodeErrorContext = {}): NodeOperationError {
	if (error instanceof NodeOperationError) return error;
	if (error instanceof LlmOutputError) {
		const raw = error.rawReply.length > RAW_REPLY_SHOWN ? `${error.rawReply.slice(0, RAW_REPLY_SHOWN)}… (cut)` : error.rawReply;
		return operationError(node, error.message, {
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
		const label = labelOf(error.field, context.fieldLabels);
		return operationError(node, error.message, {
			itemIndex,
			description: label ? `Check the "${label}" parameter.` : `Check the "${error.field}" field.`,
		});
	}
	if (error instanceof LlmError) {
		return operationError(node, error.message, { itemIndex, description: `Error code: ${error.code}` });
	}
	const stateDescription = describeStateError(error);
	if (stateDescription !== undefined) {
		return operationError(node, (error as Error).message, { itemIndex, description: stateDescription });
	}
	return new NodeOperationError(node, error as Error, { itemIndex });
}

/**
 * n8n swaps a message that mentions a socket error code (ECONNREFUSED, ENOTFOUND, …) for a generic
 * one ("The service refused the connection - perhaps it is offline"), dropping the address our
 * message names. Ours already says what failed and where: keep it.
 */
function operationError(node: INode, message: string, options: ConstructorParameters<typeof NodeOperationError>[2]): NodeOperationError {
	const error = new NodeOperationError(node, message, options);
	error.message = message;
	return error;
}

/** What to do about a refusal of the project store, or undefined when the error is not one. */
function describeStateError(error: unknown): string | undefined {
	if (error instanceof ProjectNotFoundError) {
		return (
			'Check the Project ID. No project with this ID exists in this Redis database under this Key Prefix: it was never created, ' +
			'was deleted, or was created with another Redis credential (database) or another Key Prefix option.'
		);
	}
	if (error instanceof TaskNotFoundError) {
		return 'Check the Task ID: it must be the ID of a task in the project\'s plan (its "tasks" field). Set the plan first with the Set Plan operation.';
	}
	if (error instanceof InvalidTransitionError) {
		if (error.taskId !== undefined) {
			return (
				'A task goes pending → in_progress (Start Task), then in_progress → done or failed (Record Task Result); ' +
				'a failed task can be started again, a done task cannot change. ' +
				`Task "${error.taskId}" is "${error.from}".`
			);
		}
		return `From "${error.from}" the project can go to: ${allowedFrom(error.from)}.`;
	}
	if (error instanceof VersionConflictError) {
		return (
			`Someone changed the project after you read it (now version ${error.actualVersion}). Get the project again and decide ` +
			'whether your change still applies; pass its current "version" as Expected Version, or leave Expected Version out to change whatever is current.'
		);
	}
	if (error instanceof UpdateContentionError) {
		return 'Many writers changed this project at the same moment. Nothing was written; running the step again is safe.';
	}
	if (error instanceof RedisUnavailableError) return redisProblemHint(error);
	return undefined;
}

function allowedFrom(from: string): string {
	if (!PROJECT_STATUSES.includes(from as ProjectStatus)) return 'nothing known';
	const next = nextProjectStatuses(from as ProjectStatus, null);
	const pausedBack = from === 'failed' || from === 'on_hold' ? ' (and back to the status it had before, its "resumeStatus")' : '';
	return next.length ? `${next.join(', ')}${pausedBack}` : 'nothing (it is final)';
}

function labelOf(field: string, labels: Record<string, string> | undefined): string | undefined {
	if (!labels) return undefined;
	let path = field;
	for (;;) {
		if (Object.hasOwn(labels, path)) return labels[path];
		const parent = path.replace(/(\.[^.[\]]*|\[[^\]]*\])$/, '');
		if (!parent || parent === path) return undefined;
		path = parent;
	}
}

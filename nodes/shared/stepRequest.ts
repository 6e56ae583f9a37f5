import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { generationBody } from './descriptions/generationOptions';
import { pick, readOptions, readText } from './parameters';

/** `/api/projects/<project>/tasks/<task>/<step>` of the item's project and task. */
export function taskStepPath(context: IExecuteFunctions, itemIndex: number, step: 'develop' | 'test' | 'review'): string {
	const projectId = readText(context, 'projectId', 'Project ID', itemIndex, true);
	const taskId = readText(context, 'taskId', 'Task ID', itemIndex, true);
	return `/api/projects/${encodeURIComponent(projectId)}/tasks/${encodeURIComponent(taskId)}/${step}`;
}

/** A step job's body: the model, the generation options, and the role's own options that were added. */
export function stepBody(context: IExecuteFunctions, itemIndex: number, roleOptions: readonly string[]): IDataObject {
	const options = readOptions(context, itemIndex);
	const body: IDataObject = { ...generationBody(options), ...pick(options, roleOptions) };
	const model = readText(context, 'model', 'Model', itemIndex);
	if (model) body.model = model;
	return body;
}

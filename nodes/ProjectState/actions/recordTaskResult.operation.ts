import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { InvalidInputError, type ProjectStore, type TaskResult } from '../../../runtime/index';
import { projectIdField, projectJson, readJson, readProjectId, readTaskId, readText, taskIdField, updateOptions } from '../helpers/parameters';

const properties: INodeProperties[] = [
	projectIdField,
	taskIdField,
	{
		displayName: 'Result Input',
		name: 'resultInput',
		type: 'options',
		options: [
			{
				name: 'Fields',
				value: 'fields',
				description: 'Status, files, test files, test report and error as separate parameters',
			},
			{
				name: 'JSON',
				value: 'json',
				description: 'One object: { "status": "done", "files": […], "testFiles": […], "testReport": {…}, "error": "…" }',
			},
		],
		default: 'fields',
	},
	{
		displayName: 'Result Status',
		name: 'resultStatus',
		type: 'options',
		options: [
			{ name: 'Done', value: 'done' },
			{ name: 'Failed', value: 'failed' },
		],
		default: 'done',
		displayOptions: { show: { resultInput: ['fields'] } },
	},
	{
		displayName: 'Files',
		name: 'files',
		type: 'json',
		default: '',
		description:
			'The files the task produced: a list of { "path": "src/app.ts", "content": "…" }, paths relative to the project root. They replace the task\'s files; empty keeps the files it has.',
		displayOptions: { show: { resultInput: ['fields'] } },
	},
	{
		displayName: 'Test Files',
		name: 'testFiles',
		type: 'json',
		default: '',
		description:
			'The tests written for the task, in the same form as Files. They replace the task\'s test files; empty keeps the test files it has.',
		displayOptions: { show: { resultInput: ['fields'] } },
	},
	{
		displayName: 'Test Report',
		name: 'testReport',
		type: 'json',
		default: '',
		description: 'The tester\'s report, any JSON object; empty for none',
		displayOptions: { show: { resultInput: ['fields'] } },
	},
	{
		displayName: 'Error Message',
		name: 'errorMessage',
		type: 'string',
		default: '',
		description: 'Why the task failed; empty for none',
		displayOptions: { show: { resultInput: ['fields'] } },
	},
	{
		displayName: 'Result',
		name: 'result',
		type: 'json',
		default: '{\n  "status": "done",\n  "files": []\n}',
		required: true,
		description:
			'The task result: "status" ("done" or "failed"), and optional "files" and "testFiles" (lists of { "path", "content" }), "testReport" (object) and "error" (text). Nothing else.',
		displayOptions: { show: { resultInput: ['json'] } },
	},
];

export const description = updateDisplayOptions({ show: { operation: ['recordTaskResult'] } }, properties);

/** in_progress → done or failed (start the task first with Start Task), storing files, test files, report and error. */
export async function execute(store: ProjectStore, context: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const id = readProjectId(context, itemIndex);
	const taskId = readTaskId(context, itemIndex);
	const result = readText(context, 'resultInput', itemIndex) === 'json' ? readJson(context, 'result', itemIndex, 'result') : resultFromFields(context, itemIndex);
	if (result === undefined) throw new InvalidInputError('result', 'is empty: give at least { "status": "done" } or { "status": "failed" }');
	// The store checks the result against the TaskResult contract (names "result..."), paths and sizes.
	return projectJson(await store.recordTaskResult(id, taskId, result as TaskResult, updateOptions(context, itemIndex)));
}

function resultFromFields(context: IExecuteFunctions, itemIndex: number): TaskResult {
	const result: TaskResult = { status: readText(context, 'resultStatus', itemIndex, 'result.status') as TaskResult['status'] };
	const files = readJson(context, 'files', itemIndex, 'result.files');
	if (files !== undefined) result.files = files as TaskResult['files'];
	const testFiles = readJson(context, 'testFiles', itemIndex, 'result.testFiles');
	if (testFiles !== undefined) result.testFiles = testFiles as TaskResult['testFiles'];
	const testReport = readJson(context, 'testReport', itemIndex, 'result.testReport');
	if (testReport !== undefined) result.testReport = testReport as TaskResult['testReport'];
	const error = readText(context, 'errorMessage', itemIndex, 'result.error', false);
	if (error.trim()) result.error = error;
	return result;
}

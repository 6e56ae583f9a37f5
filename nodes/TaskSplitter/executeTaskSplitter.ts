import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { executePerItem } from '../shared/executePerItem';
import { readText } from '../shared/parameters';
import { serviceRequest } from '../shared/transport/serviceRequest';
import { splitPlan, type SplitMode, type SplitResult } from './splitPlan';

const LABELS = { plan: 'Plan', doneTaskIds: 'Done Task IDs' } as const;

interface StoredProject {
	plan?: unknown;
	tasks?: Record<string, { status?: string }>;
}

/** Each input item holds a plan (or names a stored project); each output item is one of its tasks. */
export async function executeTaskSplitter(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return executePerItem(this, async (itemIndex) => {
		const mode = this.getNodeParameter('mode', itemIndex, 'all') as SplitMode;
		const source = this.getNodeParameter('source', itemIndex, 'input') as string;
		let result: SplitResult;
		if (source === 'stored') {
			const projectId = readText(this, 'projectId', 'Project ID', itemIndex, true);
			const project = (await serviceRequest(this, { method: 'GET', path: `/api/projects/${encodeURIComponent(projectId)}`, itemIndex })) as StoredProject;
			if (!project.plan) {
				throw new NodeOperationError(this.getNode(), `Project "${projectId}" has no plan yet`, { itemIndex, description: 'Run the AI Planner on it first.' });
			}
			const done = Object.entries(project.tasks ?? {})
				.filter(([, task]) => task.status === 'done')
				.map(([id]) => id);
			result = splitPlan(project.plan, projectId, mode, done);
		} else {
			const projectId = readText(this, 'projectId', 'Project ID', itemIndex) ?? null;
			const doneTaskIds = mode === 'ready' ? doneIdsFrom(this.getNodeParameter('doneTaskIds', itemIndex, '')) : [];
			if (typeof doneTaskIds === 'string') throw new NodeOperationError(this.getNode(), doneTaskIds, { itemIndex, description: 'Check the "Done Task IDs" parameter.' });
			result = splitPlan(this.getNodeParameter('plan', itemIndex, undefined), projectId, mode, doneTaskIds);
		}
		if (!result.ok) throw new NodeOperationError(this.getNode(), result.message, { itemIndex, description: `Check the "${LABELS[result.field]}" parameter.` });
		return result.items as unknown as IDataObject[];
	});
}

/** Accepts "T1, T2", a JSON list string, or a list from an expression; a string result is the refusal. */
function doneIdsFrom(value: unknown): string[] | string {
	if (Array.isArray(value)) return value.map(String);
	if (value === undefined || value === null) return [];
	if (typeof value !== 'string') return 'doneTaskIds must be a comma-separated list or a list of task IDs';
	const text = value.trim();
	if (text.startsWith('[')) {
		try {
			const parsed = JSON.parse(text) as unknown;
			if (Array.isArray(parsed)) return parsed.map(String);
		} catch {
			// Not JSON after all: read it as a comma-separated list below.
		}
	}
	return text
		.split(',')
		.map((id) => id.trim())
		.filter(Boolean);
}

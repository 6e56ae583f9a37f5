import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { InvalidInputError, splitPlan, type SplitMode } from '../../runtime/index';
import { executePerItem } from '../shared/executePerItem';

/** Each input item holds a plan; each output item is one of its tasks, paired to that input item. */
export async function executeTaskSplitter(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return executePerItem(this, async (itemIndex) => {
		const mode = this.getNodeParameter('mode', itemIndex, 'all') as SplitMode;
		const plan = this.getNodeParameter('plan', itemIndex, undefined);
		const projectId = projectIdFrom(this.getNodeParameter('projectId', itemIndex, ''));
		const doneTaskIds = mode === 'ready' ? doneIdsFrom(this.getNodeParameter('doneTaskIds', itemIndex, '')) : [];
		return splitPlan(plan, projectId, { mode, doneTaskIds }) as unknown as IDataObject[];
	});
}

function projectIdFrom(value: unknown): string | null {
	if (value === undefined || value === null || value === '') return null;
	if (typeof value !== 'string' && typeof value !== 'number') {
		throw new InvalidInputError('projectId', 'must be text');
	}
	return String(value);
}

/** Accepts "T1, T2", a JSON list string, or a list from an expression. */
function doneIdsFrom(value: unknown): string[] {
	if (Array.isArray(value)) return value.map(String);
	if (value === undefined || value === null) return [];
	if (typeof value !== 'string') throw new InvalidInputError('doneTaskIds', 'must be a comma-separated list or a list of task IDs');
	const text = value.trim();
	if (text.startsWith('[')) {
		try {
			const parsed = JSON.parse(text) as unknown;
			if (Array.isArray(parsed)) return parsed.map(String);
		} catch {
			// fall through to the comma-separated reading
		}
	}
	return text
		.split(',')
		.map((id) => id.trim())
		.filter(Boolean);
}

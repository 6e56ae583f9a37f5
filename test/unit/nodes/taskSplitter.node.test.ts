import { NodeOperationError } from 'n8n-workflow';

import { TaskSplitter } from '../../../nodes/TaskSplitter/TaskSplitter.node';
import { diamondPlan } from '../../support/fixtures/plans';
import { runNode, type NodeRun } from '../../support/nodeExecution';

describe('Task Splitter node', () => {
	const node = new TaskSplitter();

	function splitterRun(overrides: Partial<NodeRun['parameters']> = {}, items = [{ plan: diamondPlan(), projectId: 'p-9' }]): NodeRun {
		return {
			items,
			parameters: {
				plan: (item: { plan?: unknown }) => item.plan,
				projectId: (item: { projectId?: unknown }) => item.projectId,
				mode: 'all',
				...overrides,
			},
		};
	}

	it('emits one item per task in dependency order with waves, carrying the project id', async () => {
		const [items] = await runNode(node, splitterRun());
		expect(items.map((i) => [i.json.task && (i.json.task as { id: string }).id, i.json.wave])).toEqual([
			['T1', 1],
			['T2', 2],
			['T3', 2],
			['T4', 3],
		]);
		expect(items[3].json).toMatchObject({ projectId: 'p-9', waveCount: 3, position: 4, taskCount: 4 });
		expect(items.every((i) => JSON.stringify(i.pairedItem) === JSON.stringify({ item: 0 }))).toBe(true);
	});

	it('accepts the plan as JSON text, as an expression in a JSON field may give it', async () => {
		const [items] = await runNode(node, splitterRun({ plan: JSON.stringify(diamondPlan()) }));
		expect(items).toHaveLength(4);
	});

	it.each([
		['a comma-separated list', 'T1, T2'],
		['a JSON list', '["T1","T2"]'],
		['a list from an expression', ['T1', 'T2']],
	])('in Ready mode, emits only tasks whose dependencies are done, reading done IDs from %s', async (_how, doneTaskIds) => {
		const [items] = await runNode(node, splitterRun({ mode: 'ready', doneTaskIds }));
		expect(items.map((i) => (i.json.task as { id: string }).id)).toEqual(['T3']);
	});

	it('names the tasks of a dependency cycle', async () => {
		const plan = diamondPlan();
		plan.tasks[0].dependsOn = ['T4'];
		await expect(runNode(node, splitterRun({}, [{ plan, projectId: 'p' }]))).rejects.toThrow(/^plan has a broken task graph: dependency cycle: .*"T1".*"T4"/);
	});

	it('names duplicate ids and unknown dependencies together', async () => {
		const plan = diamondPlan();
		plan.tasks[2].id = 'T2';
		plan.tasks[1].dependsOn = ['T9'];
		const error = (await runNode(node, splitterRun({}, [{ plan, projectId: 'p' }])).catch((e: unknown) => e)) as NodeOperationError;
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toContain('duplicate task id "T2"');
		expect(error.message).toContain('task "T2" depends on unknown task "T9"');
	});

	it('refuses an item without a plan with an error naming the field and the expression to use', async () => {
		await expect(runNode(node, splitterRun({}, [{ plan: undefined as never, projectId: 'p' }]))).rejects.toThrow(/^plan is missing.*\$json\.plan/);
	});

	it('refuses a task without an id, naming the task by its place in the list and the item', async () => {
		const plan = diamondPlan() as unknown as { tasks: Record<string, unknown>[] };
		delete plan.tasks[2].id;
		const error = (await runNode(node, splitterRun({}, [{ plan: diamondPlan(), projectId: 'a' }, { plan: plan as never, projectId: 'b' }])).catch((e: unknown) => e)) as NodeOperationError;
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('plan is not a valid plan: tasks[2].id must be non-empty text');
		expect(error.context.itemIndex).toBe(1);
	});

	it('refuses dependencies that are not a list of ids', async () => {
		const plan = diamondPlan() as unknown as { tasks: Record<string, unknown>[] };
		plan.tasks[1].dependsOn = 'T1';
		await expect(runNode(node, splitterRun({}, [{ plan: plan as never, projectId: 'b' }]))).rejects.toThrow('tasks[1].dependsOn must be a list of task IDs');
	});

	it('in Ready mode, refuses done IDs that are not tasks of the plan, naming them', async () => {
		const error = (await runNode(node, splitterRun({ mode: 'ready', doneTaskIds: 'T1, T7' })).catch((e: unknown) => e)) as NodeOperationError;
		expect(error.message).toBe('doneTaskIds are not tasks of this plan: "T7"');
		expect(error.description).toBe('Check the "Done Task IDs" parameter.');
	});

	it('in All mode, ignores the done IDs', async () => {
		const [items] = await runNode(node, splitterRun({ mode: 'all', doneTaskIds: 'T1' }));
		expect(items).toHaveLength(4);
	});

	it('with Continue On Fail, reports the bad plan and splits the good one', async () => {
		const run = splitterRun({}, [{ plan: { summary: 'x' } as never, projectId: 'a' }, { plan: diamondPlan(), projectId: 'b' }]);
		run.continueOnFail = true;
		const [items] = await runNode(node, run);
		expect(items[0].json.error).toMatch(/^plan is not a plan: it needs a "tasks" list/);
		expect(items[0].json.description).toBe('Check the "Plan" parameter.');
		expect(items.slice(1).map((i) => i.json.projectId)).toEqual(['b', 'b', 'b', 'b']);
		expect(items[1].pairedItem).toEqual({ item: 1 });
	});
});

import type { PlanTask } from '../../../runtime/contracts';
import { developAndTestTask } from '../../../runtime/pipeline';
import { TestRedis } from '../../support/redis';
import { isolatedStore } from '../state/fixtures';
import { BUGGY_SUM, developerSettings, FIXED_SUM, mathPlan, scriptModel, stepContext, storedProject, SUM_TASK, SUM_TEST, testerSettings, turns, useModelServer } from './support';

// A later task that breaks a finished one: the finished task's test fails in the later task's run,
// and the developer fixing the later task is shown that test (it may read it, not change it).

const redis = new TestRedis('regression');
const server = useModelServer(redis);

const DOUBLE_TASK: PlanTask = {
	id: 'T2',
	title: 'Add a double function',
	description: 'src/double.js exports double(x) = sum(x, x), using src/sum.js.',
	dependsOn: ['T1'],
	acceptanceCriteria: ['double(4) is 8'],
	estimateHours: 1,
};
const DOUBLE = "const { sum } = require('./sum.js');\nmodule.exports = { double: (x) => sum(x, x) };\n";
const DOUBLE_TEST = "const test = require('node:test');\nconst assert = require('node:assert/strict');\nconst { double } = require('../src/double.js');\ntest('double doubles', () => assert.equal(double(4), 8));\n";

it('shows the developer the finished task\'s test that its change broke, and the fix makes both pass', async () => {
	scriptModel(server(), (turn) => {
		if (turn.role === 'tester') {
			return turn.taskId === 'T1'
				? { summary: 'sum tests', testFiles: [{ path: 'test/sum.test.js', content: SUM_TEST }] }
				: { summary: 'double tests', testFiles: [{ path: 'test/double.test.js', content: DOUBLE_TEST }] };
		}
		if (turn.taskId === 'T1') return { summary: 'sum', files: [{ path: 'src/sum.js', content: FIXED_SUM }] };
		// T2 "optimises" sum.js and breaks it; shown the failures, it restores it.
		return turn.fix
			? { summary: 'restore sum', files: [{ path: 'src/sum.js', content: FIXED_SUM }, { path: 'src/double.js', content: DOUBLE }] }
			: { summary: 'double', files: [{ path: 'src/sum.js', content: BUGGY_SUM }, { path: 'src/double.js', content: DOUBLE }] };
	});
	const store = isolatedStore(redis);
	const projectId = await storedProject(store, mathPlan([SUM_TASK, DOUBLE_TASK]));
	const context = stepContext(store, server());
	const settings = { developer: developerSettings(), tester: testerSettings(), maxAttempts: 3 };

	expect(await developAndTestTask(context, projectId, 'T1', settings)).toMatchObject({ status: 'done', attempts: 1 });
	const second = await developAndTestTask(context, projectId, 'T2', settings);

	expect(second).toMatchObject({ status: 'done', attempts: 2 });
	// Writing T2, the developer is told up front which finished tests it may not touch.
	const write = turns(server()).find((t) => t.role === 'developer' && !t.fix && t.taskId === 'T2');
	expect(write!.prompt).toContain('Never create or change these test files: test/sum.test.js.');
	const fix = turns(server()).find((t) => t.role === 'developer' && t.fix && t.taskId === 'T2');
	expect(fix).toBeDefined();
	expect(fix!.prompt).toContain('--- test/sum.test.js');
	expect(fix!.prompt).toContain(SUM_TEST.trim().split('\n')[2]);
	const project = await store.get(projectId);
	expect(project.tasks.T1.testFiles.map((f) => f.path)).toEqual(['test/sum.test.js']);
	expect(project.tasks.T2.testFiles.map((f) => f.path)).toEqual(['test/double.test.js']);
});

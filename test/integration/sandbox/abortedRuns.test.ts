import { runInSandbox } from '../../../runtime/sandbox/runInSandbox';
import { runTests } from '../../../runtime/sandbox/runners';
import { forAnyCommand, processesWith, removeWorkspaces, SANDBOXES, workspaceWith } from './support';

afterAll(removeWorkspaces);

// A run is stopped from outside (its project cancelled, the worker shutting down) long before its
// timeout: everything it started goes at once, and the caller gets the reason, not a verdict.

async function gone(marker: string): Promise<number[]> {
	let left = processesWith(marker);
	for (let i = 0; i < 20 && left.length > 0; i++) {
		await new Promise((resolve) => setTimeout(resolve, 50));
		left = processesWith(marker);
	}
	return left;
}

describe.each(SANDBOXES)('the %s sandbox, stopped by its signal', (sandbox) => {
	it('kills the whole process group, SIGKILL for what ignores SIGTERM, and rejects with the reason', async () => {
		const marker = `97${Math.floor(Math.random() * 9000) + 1000}.5`;
		const { workspace } = workspaceWith();
		const controller = new AbortController();
		const reason = new Error('project cancelled');
		setTimeout(() => controller.abort(reason), 400);
		const started = Date.now();
		const run = runInSandbox({
			cwd: workspace,
			command: ['sh', '-c', `trap '' TERM; sleep ${marker} & sleep ${marker} & wait`],
			timeoutMs: 30_000,
			killGraceMs: 300,
			maxOutputBytes: 1024,
			sandbox: forAnyCommand(sandbox),
			signal: controller.signal,
		});
		await expect(run).rejects.toBe(reason);
		expect(Date.now() - started).toBeLessThan(5000);
		expect(await gone(marker)).toEqual([]);
	});

	it('does not start a run whose signal is already aborted', async () => {
		const marker = `96${Math.floor(Math.random() * 9000) + 1000}.5`;
		const { workspace } = workspaceWith();
		const reason = new Error('shutting down');
		const run = runInSandbox({ cwd: workspace, command: ['sh', '-c', `sleep ${marker}`], timeoutMs: 30_000, maxOutputBytes: 1024, sandbox: forAnyCommand(sandbox), signal: AbortSignal.abort(reason) });
		await expect(run).rejects.toBe(reason);
		expect(processesWith(marker)).toEqual([]);
	});

	it('runTests rejects with the reason instead of reporting a killed run as a verdict', async () => {
		const { workspace } = workspaceWith({
			'slow.test.js': "const { test } = require('node:test');\ntest('waits a minute', () => new Promise((resolve) => setTimeout(resolve, 60000)));\n",
		});
		const controller = new AbortController();
		const reason = new Error('project deleted');
		setTimeout(() => controller.abort(reason), 500);
		const started = Date.now();
		await expect(runTests(workspace, { techStack: ['Node.js'], timeoutMs: 30_000, maxOutputBytes: 64 * 1024, sandbox, signal: controller.signal })).rejects.toBe(reason);
		expect(Date.now() - started).toBeLessThan(5000);
	});

	it('a signal that is never aborted changes nothing: the run reports as usual', async () => {
		const { workspace } = workspaceWith({ 'ok.test.js': "const { test } = require('node:test');\ntest('passes', () => {});\n" });
		const report = await runTests(workspace, { techStack: ['Node.js'], timeoutMs: 30_000, maxOutputBytes: 64 * 1024, sandbox, signal: new AbortController().signal });
		expect(report).toMatchObject({ status: 'passed', passed: 1, failed: 0 });
	});
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { LlmClient } from '../../runtime/llm/llmClient';
import { timePhase, withPhaseTimes } from '../../runtime/phaseTimes';
import { runTests } from '../../runtime/sandbox/runners';
import { initRepository, runGit } from '../../runtime/workspace/git';
import { OllamaTestServer } from '../support/ollamaTestServer';

// The job log's phase times (llmMs, sandboxMs, gitMs): each real call counts into the phase of
// the job it runs in, and only there, so the benchmark can tell the model's time from the
// service's own.

let server: OllamaTestServer;
const dirs: string[] = [];
beforeAll(async () => {
	server = await OllamaTestServer.start();
});
afterAll(async () => {
	await server.close();
	dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

function folder(): string {
	const dir = mkdtempSync(join(tmpdir(), 'phase-times-'));
	dirs.push(dir);
	return dir;
}

describe('phase times of a job', () => {
	it('a model call counts into llmMs, for as long as the reply takes', async () => {
		server.enqueue({ content: '{"ok":true}', delayMs: 150 });
		const llm = new LlmClient({ connection: { baseUrl: server.url }, timeoutMs: 5_000 });
		const { times, done } = withPhaseTimes(() => llm.chat('test-model:latest', [{ role: 'user', content: 'hi' }]));
		await done;
		expect(times.llmMs).toBeGreaterThanOrEqual(140);
		expect(times.sandboxMs).toBe(0);
		expect(times.gitMs).toBe(0);
	});

	it('git commands count into gitMs, and a test run into sandboxMs', async () => {
		const repo = folder();
		const workspace = folder();
		writeFileSync(join(workspace, 'a.test.js'), "require('node:test')('a', () => {});\n");
		const { times, done } = withPhaseTimes(async () => {
			await initRepository(repo);
			await runTests(workspace, { techStack: ['Node.js'], timeoutMs: 15_000, maxOutputBytes: 65_536 });
		});
		await done;
		expect(times.gitMs).toBeGreaterThan(0);
		expect(times.sandboxMs).toBeGreaterThan(0);
		expect(times.llmMs).toBe(0);
	});

	it('a phase that throws still counts its time', async () => {
		const { times, done } = withPhaseTimes(() =>
			timePhase('git', async () => {
				await new Promise((resolve) => setTimeout(resolve, 30));
				throw new Error('git failed');
			}),
		);
		await expect(done).rejects.toThrow('git failed');
		expect(times.gitMs).toBeGreaterThanOrEqual(25);
	});

	it('work outside a timed job, or in another job running at the same time, does not count', async () => {
		const repo = folder();
		await runGit(folder(), ['--version']);
		const first = withPhaseTimes(() => new Promise((resolve) => setTimeout(resolve, 50)));
		const second = withPhaseTimes(() => initRepository(repo));
		await Promise.all([first.done, second.done]);
		expect(first.times.gitMs).toBe(0);
		expect(second.times.gitMs).toBeGreaterThan(0);
	});
});

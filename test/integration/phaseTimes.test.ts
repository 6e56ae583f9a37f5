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

	it('a phase that throws still counts its time, and its next call starts a new span', async () => {
		const { times, done } = withPhaseTimes(() =>
			timePhase('git', async () => {
				await new Promise((resolve) => setTimeout(resolve, 30));
				throw new Error('git failed');
			}),
		);
		await expect(done).rejects.toThrow('git failed');
		expect(times.gitMs).toBeGreaterThanOrEqual(25);

		const again = withPhaseTimes(async () => {
			await timePhase('git', () => Promise.reject(new Error('git failed'))).catch(() => undefined);
			await new Promise((resolve) => setTimeout(resolve, 100));
			await timePhase('git', () => new Promise((resolve) => setTimeout(resolve, 30)));
		});
		await again.done;
		// The pause between the calls is not git's time: the failed call closed its span.
		expect(again.times.gitMs).toBeGreaterThanOrEqual(25);
		expect(again.times.gitMs).toBeLessThan(90);
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

describe('calls of one phase that overlap', () => {
	const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

	it('count their time once, side by side or nested (a test run inside its wait for a test slot)', async () => {
		const { times, done } = withPhaseTimes(async () => {
			await Promise.all([timePhase('git', () => wait(100)), timePhase('git', () => wait(100))]);
			await timePhase('sandbox', () => timePhase('sandbox', () => wait(100)));
		});
		await done;
		expect(times.gitMs).toBeGreaterThanOrEqual(95);
		expect(times.gitMs).toBeLessThan(180);
		expect(times.sandboxMs).toBeGreaterThanOrEqual(95);
		expect(times.sandboxMs).toBeLessThan(180);
	});

	it('of different phases each count in full', async () => {
		const { times, done } = withPhaseTimes(() => Promise.all([timePhase('git', () => wait(60)), timePhase('llm', () => wait(60))]));
		await done;
		expect(times.gitMs).toBeGreaterThanOrEqual(55);
		expect(times.llmMs).toBeGreaterThanOrEqual(55);
	});
});

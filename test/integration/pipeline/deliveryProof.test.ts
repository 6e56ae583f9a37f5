import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ProducedFile } from '../../../runtime/contracts';
import { LlmClient } from '../../../runtime/llm';
import { deliveryFailure, packageStoredProject, publishStoredProject, type PackagingSettings, type StepContext } from '../../../runtime/pipeline';
import { detectPython } from '../../../runtime/sandbox';
import type { ProjectStore } from '../../../runtime/state';
import { TestRedis } from '../../support/redis';
import { isolatedStore, steppingClock } from '../state/fixtures';
import { bareRepository, changedPaths, cloneOf, FIXED_SUM, logOf, mathPlan, removeTempDirs, storedProject, SUM_TEST } from './support';

// DevOps's proof: the repository is built as it will be published (the tasks' commits, then the
// packaging commit), cloned with git into a fresh folder, and its own declared test command runs
// there in the sandbox, judged by the report file. One fix round, then verified or not.

const redis = new TestRedis('delivery');
afterAll(async () => {
	await redis.cleanup();
	removeTempDirs();
});

const SETTINGS: PackagingSettings = { run: { timeoutMs: 60_000, maxOutputBytes: 256 * 1024, sandbox: 'auto' } };

function context(store: ProjectStore): StepContext {
	// No model is called: DevOps's packaging is templates.
	return { store, llm: new LlmClient({ connection: { baseUrl: 'http://127.0.0.1:9' }, timeoutMs: 1000 }), source: 'test:devops' };
}

async function finishedProject(store: ProjectStore, files: ProducedFile[], testFiles: ProducedFile[], plan = mathPlan()): Promise<string> {
	const projectId = await storedProject(store, plan);
	await store.startTask(projectId, 'T1');
	await store.recordTaskWork(projectId, 'T1', { files, testFiles });
	await store.recordTaskResult(projectId, 'T1', { status: 'done', testReport: { status: 'passed', passed: 1, failed: 0 } });
	return projectId;
}

const SUM_FILES = [{ path: 'src/sum.js', content: FIXED_SUM }];
const SUM_TESTS = [{ path: 'test/sum.test.js', content: SUM_TEST }];

describe('the delivery proof from a clean clone', () => {
	it('passes with the repository\'s own npm test (node --test, judged by the report file); the published repository ends with the packaging commit and npm test passes in a clone of it', async () => {
		const store = isolatedStore(redis, { now: steppingClock() });
		const projectId = await finishedProject(store, SUM_FILES, SUM_TESTS);

		const { delivery, project, ran } = await packageStoredProject(context(store), projectId, SETTINGS);
		expect(ran).toBe(true);
		expect(delivery).toMatchObject({ stack: 'node', testCommand: 'npm test', verified: true, rounds: 1, packagedAt: project.tasks.T1.updatedAt });
		expect(delivery.proof).toMatchObject({ status: 'passed', passed: 1, failed: 0, runner: 'custom', command: ['node', '--test'] });
		expect(project.delivery).toEqual(delivery);
		expect(delivery.files.map((f) => f.path)).toEqual(['package.json', 'README.md', '.gitignore', '.github/workflows/ci.yml']);
		const events = await store.events(projectId);
		expect(events.at(-1)).toMatchObject({ type: 'project.delivery_set', data: { testCommand: 'npm test', verified: true, files: ['package.json', 'README.md', '.gitignore', '.github/workflows/ci.yml'] } });

		// Stored and current: asked again (a job repeated after a crash), nothing runs and nothing changes.
		const again = await packageStoredProject(context(store), projectId, SETTINGS);
		expect(again.ran).toBe(false);
		expect(again.project.version).toBe(project.version);

		const bare = bareRepository();
		const published = await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test');
		const log = logOf(bare);
		expect(log).toHaveLength(3);
		expect(log[0]).toMatch(/^[0-9a-f]{40} Packaging: package\.json, README\.md, \.gitignore, CI$/);
		expect(published.result.commits.map((c) => c.taskId)).toEqual(['T1', 'packaging']);
		expect(changedPaths(bare, published.result.commit!)).toEqual(['.github/workflows/ci.yml', '.gitignore', 'README.md', 'package.json']);
		// Publishing again gives the same commits (the packaging commit's date comes from the store).
		const second = await publishStoredProject(store, projectId, { kind: 'git', url: bareRepository() }, 'test');
		expect(second.result.commits).toEqual(published.result.commits);

		const clone = cloneOf(bare);
		expect(readFileSync(join(clone, 'README.md'), 'utf8')).toMatch(/## Test\n\n```sh\nnpm test\n```/);
		const npmTest = execFileSync('npm', ['test'], { cwd: clone, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: clone } });
		expect(npmTest).toMatch(/# pass 1/);
		expect(existsSync(join(clone, 'node_modules'))).toBe(false);
	});

	it('fails with a task\'s stale test script, then passes after the fix round pins the tested files; both rounds said in the notes', async () => {
		const store = isolatedStore(redis, { now: steppingClock() });
		const stale = { path: 'package.json', content: `${JSON.stringify({ name: 'math', scripts: { test: 'node --test test/old-name.test.js' } }, null, 2)}\n` };
		const projectId = await finishedProject(store, [...SUM_FILES, stale], SUM_TESTS);

		const { delivery } = await packageStoredProject(context(store), projectId, SETTINGS);
		expect(delivery).toMatchObject({ verified: true, rounds: 2 });
		expect(JSON.parse(delivery.files.find((f) => f.path === 'package.json')!.content)).toMatchObject({ name: 'math', scripts: { test: 'node --test test/sum.test.js' } });
		expect(delivery.notes.join('\n')).toMatch(/fix round: the first proof could not run.*the test script now names exactly the test files/s);
		expect(delivery.notes.join('\n')).toContain('test script "node --test test/old-name.test.js" replaced by "node --test test/sum.test.js"');
	});

	it('fails for good when the tests pass only in one process (they share a global): stored unverified, with a reason naming the command and the failure', async () => {
		const store = isolatedStore(redis, { now: steppingClock() });
		const tests = [
			{ path: 'test/a.test.js', content: "const test = require('node:test');\nglobalThis.shared = 42;\ntest('sets', () => {});\n" },
			{ path: 'test/b.test.js', content: "const test = require('node:test');\nconst assert = require('node:assert/strict');\ntest('reads', () => assert.equal(globalThis.shared, 42));\n" },
		];
		const projectId = await finishedProject(store, SUM_FILES, tests);

		const { delivery, project } = await packageStoredProject(context(store), projectId, SETTINGS);
		expect(delivery).toMatchObject({ verified: false, rounds: 2, proof: { status: 'failed', passed: 1, failed: 1 } });
		expect(project.delivery?.verified).toBe(false);
		expect(deliveryFailure(delivery)).toBe('delivery not proven: `npm test` in a clean clone of the repository failed: 1 of 2 tests failed, also after the DevOps fix round');
		// Not proven, so the packaging commit stays out of what is published.
		const bare = bareRepository();
		await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test');
		expect(logOf(bare)).toHaveLength(2);
	});

	const python = detectPython();
	it('proves a Python project\'s pyproject.toml with python -m pytest in the clone', async () => {
		const info = await python;
		if (!info?.pytest) {
			console.warn('skipped: python3 with pytest is not installed here');
			return;
		}
		const store = isolatedStore(redis, { now: steppingClock() });
		const plan = { ...mathPlan(), summary: 'Converts temperatures', techStack: ['Python'] };
		const projectId = await finishedProject(
			store,
			[{ path: 'converter.py', content: 'def c_to_f(c):\n    return c * 9 / 5 + 32\n' }],
			[{ path: 'tests/test_converter.py', content: 'from converter import c_to_f\n\n\ndef test_boiling():\n    assert c_to_f(100) == 212\n' }],
			plan,
		);
		const { delivery } = await packageStoredProject(context(store), projectId, SETTINGS);
		expect(delivery).toMatchObject({ stack: 'python', testCommand: 'python -m pytest', verified: true, rounds: 1, proof: { status: 'passed', passed: 1, runner: 'custom' } });
		expect(delivery.proof.command.slice(-2)).toEqual(['-m', 'pytest']);
		expect(delivery.files.map((f) => f.path)).toEqual(['pyproject.toml', 'README.md', '.gitignore', '.github/workflows/ci.yml']);
	});
});

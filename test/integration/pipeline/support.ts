import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Message } from 'ollama';

import type { Plan, PlanTask } from '../../../runtime/contracts';
import { LlmClient } from '../../../runtime/llm';
import type { DeveloperStepSettings, StepContext, TesterStepSettings } from '../../../runtime/pipeline';
import type { ProjectStore } from '../../../runtime/state';
import { OllamaTestServer, type RecordedRequest } from '../../support/ollamaTestServer';
import type { TestRedis } from '../../support/redis';

export const MODEL = 'qwen2.5-coder:7b';

// A task whose first version has a bug the tests catch: sum() subtracts.
export const SUM_TASK: PlanTask = {
	id: 'T1',
	title: 'Add a sum function',
	description: 'src/sum.js exports sum(a, b), which returns a + b.',
	dependsOn: [],
	acceptanceCriteria: ['sum(2, 3) is 5'],
	estimateHours: 1,
};
export const BUGGY_SUM = 'function sum(a, b) {\n\treturn a - b;\n}\n\nmodule.exports = { sum };\n';
export const FIXED_SUM = 'function sum(a, b) {\n\treturn a + b;\n}\n\nmodule.exports = { sum };\n';
export const SUM_TEST = [
	"const test = require('node:test');",
	"const assert = require('node:assert/strict');",
	"const { sum } = require('../src/sum.js');",
	'',
	"test('sum adds two numbers', () => {",
	'\tassert.equal(sum(2, 3), 5);',
	'});',
	'',
].join('\n');

export function mathPlan(tasks: PlanTask[] = [SUM_TASK]): Plan {
	return { summary: 'A tiny math library', techStack: ['Node.js'], tasks, risks: [] };
}

/** A stored project with `plan`, ready for the developer. */
export async function storedProject(store: ProjectStore, plan: Plan = mathPlan(), title = 'Math library'): Promise<string> {
	const { project } = await store.create({ title, requirements: 'A small JavaScript math library.' });
	await store.setPlan(project.id, plan);
	return project.id;
}

/** One chat request as the scripted model sees it. */
export interface Turn {
	role: 'developer' | 'tester' | 'unknown';
	/** The developer prompt in fix mode ("The tests for your task fail"). */
	fix: boolean;
	/** The rendered role prompt (the first user message). */
	prompt: string;
	/** The task the prompt is about ("Task T1: …"). */
	taskId: string | null;
	/** The user messages after the prompt: the repair requests, oldest first. */
	repairRequests: string[];
	messages: Message[];
}

export function turnOf(request: RecordedRequest): Turn {
	const messages = (request.body?.messages ?? []) as Message[];
	const system = messages.find((m) => m.role === 'system')?.content ?? '';
	const users = messages.filter((m) => m.role === 'user').map((m) => m.content);
	const prompt = users[0] ?? '';
	return {
		role: system.includes('developer agent') ? 'developer' : system.includes('test engineer agent') ? 'tester' : 'unknown',
		fix: prompt.includes('tests for your task fail'),
		prompt,
		taskId: /Task (\S+):/.exec(prompt)?.[1] ?? null,
		repairRequests: users.slice(1),
		messages,
	};
}

/** The replies of a model that answers by reading the request: developer or tester, write or fix, first try or repair. */
export function scriptModel(server: OllamaTestServer, script: (turn: Turn) => unknown): void {
	server.respondWith((request) => {
		const reply = script(turnOf(request));
		return { content: typeof reply === 'string' ? reply : JSON.stringify(reply) };
	});
}

export function turns(server: OllamaTestServer): Turn[] {
	return server.chatRequests().map(turnOf);
}

/** The usual company: a developer that writes the bug first and fixes it when shown the failure, a tester that writes SUM_TEST. */
export function sumCompany(turn: Turn): unknown {
	if (turn.role === 'tester') return { summary: 'Tests for sum', testFiles: [{ path: 'test/sum.test.js', content: SUM_TEST }] };
	if (turn.role !== 'developer') throw new Error(`unexpected request:\n${turn.prompt}`);
	return turn.fix
		? { summary: 'Add instead of subtracting', files: [{ path: 'src/sum.js', content: FIXED_SUM }] }
		: { summary: 'Write sum', files: [{ path: 'src/sum.js', content: BUGGY_SUM }] };
}

export function llmFor(server: OllamaTestServer): LlmClient {
	return new LlmClient({ connection: { baseUrl: server.url }, timeoutMs: 30_000, retry: { retries: 0, baseDelayMs: 10, maxDelayMs: 10 } });
}

export function stepContext(store: ProjectStore, server: OllamaTestServer): StepContext {
	return { store, llm: llmFor(server), source: 'test:pipeline' };
}

export function developerSettings(overrides: Partial<DeveloperStepSettings> = {}): DeveloperStepSettings {
	return { model: MODEL, maxRepairs: 2, contextTokens: 6000, mode: 'auto', ...overrides };
}

export function testerSettings(overrides: Partial<TesterStepSettings> = {}): TesterStepSettings {
	return {
		model: MODEL,
		maxRepairs: 2,
		regenerateTests: false,
		run: { timeoutMs: 60_000, maxOutputBytes: 256 * 1024, sandbox: 'auto' },
		...overrides,
	};
}

const dirs: string[] = [];

export function tempDir(label: string): string {
	const dir = mkdtempSync(join(tmpdir(), `pipeline-test-${label}-`));
	dirs.push(dir);
	return dir;
}

export function removeTempDirs(): void {
	for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** git outside the code under test, ignoring the machine's config. */
export function gitOut(cwd: string, ...args: string[]): string {
	return execFileSync('git', args, {
		cwd,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: devNull },
	}).trim();
}

export function bareRepository(): string {
	const bare = join(tempDir('bare'), 'remote.git');
	gitOut(tmpdir(), 'init', '--quiet', '--bare', '--initial-branch=main', bare);
	return bare;
}

export function cloneOf(remote: string): string {
	const clone = join(tempDir('clone'), 'clone');
	gitOut(tmpdir(), 'clone', '--quiet', remote, clone);
	return clone;
}

/** "<sha> <subject>" per commit, newest first. */
export function logOf(repository: string, ref = 'main'): string[] {
	return gitOut(repository, 'log', '--format=%H %s', ref).split('\n');
}

/** The paths a commit added or changed. */
export function changedPaths(repository: string, sha: string): string[] {
	return gitOut(repository, 'show', '--name-only', '--format=', sha).split('\n').filter(Boolean).sort();
}

/**
 * The model server of one test file, scripted with `script` when given: started before its tests,
 * its recorded requests cleared before each test, closed after them with `redis`'s keys and the
 * temp folders. Returns the server as a function: it exists only once the tests start.
 */
export function useModelServer(redis: TestRedis, script?: (turn: Turn) => unknown): () => OllamaTestServer {
	let server: OllamaTestServer | undefined;
	const started = (): OllamaTestServer => {
		if (!server) throw new Error('the model server starts in beforeAll: use it inside a test or hook');
		return server;
	};
	beforeAll(async () => {
		server = await OllamaTestServer.start({ models: [MODEL] });
		if (script) scriptModel(server, script);
	});
	beforeEach(() => started().requests.splice(0));
	afterAll(async () => {
		await server?.close();
		await redis.cleanup();
		removeTempDirs();
	});
	return started;
}

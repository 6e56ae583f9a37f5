import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ProducedFile } from '../../../runtime/contracts';
import { InvalidInputError } from '../../../runtime/errors';
import { publishStoredProject } from '../../../runtime/pipeline';
import type { ProjectStore } from '../../../runtime/state';
import { FakeGitHubServer } from '../../support/fakeGitHubServer';
import { TestRedis } from '../../support/redis';
import { isolatedStore, steppingClock } from '../state/fixtures';
import { bareRepository, cloneOf, FIXED_SUM, gitOut, logOf, mathPlan, removeTempDirs, storedProject, SUM_TASK, SUM_TEST } from './support';

// Publishing as the operator configures it and as the store can hold it: another branch, the
// README the first commit writes, finished tasks that change nothing (no empty commits, and no
// last commit recorded when there is none), and a stored task whose files cannot be written
// named by where they are on the project.

const redis = new TestRedis('publishopts');
afterAll(async () => {
	await redis.cleanup();
	removeTempDirs();
});

async function finish(store: ProjectStore, projectId: string, taskId: string, files: ProducedFile[], testFiles: ProducedFile[]): Promise<void> {
	await store.startTask(projectId, taskId);
	await store.recordTaskResult(projectId, taskId, { status: 'done', files, testFiles });
}

const SUM: ProducedFile = { path: 'src/sum.js', content: FIXED_SUM };
const SUM_TESTS: ProducedFile = { path: 'test/sum.test.js', content: SUM_TEST };
const AGAIN_TASK = { ...SUM_TASK, id: 'T2', title: 'Check the sum again', description: 'src/sum.js' };

describe('the branch', () => {
	it('pushes to the branch the target names and records it, leaving main alone', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		await finish(store, projectId, 'T1', [SUM], [SUM_TESTS]);
		const bare = bareRepository();

		const { project, result } = await publishStoredProject(store, projectId, { kind: 'git', url: bare, branch: 'trunk' }, 'test');

		expect(result.branch).toBe('trunk');
		expect(gitOut(bare, 'for-each-ref', '--format=%(refname)')).toBe('refs/heads/trunk');
		expect(gitOut(bare, 'rev-parse', 'refs/heads/trunk')).toBe(result.commit);
		expect(project.repository).toEqual({ url: bare, branch: 'trunk', lastCommit: result.commit });
	});
});

describe('the README of the first commit', () => {
	it('has the title, the plan\'s summary and tech stack, and says how it was built', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store, { ...mathPlan(), techStack: ['Node.js', 'node:test'] }, 'Math library');
		await finish(store, projectId, 'T1', [SUM], [SUM_TESTS]);
		const bare = bareRepository();
		await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test');

		expect(readFileSync(join(cloneOf(bare), 'README.md'), 'utf8')).toBe(
			'# Math library\n\nA tiny math library\n\nTech stack: Node.js, node:test\n\nBuilt by n8n-nodes-ai-company: one commit per finished task.\n',
		);
	});

	it('leaves the tech stack line empty when the plan names none', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store, { ...mathPlan(), techStack: [] }, 'Bare');
		await finish(store, projectId, 'T1', [SUM], [SUM_TESTS]);
		const bare = bareRepository();
		await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test');

		expect(readFileSync(join(cloneOf(bare), 'README.md'), 'utf8')).toBe('# Bare\n\nA tiny math library\n\n\n\nBuilt by n8n-nodes-ai-company: one commit per finished task.\n');
	});
});

describe('finished tasks that change nothing', () => {
	it('makes no commit for a task whose files are already there, and lists only the tasks that made one', async () => {
		const store = isolatedStore(redis, { now: steppingClock() });
		const projectId = await storedProject(store, mathPlan([SUM_TASK, AGAIN_TASK]));
		await finish(store, projectId, 'T1', [SUM], [SUM_TESTS]);
		// T2 finished with the very same files: nothing to commit.
		await finish(store, projectId, 'T2', [SUM], [SUM_TESTS]);
		const bare = bareRepository();

		const { result } = await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test');

		const log = logOf(bare);
		expect(log.map((line) => line.slice(41))).toEqual(['T1: Add a sum function', 'Start Math library']);
		expect(result.commits).toEqual([{ taskId: 'T1', sha: log[0].slice(0, 40) }]);
		expect(result.commit).toBe(log[0].slice(0, 40));
	});

	it('with no task commit at all, pushes the README commit and records the repository without a last commit', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		// Finished by hand without any file (e.g. through Project State).
		await finish(store, projectId, 'T1', [], []);
		const bare = bareRepository();

		const { project, result } = await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test');

		expect(result).toEqual({ url: bare, branch: 'main', commit: null, commits: [] });
		expect(logOf(bare).map((line) => line.slice(41))).toEqual(['Start Math library']);
		expect(project.repository).toEqual({ url: bare, branch: 'main' });
		expect((await store.get(projectId)).repository).toEqual({ url: bare, branch: 'main' });
	});
});

describe('stored files that cannot be written', () => {
	it('names the task and the file when a finished task\'s code and tests share a path, and pushes nothing', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		await finish(store, projectId, 'T1', [SUM], [{ path: 'src/sum.js', content: SUM_TEST }]);
		const bare = bareRepository();

		const error = await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test').catch((e: unknown) => e);

		expect(error).toBeInstanceOf(InvalidInputError);
		expect(error).toMatchObject({ field: 'tasks.T1.files[1].path' });
		expect(gitOut(bare, 'for-each-ref')).toBe('');
		expect((await store.get(projectId)).repository).toBeNull();
	});
});

describe('GitHub with another branch', () => {
	const TOKEN = 'ghp_publishoptions1234567890';
	let github: FakeGitHubServer;
	beforeAll(async () => {
		github = await FakeGitHubServer.start({ token: TOKEN, login: 'ada' });
	});
	afterAll(() => github.close());

	it('pushes the commits to the branch the target names and records it with the page', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		await finish(store, projectId, 'T1', [SUM], [SUM_TESTS]);

		const { project, result } = await publishStoredProject(store, projectId, { kind: 'github', token: TOKEN, name: 'math-dev', baseUrl: github.apiUrl, branch: 'dev' }, 'test');

		expect(result.branch).toBe('dev');
		const bare = github.barePath('ada', 'math-dev');
		expect(gitOut(bare, 'rev-parse', 'refs/heads/dev')).toBe(result.commit);
		expect(project.repository).toEqual({ url: `${github.url}/ada/math-dev`, branch: 'dev', lastCommit: result.commit });
	});
});

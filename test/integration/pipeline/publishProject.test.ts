import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ProducedFile } from '../../../runtime/contracts';
import { InvalidInputError } from '../../../runtime/errors';
import { publishStoredProject } from '../../../runtime/pipeline';
import type { ProjectStore } from '../../../runtime/state';
import { GitHubError } from '../../../runtime/workspace';
import { FakeGitHubServer } from '../../support/fakeGitHubServer';
import { TestRedis } from '../../support/redis';
import { isolatedStore, steppingClock } from '../state/fixtures';
import { bareRepository, changedPaths, cloneOf, FIXED_SUM, gitOut, logOf, mathPlan, removeTempDirs, storedProject, SUM_TASK, SUM_TEST } from './support';

// Publishing rebuilds the repository from the store: a README commit, then one commit per finished
// task in the order they finished, dated from the store, so the same project gives the same shas.

const redis = new TestRedis('publish');
afterAll(async () => {
	await redis.cleanup();
	removeTempDirs();
});

const PRODUCT_TASK = { ...SUM_TASK, id: 'T2', title: 'Add a product function', description: 'src/product.js exports product(a, b).' };
const DRAFT_TASK = { ...SUM_TASK, id: 'T3', title: 'Add a power function', description: 'src/power.js exports power(a, b).' };
const PRODUCT = 'module.exports = { product: (a, b) => a * b };\n';
const PRODUCT_TEST = "const test = require('node:test');\nconst assert = require('node:assert/strict');\nconst { product } = require('../src/product.js');\n\ntest('product multiplies', () => assert.equal(product(2, 3), 6));\n";

/** Finishes a task through the store as the pipeline does: started, code and tests recorded, done. */
async function finishTask(store: ProjectStore, projectId: string, taskId: string, files: ProducedFile[], testFiles: ProducedFile[]): Promise<void> {
	await store.startTask(projectId, taskId);
	await store.recordTaskWork(projectId, taskId, { files });
	await store.recordTaskWork(projectId, taskId, { testFiles });
	await store.recordTaskResult(projectId, taskId, { status: 'done', testReport: { status: 'passed', passed: 1, failed: 0 } });
}

async function sumProjectDone(store: ProjectStore): Promise<string> {
	const projectId = await storedProject(store);
	await finishTask(store, projectId, 'T1', [{ path: 'src/sum.js', content: FIXED_SUM }], [{ path: 'test/sum.test.js', content: SUM_TEST }]);
	return projectId;
}

describe('publishing to a git URL (a local bare repository)', () => {
	it('re-publishing the same project gives the same commits: the second push changes nothing', async () => {
		const store = isolatedStore(redis, { now: steppingClock() });
		const projectId = await sumProjectDone(store);
		const bare = bareRepository();

		const first = await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test');
		const headBefore = gitOut(bare, 'rev-parse', 'refs/heads/main');
		expect(headBefore).toBe(first.result.commit);
		// The project changed meanwhile (its repository was recorded); the commits must not.
		const second = await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test');

		expect(second.result.commits).toEqual(first.result.commits);
		expect(second.result.commit).toBe(first.result.commit);
		expect(gitOut(bare, 'rev-parse', 'refs/heads/main')).toBe(headBefore);
		expect(logOf(bare)).toHaveLength(2);
		expect(second.project.repository).toEqual(first.project.repository);
		// Built from scratch somewhere else, the repository is the same too.
		const elsewhere = bareRepository();
		const third = await publishStoredProject(store, projectId, { kind: 'git', url: elsewhere }, 'test');
		expect(logOf(elsewhere)).toEqual(logOf(bare));
		expect(third.result.commits).toEqual(first.result.commits);
		// Because every date comes from the store: the project's creation, then when the task finished.
		const stored = await store.get(projectId);
		expect(gitOut(bare, 'log', '--format=%aI %cI', 'main').split('\n').map((line) => line.split(' ').map((d) => new Date(d).toISOString()))).toEqual([
			[stored.tasks.T1.updatedAt, stored.tasks.T1.updatedAt],
			[stored.createdAt, stored.createdAt],
		]);
	});

	it('gives one commit per finished task in the order they finished, each with only that task\'s files; unfinished tasks stay out', async () => {
		const store = isolatedStore(redis, { now: steppingClock() });
		const projectId = await storedProject(store, mathPlan([SUM_TASK, PRODUCT_TASK, DRAFT_TASK]));
		// T2 finishes before T1, although the plan lists T1 first; T3 is still being worked on.
		await finishTask(store, projectId, 'T2', [{ path: 'src/product.js', content: PRODUCT }], [{ path: 'test/product.test.js', content: PRODUCT_TEST }]);
		await store.startTask(projectId, 'T3');
		await store.recordTaskWork(projectId, 'T3', { files: [{ path: 'src/power.js', content: 'unfinished' }] });
		const bare = bareRepository();
		const early = await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test');
		await finishTask(store, projectId, 'T1', [{ path: 'src/sum.js', content: FIXED_SUM }], [{ path: 'test/sum.test.js', content: SUM_TEST }]);

		const { result } = await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test');

		const clone = cloneOf(bare);
		const log = logOf(clone);
		expect(log.map((line) => line.slice(41))).toEqual(['T1: Add a sum function', 'T2: Add a product function', 'Start Math library']);
		expect(result.commits).toEqual([
			{ taskId: 'T2', sha: log[1].slice(0, 40) },
			{ taskId: 'T1', sha: log[0].slice(0, 40) },
		]);
		expect(result.commit).toBe(log[0].slice(0, 40));
		expect(changedPaths(clone, result.commits[0].sha)).toEqual(['src/product.js', 'test/product.test.js']);
		expect(changedPaths(clone, result.commits[1].sha)).toEqual(['src/sum.js', 'test/sum.test.js']);
		expect(gitOut(clone, 'ls-files').split('\n')).toEqual(['README.md', 'src/product.js', 'src/sum.js', 'test/product.test.js', 'test/sum.test.js']);
		// T1 finishing later only added a commit: what was published before is still the history (a fast-forward).
		expect(early.result.commits).toEqual([result.commits[0]]);
		expect(gitOut(clone, 'merge-base', '--is-ancestor', early.result.commit!, result.commit!)).toBe('');
		expect(readFileSync(join(clone, 'README.md'), 'utf8')).toContain('Tech stack: Node.js');
	});

	it('refuses a project with no finished task, naming projectId, and pushes nothing', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		await store.startTask(projectId, 'T1');
		await store.recordTaskWork(projectId, 'T1', { files: [{ path: 'src/sum.js', content: FIXED_SUM }] });
		const bare = bareRepository();

		const error = await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test').catch((e: unknown) => e);

		expect(error).toBeInstanceOf(InvalidInputError);
		expect(error).toMatchObject({ field: 'projectId', message: `projectId: project "${projectId}" has no finished task to publish yet` });
		expect(gitOut(bare, 'for-each-ref')).toBe('');
		expect((await store.get(projectId)).repository).toBeNull();
	});
});

describe('publishing to GitHub (a local fake of the REST API and git over HTTP)', () => {
	const TOKEN = 'ghp_pipelinetoken1234567890';
	let github: FakeGitHubServer;
	beforeAll(async () => {
		github = await FakeGitHubServer.start({ token: TOKEN, login: 'ada' });
	});
	afterAll(() => github.close());

	it('creates the repository with the token, pushes the commits, and records the page on the project', async () => {
		const store = isolatedStore(redis);
		const projectId = await sumProjectDone(store);

		const { project, result } = await publishStoredProject(store, projectId, { kind: 'github', token: TOKEN, name: 'math-library', baseUrl: github.apiUrl }, 'test');

		expect(result).toEqual({
			url: `${github.url}/ada/math-library.git`,
			htmlUrl: `${github.url}/ada/math-library`,
			branch: 'main',
			commit: result.commits[0].sha,
			commits: [{ taskId: 'T1', sha: expect.stringMatching(/^[0-9a-f]{40}$/) }],
		});
		const create = github.requests.find((r) => r.method === 'POST' && r.path === '/api/v3/user/repos');
		expect(create).toMatchObject({ authorization: `token ${TOKEN}`, body: { name: 'math-library', private: true, auto_init: false } });
		const pushed = github.requests.find((r) => r.path === '/ada/math-library.git/git-receive-pack');
		expect(pushed?.authorization).toBe(`Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`);
		const bare = github.barePath('ada', 'math-library');
		expect(gitOut(bare, 'rev-parse', 'refs/heads/main')).toBe(result.commit);
		expect(logOf(bare).map((line) => line.slice(41))).toEqual(['T1: Add a sum function', 'Start Math library']);
		expect(gitOut(bare, 'show', `${result.commit}:src/sum.js`)).toBe(FIXED_SUM.trim());
		expect(project.repository).toEqual({ url: `${github.url}/ada/math-library`, branch: 'main', lastCommit: result.commit });
		expect(JSON.stringify(await store.get(projectId))).not.toContain(TOKEN);
	});

	it('leaves the project\'s repository unset when GitHub refuses the token', async () => {
		const store = isolatedStore(redis);
		const projectId = await sumProjectDone(store);
		const error = await publishStoredProject(store, projectId, { kind: 'github', token: 'ghp_wrong', name: 'refused', baseUrl: github.apiUrl }, 'test').catch((e: unknown) => e);
		expect(error).toBeInstanceOf(GitHubError);
		expect(error).toMatchObject({ status: 401 });
		expect((await store.get(projectId)).repository).toBeNull();
	});
});

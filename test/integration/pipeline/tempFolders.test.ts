import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';

import type { ProducedFile } from '../../../runtime/contracts';
import { publishStoredProject, runProjectTests } from '../../../runtime/pipeline';
import { TestRedis } from '../../support/redis';
import { isolatedStore } from '../state/fixtures';
import { bareRepository, BUGGY_SUM, FIXED_SUM, removeTempDirs, storedProject, SUM_TEST, tempDir, testerSettings } from './support';

// The module the pipeline makes its temp folders with, so each folder made can be seen.
const fsPromises = require('node:fs/promises') as typeof import('node:fs/promises');

// A worker runs thousands of test runs and publishes: each leaves no folder behind in the temp
// directory, whether the tests passed or failed, and whether the push worked or not. Every
// folder made through mkdtemp is recorded, so the check is on the very folders this test's
// calls made, whatever else runs on the machine.

const redis = new TestRedis('tempfolders');
let made: string[] = [];

beforeEach(() => {
	made = [];
	const real = fsPromises.mkdtemp.bind(fsPromises);
	jest.spyOn(fsPromises, 'mkdtemp').mockImplementation((async (prefix: string) => {
		const dir = await real(prefix);
		made.push(dir);
		return dir;
	}) as typeof fsPromises.mkdtemp);
});
afterEach(() => jest.restoreAllMocks());
afterAll(async () => {
	await redis.cleanup();
	removeTempDirs();
});

/** The folders made with `prefix`, and whether each is still there. */
function madeWith(prefix: string): Array<{ name: string; exists: boolean }> {
	return made.filter((dir) => basename(dir).startsWith(prefix)).map((dir) => ({ name: basename(dir), exists: existsSync(dir) }));
}

const SUM_TESTS: ProducedFile = { path: 'test/sum.test.js', content: SUM_TEST };

async function doneProject(files: ProducedFile[]): Promise<{ store: ReturnType<typeof isolatedStore>; projectId: string }> {
	const store = isolatedStore(redis);
	const projectId = await storedProject(store);
	await store.startTask(projectId, 'T1');
	await store.recordTaskResult(projectId, 'T1', { status: 'done', files, testFiles: [SUM_TESTS] });
	return { store, projectId };
}

describe('test runs', () => {
	it.each([
		['passed', FIXED_SUM],
		['failed', BUGGY_SUM],
	])('removes the workspace a run that %s was materialised in', async (status, code) => {
		const { store, projectId } = await doneProject([{ path: 'src/sum.js', content: code }]);

		const report = await runProjectTests(await store.get(projectId), 'T1', testerSettings().run);

		expect(report.status).toBe(status);
		expect(madeWith('ai-company-workspace-')).toEqual([{ name: expect.any(String), exists: false }]);
	});
});

describe('publishing', () => {
	it('removes the repository it built after a push', async () => {
		const { store, projectId } = await doneProject([{ path: 'src/sum.js', content: FIXED_SUM }]);
		const bare = bareRepository();

		await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test');

		expect(madeWith('ai-company-publish-')).toEqual([{ name: expect.any(String), exists: false }]);
	});

	it('removes it after a push that failed too', async () => {
		const { store, projectId } = await doneProject([{ path: 'src/sum.js', content: FIXED_SUM }]);

		await expect(publishStoredProject(store, projectId, { kind: 'git', url: join(tempDir('missing'), 'no-such-remote.git') }, 'test')).rejects.toThrow();

		expect(madeWith('ai-company-publish-')).toEqual([{ name: expect.any(String), exists: false }]);
	});
});

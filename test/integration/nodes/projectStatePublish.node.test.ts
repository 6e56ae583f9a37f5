import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ProjectState } from '../../../nodes/ProjectState/ProjectState.node';
import { ProjectStore, type Project } from '../../../runtime/index';
import { diamondPlan } from '../../support/fixtures/plans';
import { runNode } from '../../support/nodeExecution';
import { redisCredential, TestRedis } from '../../support/redis';

const redis = new TestRedis('projectstate-publish');
const folders: string[] = [];
afterAll(async () => {
	await redis.cleanup();
	for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function tempFolder(): string {
	const folder = mkdtempSync(join(tmpdir(), 'aic-publish-test-'));
	folders.push(folder);
	return folder;
}

describe('Project State → Publish Repository', () => {
	it('pushes one commit per finished task, named after it, to a bare repository, and records where', async () => {
		const prefix = `${redis.prefix}a:`;
		const store = new ProjectStore(redis.client(), { prefix });
		const { project } = await store.create({ title: 'Todo API', requirements: 'Todos' });
		await store.setPlan(project.id, diamondPlan());
		for (const [taskId, file] of [['T1', 'src/a.js'], ['T2', 'src/b.js']]) {
			await store.startTask(project.id, taskId);
			await store.recordTaskWork(project.id, taskId, { testFiles: [{ path: `test/${taskId}.test.js`, content: '// test' }] });
			await store.recordTaskResult(project.id, taskId, { status: 'done', files: [{ path: file, content: `// ${taskId}` }] });
		}
		const bare = join(tempFolder(), 'todo.git');
		execFileSync('git', ['init', '--bare', '--quiet', bare]);

		const [items] = await runNode(new ProjectState(), {
			items: [{ id: project.id }],
			parameters: { operation: 'publish', projectId: project.id, publishTarget: 'git', remoteUrl: bare, branch: 'main', options: { keyPrefix: prefix } },
			credentials: { redis: redisCredential() },
		});

		const log = execFileSync('git', ['--git-dir', bare, 'log', '--format=%s', 'main'], { encoding: 'utf8' }).trim().split('\n');
		expect(log).toEqual(['T2: Task T2', 'T1: Task T1', 'Start Todo API']);
		const tree = execFileSync('git', ['--git-dir', bare, 'ls-tree', '-r', '--name-only', 'main'], { encoding: 'utf8' }).trim().split('\n');
		expect(tree.sort()).toEqual(['README.md', 'src/a.js', 'src/b.js', 'test/T1.test.js', 'test/T2.test.js']);
		const head = execFileSync('git', ['--git-dir', bare, 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
		const json = items[0].json as unknown as Project & { published: { commit: string } };
		expect(json.repository).toEqual({ url: bare, branch: 'main', lastCommit: head });
		expect(json.published.commit).toBe(head);
	});

	it('refuses an empty Remote URL, naming it', async () => {
		const prefix = `${redis.prefix}b:`;
		const store = new ProjectStore(redis.client(), { prefix });
		const { project } = await store.create({ title: 'Empty', requirements: 'Nothing' });
		await expect(
			runNode(new ProjectState(), {
				items: [{}],
				parameters: { operation: 'publish', projectId: project.id, publishTarget: 'git', remoteUrl: ' ', branch: 'main', options: { keyPrefix: prefix } },
				credentials: { redis: redisCredential() },
			}),
		).rejects.toThrow(/Remote URL|remoteUrl/);
	});
});

import type { Redis } from 'ioredis';

import { ProjectStore } from '../../../runtime/state/projectStore';
import { portalPage } from '../../../runtime/ui/portal/portalPage';
import { diamondPlan } from '../../support/fixtures/plans';
import { deleteKeysWithPrefix, testRedisClient, uniquePrefix } from '../../support/redis';

// The portal shows the client where the delivered code lives. A repository URL may carry a user
// and token (a remote base such as https://deploy-token@git.example/clients): the dashboard keeps
// them on the server, and so must the page a client reads.

const prefix = uniquePrefix('portal-delivery');
let redis: Redis;

beforeAll(() => {
	redis = testRedisClient();
});

afterAll(async () => {
	await deleteKeysWithPrefix(prefix);
	redis.disconnect();
});

async function completedWith(url: string) {
	const store = new ProjectStore(redis, { prefix, source: 'test' });
	const { project } = await store.create({ title: 'Delivered', requirements: `A project delivered to a remote whose URL carries a token (${url.length}).` });
	const plan = diamondPlan();
	await store.updateStatus(project.id, 'planning');
	await store.setPlan(project.id, plan);
	await store.updateStatus(project.id, 'planned');
	await store.updateStatus(project.id, 'development');
	for (const task of plan.tasks) {
		await store.startTask(project.id, task.id);
		await store.recordTaskResult(project.id, task.id, { status: 'done', files: [{ path: `src/${task.id}.js`, content: '1;' }] });
	}
	await store.setRepository(project.id, { url, branch: 'main' });
	for (const status of ['testing', 'review', 'deployment'] as const) await store.updateStatus(project.id, status);
	return store.updateStatus(project.id, 'completed');
}

describe("the portal's delivery link", () => {
	it.each(['https://glpat-deploy-s3cret@git.example/clients/app.git', 'https://bot:glpat-deploy-s3cret@git.example/clients/app.git'])('shows %s without its user and token', async (url) => {
		const project = await completedWith(url);
		const text = portalPage({ project });
		expect(text).toContain('git.example/clients/app.git');
		expect(text).not.toContain('s3cret');
		expect(text).not.toContain('@git.example');
	});
});

describe("the portal's delivery of a repository kept on the service's machine", () => {
	it.each(['/srv/git/clients/app.git', 'file:///srv/git/clients/app.git'])('%s: says who gives access, and shows no server path', async (url) => {
		const project = await completedWith(url);
		const text = portalPage({ project });
		expect(text).toContain('id="repository-elsewhere"');
		expect(text).not.toContain('/srv/git');
		expect(text).toContain('id="delivery-heading"');
	});
});

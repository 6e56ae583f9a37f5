import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { playCompany } from '../../support/scriptedCompany';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { ServiceHarness, unique, waitForStatus } from './support';

// The service (GIT_REMOTE_BASE=<harness.gitBase>, no GIT_REMOTE_ALLOW) takes a request's
// settings.gitRemoteBase only inside the operator's bases: anything else is a 400 naming the field,
// nothing is stored, and nothing is created on disk, not even once the worker has run.
const harness = new ServiceHarness();
const outside = mkdtempSync(join(tmpdir(), 'aic-outside-'));
const sibling = `${harness.gitBase}-evil`;
let service: RuntimeProcess;

beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama);
	service = await harness.start();
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
	for (const dir of [outside, sibling]) rmSync(dir, { recursive: true, force: true });
});

function key(label: string): string {
	return unique(label).replace(' ', '-');
}

describe('a request may choose a git remote only inside what the operator allows', () => {
	// Not run (start: false): on a service without the rule these would be written once published.
	it.each([
		['a folder outside the base', '/etc/ai-probe'],
		['a file:// URL climbing out with ..', 'file:///tmp/../etc'],
		['an ssh host ssh would read as an option', 'ssh://-oProxyCommand=x/y'],
		['a sibling whose name starts with the base\'s', sibling],
	])('refuses %s with 400 naming settings.gitRemoteBase, and stores nothing', async (_what, gitRemoteBase) => {
		const idempotencyKey = key('remote');
		const refused = await service.request('POST', '/api/projects', { requirements: unique('Refused remote'), idempotencyKey, start: false, settings: { gitRemoteBase } });
		expect(refused.status).toBe(400);
		expect(refused.body).toMatchObject({ error: 'invalid_input', field: 'settings.gitRemoteBase' });
		expect(refused.body.message).toMatch(/^settings\.gitRemoteBase: /);
		// Nothing stored: the same key makes a new project.
		const again = await service.request('POST', '/api/projects', { requirements: unique('After the refusal'), idempotencyKey, start: false });
		expect(again.status).toBe(201);
		expect(again.body).toMatchObject({ created: true });
	});

	it('says what the operator allows', async () => {
		const refused = await service.request('POST', '/api/projects', { requirements: unique('Refused remote'), start: false, settings: { gitRemoteBase: '/etc/ai-probe' } });
		expect(refused.body.message).toContain(harness.gitBase);
	});

	it('creates nothing on disk for refused remotes, while a remote under the base is accepted (201) and published there', async () => {
		const climbing = `file://${harness.gitBase}/../${basename(outside)}`;
		for (const gitRemoteBase of [sibling, climbing]) {
			const refused = await service.request('POST', '/api/projects', { requirements: `tasks=1 waves=1 ${unique('refused')}`, settings: { gitRemoteBase } });
			expect(refused.status).toBe(400);
			expect(refused.body).toMatchObject({ field: 'settings.gitRemoteBase' });
		}
		const accepted = await service.request('POST', '/api/projects', { requirements: `tasks=1 waves=1 ${unique('accepted')}`, settings: { gitRemoteBase: join(harness.gitBase, 'team-a') } });
		expect(accepted.status).toBe(201);
		const projectId = accepted.body.projectId as string;
		const project = await waitForStatus(service, projectId, ['completed', 'failed'], 60_000);
		expect(project.status).toBe('completed');
		expect(existsSync(join(harness.gitBase, 'team-a', `${projectId}.git`))).toBe(true);
		// The worker has run meanwhile: the refused remotes got nothing.
		expect(existsSync(sibling)).toBe(false);
		expect(readdirSync(outside)).toEqual([]);
	}, 90_000);
});

describe('a project stored with a remote the operator no longer allows', () => {
	it('fails its publish for good with the reason, and nothing is written there', async () => {
		// Stored by an API process whose operator allowed `outside`; run by a service that does not.
		const allowing = await harness.start({ GIT_REMOTE_ALLOW: outside }, 'api');
		const stored = await allowing.request('POST', '/api/projects', { requirements: `tasks=1 waves=1 ${unique('stored earlier')}`, settings: { gitRemoteBase: outside } });
		expect(stored.status).toBe(201);
		await allowing.stop();
		const projectId = stored.body.projectId as string;
		const project = await waitForStatus(service, projectId, ['completed', 'failed'], 60_000);
		expect(project.status).toBe('failed');
		expect(project.statusReason).toMatch(/^publish: settings\.gitRemoteBase: .*operator allows/);
		expect(readdirSync(outside)).toEqual([]);
	}, 90_000);
});

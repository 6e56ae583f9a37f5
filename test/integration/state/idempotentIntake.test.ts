import type { ProjectIntake } from '../../../runtime/contracts';
import { ProjectStore } from '../../../runtime/state';
import { keysWithPrefix, TestRedis } from '../../support/redis';
import { intake, isolatedStore } from './fixtures';

const redis = new TestRedis('intake');
afterAll(() => redis.cleanup());

describe('idempotent intake', () => {
	it('returns the first project, created: false, when the same intake comes again', async () => {
		const store = isolatedStore(redis);
		const first = await store.create(intake());
		expect(first.created).toBe(true);
		expect(first.project).toMatchObject({ status: 'intake', version: 1, title: 'Bakery website' });
		expect(first.project.idempotencyKey).toMatch(/^sha256:[0-9a-f]{64}$/);

		await store.updateStatus(first.project.id, 'planning');
		const again = await store.create(intake());
		expect(again.created).toBe(false);
		expect(again.project).toEqual(await store.get(first.project.id));
		expect((await store.list()).total).toBe(1);
	});

	it('treats whitespace and the case of the email as the same intake', async () => {
		const store = isolatedStore(redis);
		const first = await store.create(intake());
		const base = intake();
		const resent = await store.create({
			title: `  ${base.title}\n`,
			requirements: base.requirements.replace(/ /g, '  \t'),
			client: { name: ` ${base.client?.name} `, email: base.client?.email?.toUpperCase() },
		});
		expect(resent).toEqual({ project: first.project, created: false });
	});

	it('creates a new project when title, requirements or client differ', async () => {
		const store = isolatedStore(redis);
		const ids = new Set<string>();
		for (const variant of [
			intake(),
			intake({ title: 'Bakery website 2' }),
			intake({ requirements: 'Something else entirely' }),
			intake({ client: { name: 'Someone Else', email: 'ana@example.com' } }),
			intake({ client: {} }),
		]) {
			const result = await store.create(variant);
			expect(result.created).toBe(true);
			ids.add(result.project.id);
		}
		expect(ids.size).toBe(5);
	});

	const base = intake();
	const client = base.client ?? {};

	// One case per field of the intake: changing only that field makes another project.
	it.each<[string, ProjectIntake, ProjectIntake]>([
		['another title', base, { ...base, title: 'Bakery website 2' }],
		['the title in another case', base, { ...base, title: 'BAKERY WEBSITE' }],
		['other requirements', base, { ...base, requirements: `${base.requirements} And a blog.` }],
		['another client name, same email', base, { ...base, client: { ...client, name: 'Bea Baker' } }],
		['the client name in another case', base, { ...base, client: { ...client, name: 'ana baker' } }],
		['another client email, same name', base, { ...base, client: { ...client, email: 'orders@example.com' } }],
		['a client name where there was none', { ...base, client: { email: client.email } }, base],
		['a client email where there was none', { ...base, client: { name: client.name } }, base],
		['no client where there was one', base, { ...base, client: undefined }],
		['words moved from the title to the requirements', { ...base, title: 'Bakery', requirements: 'website now' }, { ...base, title: 'Bakery website', requirements: 'now' }],
		['the name moved into the email field', { ...base, client: { name: 'a@b.c' } }, { ...base, client: { email: 'a@b.c' } }],
	])('%s is another project', async (_what, first, second) => {
		const store = isolatedStore(redis);
		const a = await store.create(first);
		const b = await store.create(second);
		expect([a.created, b.created]).toEqual([true, true]);
		expect(b.project.id).not.toBe(a.project.id);
		expect(b.project.idempotencyKey).not.toBe(a.project.idempotencyKey);
		expect((await store.list()).total).toBe(2);
	});

	// And one case per field for what does not count: the same project comes back.
	it.each<[string, ProjectIntake, ProjectIntake]>([
		['spaces around the title', base, { ...base, title: `  ${base.title}\t` }],
		['spaces inside the title', base, { ...base, title: base.title.replace(' ', ' \t  ') }],
		['spaces around the requirements', base, { ...base, requirements: `\n${base.requirements}\n\n` }],
		['spaces inside the requirements', base, { ...base, requirements: base.requirements.replace(/ /g, '\t ') }],
		['spaces around and inside the client name', base, { ...base, client: { ...client, name: ' Ana   Baker ' } }],
		['the email in another case', base, { ...base, client: { ...client, email: 'Ana@EXAMPLE.com' } }],
		['spaces around the email', base, { ...base, client: { ...client, email: ` ${client.email} ` } }],
		['composed or decomposed accents (NFC)', { ...base, title: 'Caf\u00e9 website' }, { ...base, title: 'Cafe\u0301 website' }],
		['an empty client name or none', { ...base, client: { email: client.email } }, { ...base, client: { name: '  ', email: client.email } }],
		['an empty client email or none', { ...base, client: { name: client.name } }, { ...base, client: { name: client.name, email: '' } }],
		['an empty client or none', { ...base, client: undefined }, { ...base, client: {} }],
	])('%s is the same project', async (_what, first, second) => {
		const store = isolatedStore(redis);
		const a = await store.create(first);
		const b = await store.create(second);
		expect([a.created, b.created]).toEqual([true, false]);
		expect(b.project).toEqual(a.project);
		expect((await store.list()).total).toBe(1);
	});

	it('uses a client-supplied key instead of the content', async () => {
		const store = isolatedStore(redis);
		const first = await store.create(intake(), { idempotencyKey: 'order-1001' });
		expect(first.project.idempotencyKey).toBe('order-1001');
		const sameKey = await store.create(intake({ title: 'Changed title' }), { idempotencyKey: 'order-1001' });
		expect(sameKey).toMatchObject({ created: false, project: { id: first.project.id, title: 'Bakery website' } });
		const otherKey = await store.create(intake(), { idempotencyKey: 'order-1002' });
		expect(otherKey.created).toBe(true);
		expect(otherKey.project.id).not.toBe(first.project.id);
	});

	it('makes one project from 50 concurrent creates with the same key on 50 connections', async () => {
		const prefix = isolatedStore(redis).keys.prefix;
		const stores = Array.from({ length: 50 }, () => new ProjectStore(redis.client(), { prefix }));
		const results = await Promise.all(stores.map((s) => s.create(intake())));

		expect(results.filter((r) => r.created)).toHaveLength(1);
		expect(new Set(results.map((r) => r.project.id)).size).toBe(1);
		const keys = await keysWithPrefix(redis.inspector, prefix);
		expect(keys.filter((k) => k.startsWith(`${prefix}project:`))).toHaveLength(2); // the project and its events
		expect(keys.filter((k) => k.startsWith(`${prefix}idem:`))).toHaveLength(1);
		expect(await redis.inspector.zcard(`${prefix}index:all`)).toBe(1);
		expect(await stores[0].events(results[0].project.id)).toHaveLength(1);
	});

	it('makes one project each from concurrent creates of different intakes', async () => {
		const prefix = isolatedStore(redis).keys.prefix;
		const stores = Array.from({ length: 20 }, () => new ProjectStore(redis.client(), { prefix }));
		const results = await Promise.all(stores.map((s, i) => s.create(intake({ title: `Project ${i % 10}` }))));
		expect(results.filter((r) => r.created)).toHaveLength(10);
		expect(new Set(results.map((r) => r.project.id)).size).toBe(10);
		expect((await stores[0].list()).total).toBe(10);
	});
});

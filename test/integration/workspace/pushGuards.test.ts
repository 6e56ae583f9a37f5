import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { InvalidInputError } from '../../../runtime/errors';
import { commitAll, ensureLocalBareRepository, initRepository, push } from '../../../runtime/workspace/git';
import { materializeFiles } from '../../../runtime/workspace/materialize';

// The workspace's own guards, whatever its caller checked: no folder created through "..", and no
// ssh host that ssh would read as an option handed to git.
const dirs: string[] = [];

function tempDir(label: string): string {
	const dir = mkdtempSync(join(tmpdir(), `push-guard-${label}-`));
	dirs.push(dir);
	return dir;
}

afterAll(() => {
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('ensureLocalBareRepository creates nothing through a ".." segment', () => {
	it.each([
		['a path', (base: string, out: string) => `${base}/inside/../../${out}/p.git`],
		['a file:// URL', (base: string, out: string) => `file://${base}/../${out}/p.git`],
		['a file:// URL with the dots percent-encoded', (base: string, out: string) => `file://${base}/%2e%2e/${out}/p.git`],
	])('refuses %s climbing out of its base', async (_what, remote) => {
		const base = tempDir('base');
		const outside = tempDir('outside');
		await expect(ensureLocalBareRepository(remote(base, basename(outside)))).rejects.toMatchObject({ name: 'InvalidInputError', field: 'url' });
		expect(readdirSync(outside)).toEqual([]);
		expect(readdirSync(base)).toEqual([]);
	});
});

describe('push refuses an ssh remote whose host ssh would read as an option, before git runs', () => {
	it.each([['ssh://-oProxyCommand=touch MARK/y'], ['ssh://%2DoProxyCommand=touch MARK/y'], ['git@-oProxyCommand=true:y (scp-like)']])('refuses %s', async (template) => {
		const work = tempDir('work');
		await initRepository(work);
		await materializeFiles(work, [{ path: 'a.txt', content: 'a\n' }]);
		await commitAll(work, 'T1: a');
		const mark = join(tempDir('mark'), 'ran');
		const error = await push(work, { remote: template.replace('MARK', mark).replace(' (scp-like)', '') }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(InvalidInputError);
		expect(error).toMatchObject({ field: 'remote', message: expect.stringMatching(/beginning with "-"/) });
		expect(existsSync(mark)).toBe(false);
	});
});

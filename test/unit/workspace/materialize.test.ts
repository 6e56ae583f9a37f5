import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { materializeFiles } from '../../../runtime/workspace/materialize';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A workspace folder and, beside it, an "outside" folder holding one file. */
function setUp(): { workspace: string; outside: string } {
	const parent = mkdtempSync(join(tmpdir(), 'materialize-test-'));
	dirs.push(parent);
	const workspace = join(parent, 'ws');
	const outside = join(parent, 'outside');
	mkdirSync(workspace);
	mkdirSync(outside);
	writeFileSync(join(outside, 'secret.txt'), 'untouched');
	return { workspace, outside };
}

describe('materializeFiles', () => {
	it('writes the files, creating folders, overwriting older versions, and returns the normalised paths', async () => {
		const { workspace } = setUp();
		writeFileSync(join(workspace, 'index.js'), 'old');
		const written = await materializeFiles(workspace, [
			{ path: 'index.js', content: 'new' },
			{ path: './src/lib//util.js', content: 'util' },
		]);
		expect(written).toEqual(['index.js', 'src/lib/util.js']);
		expect(readFileSync(join(workspace, 'index.js'), 'utf8')).toBe('new');
		expect(readFileSync(join(workspace, 'src/lib/util.js'), 'utf8')).toBe('util');
	});

	it('refuses to write through a folder that is a symlink pointing outside, and writes nothing', async () => {
		const { workspace, outside } = setUp();
		symlinkSync(outside, join(workspace, 'src'));
		await expect(
			materializeFiles(workspace, [
				{ path: 'first.js', content: 'good' },
				{ path: 'src/secret.txt', content: 'overwritten' },
			]),
		).rejects.toMatchObject({ field: 'files[1].path', message: expect.stringMatching(/"src" is a symlink pointing outside the workspace/) });
		expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('untouched');
		expect(readdirSync(outside)).toEqual(['secret.txt']);
		expect(existsSync(join(workspace, 'first.js'))).toBe(false);
	});

	it('refuses a dangling symlink folder too (it could point anywhere later)', async () => {
		const { workspace } = setUp();
		symlinkSync('/nonexistent/place', join(workspace, 'lib'));
		await expect(materializeFiles(workspace, [{ path: 'lib/a.js', content: '' }])).rejects.toMatchObject({ field: 'files[0].path' });
	});

	it('replaces a symlink at the file itself instead of writing through it', async () => {
		const { workspace, outside } = setUp();
		symlinkSync(join(outside, 'secret.txt'), join(workspace, 'config.js'));
		await materializeFiles(workspace, [{ path: 'config.js', content: 'mine' }]);
		expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('untouched');
		expect(lstatSync(join(workspace, 'config.js')).isSymbolicLink()).toBe(false);
		expect(readFileSync(join(workspace, 'config.js'), 'utf8')).toBe('mine');
	});

	it('follows a symlink folder that stays inside the workspace', async () => {
		const { workspace } = setUp();
		mkdirSync(join(workspace, 'real'));
		symlinkSync(join(workspace, 'real'), join(workspace, 'alias'));
		await materializeFiles(workspace, [{ path: 'alias/a.js', content: 'a' }]);
		expect(readFileSync(join(workspace, 'real/a.js'), 'utf8')).toBe('a');
	});

	it('refuses a path that needs a folder where the workspace has a file, or a file where it has a folder', async () => {
		const { workspace } = setUp();
		writeFileSync(join(workspace, 'lib'), 'a file');
		mkdirSync(join(workspace, 'docs'));
		await expect(materializeFiles(workspace, [{ path: 'lib/a.js', content: '' }])).rejects.toMatchObject({ field: 'files[0].path', message: expect.stringMatching(/"lib" is a file/) });
		await expect(materializeFiles(workspace, [{ path: 'docs', content: '' }])).rejects.toMatchObject({ field: 'files[0].path', message: expect.stringMatching(/is a folder/) });
	});
});

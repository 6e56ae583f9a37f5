import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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

/** setUp, plus a .git folder in the workspace with a hook, a config and a nested repository's .git. */
function setUpWithGit(): { workspace: string; outside: string; gitFiles: () => Record<string, string> } {
	const { workspace, outside } = setUp();
	mkdirSync(join(workspace, '.git/hooks'), { recursive: true });
	writeFileSync(join(workspace, '.git/hooks/pre-commit'), 'original hook');
	writeFileSync(join(workspace, '.git/config'), 'original config');
	mkdirSync(join(workspace, 'vendor/lib/.git/hooks'), { recursive: true });
	const gitFiles = () => Object.fromEntries(['.git', 'vendor/lib/.git'].flatMap((git) => listFiles(join(workspace, git)).map((f) => [`${git}/${f}`, readFileSync(join(workspace, git, f), 'utf8')])));
	return { workspace, outside, gitFiles };
}

function listFiles(dir: string, under = ''): string[] {
	return readdirSync(join(dir, under), { withFileTypes: true })
		.flatMap((entry) => (entry.isDirectory() ? listFiles(dir, join(under, entry.name)) : [join(under, entry.name)]))
		.sort();
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

	it('keeps the permissions of a file it replaces', async () => {
		const { workspace } = setUp();
		writeFileSync(join(workspace, 'run.sh'), 'old');
		chmodSync(join(workspace, 'run.sh'), 0o750);
		await materializeFiles(workspace, [{ path: 'run.sh', content: 'new' }]);
		expect(statSync(join(workspace, 'run.sh')).mode & 0o777).toBe(0o750);
		expect(readFileSync(join(workspace, 'run.sh'), 'utf8')).toBe('new');
	});
});

describe('materializeFiles never writes into .git or outside through links on disk', () => {
	it.each([
		['docs -> .git', [['docs', '.git']], 'docs/hooks/pre-commit', /"docs" is a symlink pointing into git's own files \(".git"\)/],
		['docs -> .git/hooks', [['docs', '.git/hooks']], 'docs/pre-commit', /"docs" is a symlink pointing into git's own files \(".git\/hooks"\)/],
		['an absolute link to .git', [['docs', '<ws>/.git']], 'docs/config', /into git's own files/],
		['a chain a -> b -> .git', [['b', '.git'], ['a', 'b']], 'a/hooks/post-checkout', /"a" is a symlink pointing into git's own files/],
		['a link into a nested repository\'s .git', [['lib', 'vendor/lib/.git']], 'lib/hooks/pre-commit', /into git's own files \("vendor\/lib\/.git"\)/],
		['a link deeper in the path', [['src/docs', '../.git']], 'src/docs/hooks/pre-push', /"src\/docs" is a symlink pointing into git's own files/],
		['a link to the folder above', [['up', '..']], 'up/outside/secret.txt', /"up" is a symlink pointing outside the workspace/],
		['a link to another folder outside', [['docs', '<outside>']], 'docs/secret.txt', /"docs" is a symlink pointing outside the workspace/],
		['a link to /tmp', [['docs', '<tmp>']], 'docs/written-by-materialize-test.txt', /"docs" is a symlink pointing outside the workspace/],
	])('refuses %s, naming the field, and writes nothing at all', async (_what, links, path, problem) => {
		const { workspace, outside, gitFiles } = setUpWithGit();
		mkdirSync(join(workspace, 'src'));
		const where = (target: string) => target.replace('<ws>', workspace).replace('<outside>', outside).replace('<tmp>', tmpdir());
		for (const [link, target] of links) symlinkSync(where(target), join(workspace, link));
		const before = { git: gitFiles(), workspace: listFiles(workspace), outside: listFiles(outside) };

		const error = await materializeFiles(workspace, [
			{ path: 'first.js', content: 'good' },
			{ path, content: 'rm -rf ~' },
		]).catch((e: unknown) => e);

		expect(error).toMatchObject({ name: 'InvalidInputError', field: 'files[1].path', message: expect.stringMatching(problem) });
		expect(gitFiles()).toEqual(before.git);
		expect(listFiles(workspace)).toEqual(before.workspace);
		expect(listFiles(outside)).toEqual(before.outside);
		expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('untouched');
		expect(existsSync(join(tmpdir(), 'written-by-materialize-test.txt'))).toBe(false);
	});

	it('refuses a link into a folder whose name is .git on other file systems (".GIT", ".git.")', async () => {
		const { workspace } = setUp();
		for (const alias of ['.GIT', '.git.', 'GIT~1']) {
			mkdirSync(join(workspace, alias));
			symlinkSync(alias, join(workspace, `to-${alias}`));
			await expect(materializeFiles(workspace, [{ path: `to-${alias}/hooks/x`, content: '' }])).rejects.toMatchObject({
				field: 'files[0].path',
				message: expect.stringMatching(/into git's own files/),
			});
			expect(readdirSync(join(workspace, alias))).toEqual([]);
		}
	});

	it('replaces a symlink to a hook instead of writing into the hook', async () => {
		const { workspace, gitFiles } = setUpWithGit();
		symlinkSync('.git/hooks/pre-commit', join(workspace, 'hook.sh'));
		const before = gitFiles();
		await materializeFiles(workspace, [{ path: 'hook.sh', content: 'mine' }]);
		expect(gitFiles()).toEqual(before);
		expect(lstatSync(join(workspace, 'hook.sh')).isSymbolicLink()).toBe(false);
		expect(readFileSync(join(workspace, 'hook.sh'), 'utf8')).toBe('mine');
	});

	it('replaces a hard link to a file in .git or outside instead of writing into the shared file', async () => {
		const { workspace, outside, gitFiles } = setUpWithGit();
		linkSync(join(workspace, '.git/config'), join(workspace, 'notes.txt'));
		linkSync(join(outside, 'secret.txt'), join(workspace, 'secret.txt'));
		const before = gitFiles();
		await materializeFiles(workspace, [
			{ path: 'notes.txt', content: 'mine' },
			{ path: 'secret.txt', content: 'mine too' },
		]);
		expect(gitFiles()).toEqual(before);
		expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('untouched');
		expect(readFileSync(join(workspace, 'notes.txt'), 'utf8')).toBe('mine');
		expect(statSync(join(workspace, 'notes.txt')).nlink).toBe(1);
		expect(readFileSync(join(workspace, 'secret.txt'), 'utf8')).toBe('mine too');
	});

	it('still writes through a link to a folder inside the workspace that merely has "git" in its name', async () => {
		const { workspace } = setUpWithGit();
		mkdirSync(join(workspace, '.github'));
		symlinkSync('.github', join(workspace, 'gh'));
		await materializeFiles(workspace, [{ path: 'gh/ci.yml', content: 'on: push' }]);
		expect(readFileSync(join(workspace, '.github/ci.yml'), 'utf8')).toBe('on: push');
	});
});

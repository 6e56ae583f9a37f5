import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../../runtime/errors';
import { materializeFiles } from '../../../runtime/workspace/materialize';
import { checkFilePath, checkFiles, DEFAULT_WORKSPACE_LIMITS } from '../../../runtime/workspace/paths';

const file = (path: string, content = 'x') => ({ path, content });

/** The InvalidInputError checkFiles throws for these files. */
function refusal(files: unknown, options?: Parameters<typeof checkFiles>[1]): InvalidInputError {
	try {
		checkFiles(files, options);
	} catch (error) {
		expect(error).toBeInstanceOf(InvalidInputError);
		return error as InvalidInputError;
	}
	throw new Error(`checkFiles accepted ${JSON.stringify(files).slice(0, 200)}`);
}

describe('checkFiles refuses paths that could leave the workspace, naming the field', () => {
	it.each([
		['an absolute path', '/etc/passwd', /absolute/],
		['a ".." path', '..', /"\.\." segments/],
		['a path starting with ".."', '../outside.js', /"\.\." segments/],
		['a ".." that climbs out mid-path', 'a/../../b', /"\.\." segments/],
		['a ".." that stays inside', 'src/../index.js', /"\.\." segments/],
		['.git/config', '.git/config', /\.git/],
		['a nested .git folder', 'sub/.git/hooks/x', /\.git/],
		['.GIT in another case', '.GIT/hooks/pre-commit', /\.git/],
		['a .git file (gitlink)', 'vendor/lib/.git', /\.git/],
		['a NUL byte', 'src/a.js\0.txt', /NUL/],
		['a backslash', 'src\\a.js', /"\/" as separator/],
		['a Windows traversal', '..\\..\\windows\\system32', /"\/" as separator/],
		['a drive letter', 'C:/Windows/x', /drive letter/],
		['a control character', 'src/a\n.js', /control characters/],
		['a folder, not a file', 'src/', /name a file/],
		['the workspace itself', '.', /name a file/],
		['an empty path', '', /file path/],
	])('%s (%j)', (_what, path, problem) => {
		const error = refusal([file('README.md'), file('src/ok.js'), file(path)]);
		expect(error.field).toBe('files[2].path');
		expect(error.message).toMatch(problem);
	});

	it('names the field under the prefix it is given', () => {
		expect(refusal([file('/abs')], { field: 'testFiles' }).field).toBe('testFiles[0].path');
	});

	it('refuses a path that is not text, and content that is not text', () => {
		expect(refusal([{ path: 42, content: '' }]).field).toBe('files[0].path');
		expect(refusal([{ path: 'a.js', content: { code: 1 } }]).field).toBe('files[0].content');
		expect(refusal('a.js').field).toBe('files');
		expect(refusal([null]).field).toBe('files[0]');
	});

	it('refuses the same file twice (after normalising), and a file where another needs a folder', () => {
		expect(refusal([file('src/a.js'), file('./src//a.js')])).toMatchObject({ field: 'files[1].path', message: expect.stringMatching(/also files\[0\]/) });
		expect(refusal([file('src'), file('src/a.js')])).toMatchObject({ field: 'files[1].path', message: expect.stringMatching(/needs "src" to be a folder/) });
	});
});

describe('the .git rule refuses every spelling a file system reads as ".git"', () => {
	/** The refusal checkFilePath gives for this path (the store and the developer use the same rule). */
	const gitRefusal = (path: string) => {
		expect(() => checkFilePath(path, 'files[0].path')).toThrow(InvalidInputError);
		return refusal([file(path)]);
	};

	it.each([
		['.git itself', '.git'],
		['.git as a folder', '.git/config'],
		['.git/ (a folder, trailing slash)', '.git/'],
		['a nested .git', 'a/.git/b'],
		['.GIT (case-insensitive file systems)', '.GIT/hooks/pre-commit'],
		['.Git (mixed case)', 'src/.Git/config'],
		['.git. (Windows drops trailing dots)', '.git./hooks/pre-commit'],
		['.git  (Windows drops trailing spaces)', '.git /hooks/pre-commit'],
		['.git. . (dots and spaces mixed)', '.GiT. . /config'],
		['.git... as the last name', 'sub/.git...'],
		['GIT~1 (the 8.3 short name)', 'GIT~1/hooks/pre-commit'],
		['git~1 in lower case', 'git~1/config'],
		['GIT~2 (short name after a collision)', 'a/GIT~2/config'],
		['.git::$INDEX_ALLOCATION (NTFS: the folder itself)', '.git::$INDEX_ALLOCATION/hooks/pre-commit'],
		['.git:stream (an NTFS stream of .git)', '.git:x'],
		['GIT~1:$I30 (stream of the short name)', 'GIT~1::$INDEX_ALLOCATION/config'],
		['.g<ZWNJ>it (a zero-width non-joiner, which HFS+ ignores)', '.g\u200cit/hooks/pre-commit'],
		['.git with a zero-width joiner at the end', '.git\u200d/config'],
		['a BOM in front', '\ufeff.git/config'],
		['a right-to-left mark', '.gi\u200ft/config'],
		['a soft hyphen (default-ignorable: refused to be safe)', '.gi\u00adt/config'],
		['a dotless i (U+0131), which upper-cases to I', '.g\u0131t/config'],
	])('%s (%j)', (_what, path) => {
		const error = gitRefusal(path);
		expect(error.field).toBe('files[0].path');
		expect(error.message).toMatch(/must not touch git's own files \(a "\.git" segment/);
	});

	it('names the alias it saw when the name is not plain ".git"', () => {
		expect(gitRefusal('GIT~1/config').message).toMatch(/"GIT~1" is the same name on some file systems/);
		expect(gitRefusal('.git/config').message).not.toMatch(/same name/);
	});

	it.each([
		['.git\\x (a Windows separator)', '.git\\x', /"\/" as separator/],
		['..\\.git (a Windows traversal to .git)', '..\\.git', /"\/" as separator/],
		['C:.git (a drive-relative path)', 'C:.git/config', /drive letter/],
	])('refuses %s by another rule, since "\\" and "C:" are refused everywhere', (_what, path, problem) => {
		expect(gitRefusal(path).message).toMatch(problem);
	});

	it.each([
		['.gitignore', '.gitignore'],
		['.gitattributes', 'sub/.gitattributes'],
		['.github', '.github/workflows/ci.yml'],
		['git (no dot)', 'git/index.js'],
		['a name ending in .git', 'repos/project.git/README.md'],
		['.git-old', '.git-old/notes.txt'],
		['.gitx', '.gitx'],
		['git~ without a number', 'git~/a'],
		['git~1x (not a short name)', 'git~1x/a'],
		['.g.it', '.g.it/a'],
		// Other names on every file system, however alike they look.
		['a Cyrillic i (U+0456)', '.g\u0456t/config'],
		['full-width letters', '\uff0e\uff47\uff49\uff54/config'],
		['a dotted I (U+0130; lower-cases to i plus a combining dot)', '.g\u0130t/config'],
	])('accepts %s (%j)', (_what, path) => {
		expect(checkFiles([file(path)])).toEqual([file(path)]);
	});
});

describe('checkFiles enforces the size limits', () => {
	it('refuses a file over the per-file limit, naming its content', () => {
		const huge = 'x'.repeat(DEFAULT_WORKSPACE_LIMITS.maxFileBytes + 1);
		const error = refusal([file('small.js'), file('huge.js', huge)]);
		expect(error.field).toBe('files[1].content');
		expect(error.message).toMatch(/is 1048577 bytes; the limit is 1048576 per file/);
	});

	it('counts bytes, not characters', () => {
		// 3 bytes per character in UTF-8.
		expect(refusal([file('a.txt', '€'.repeat(4))], { limits: { maxFileBytes: 10 } }).field).toBe('files[0].content');
		expect(checkFiles([file('a.txt', '€'.repeat(3))], { limits: { maxFileBytes: 10 } })).toHaveLength(1);
	});

	it('refuses too many files', () => {
		const many = Array.from({ length: DEFAULT_WORKSPACE_LIMITS.maxFiles + 1 }, (_, i) => file(`f${i}.js`));
		expect(refusal(many)).toMatchObject({ field: 'files', message: expect.stringMatching(/has 501 files; the limit is 500/) });
	});

	it('refuses files that are too big together', () => {
		const error = refusal([file('a', 'x'.repeat(60)), file('b', 'x'.repeat(60))], { limits: { maxTotalBytes: 100 } });
		expect(error).toMatchObject({ field: 'files', message: expect.stringMatching(/over 100 bytes together.*files\[1\]/) });
	});

	it('refuses a path over the length limit and a name over 255 bytes', () => {
		expect(refusal([file(`${'a/'.repeat(600)}x`)]).message).toMatch(/characters long; the limit is 1024/);
		expect(refusal([file(`src/${'n'.repeat(256)}.js`)]).message).toMatch(/over 255 bytes/);
	});
});

describe('checkFiles accepts ordinary project files', () => {
	it('returns them with normalised posix paths, in order', () => {
		expect(checkFiles([file('./src//index.js', 'a'), file('test/a.test.js', 'b'), file('.github/workflows/ci.yml', 'c'), file('.gitignore', 'd')])).toEqual([
			file('src/index.js', 'a'),
			file('test/a.test.js', 'b'),
			file('.github/workflows/ci.yml', 'c'),
			file('.gitignore', 'd'),
		]);
	});
});

describe('materializeFiles writes nothing when one file is bad', () => {
	const dirs: string[] = [];
	afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

	it.each([
		['a bad path', [file('good.js'), file('src/fine.js'), file('../escape.js')], 'files[2].path'],
		['a huge file', [file('good.js'), file('src/fine.js'), file('big.js', 'x'.repeat(2 * 1024 * 1024))], 'files[2].content'],
	])('%s after good ones', async (_what, files, field) => {
		const parent = mkdtempSync(join(tmpdir(), 'paths-test-'));
		dirs.push(parent);
		const workspace = join(parent, 'ws');
		await expect(materializeFiles(workspace, files)).rejects.toMatchObject({ name: 'InvalidInputError', field });
		expect(existsSync(workspace) ? readdirSync(workspace) : []).toEqual([]);
		expect(readdirSync(parent).filter((name) => name !== 'ws')).toEqual([]);
	});
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitAll, commitHistory, initRepository, stripspace, type HistoryCommit } from '../../../runtime/workspace/git';
import { materializeFiles } from '../../../runtime/workspace/materialize';

// commitHistory writes the commits git could not judge differently from the files given with one
// `git fast-import`: it must leave exactly what initRepository + materializeFiles + commitAll one by
// one leave (the same shas, so a project built by either is the same repository and a re-publish
// stays a fast-forward), the same working tree and an index matching the last commit.

const dirs: string[] = [];
function tempDir(label: string): string {
	const dir = mkdtempSync(join(tmpdir(), `history-test-${label}-`));
	dirs.push(dir);
	return dir;
}
afterAll(() => {
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function gitOut(cwd: string, ...args: string[]): string {
	return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: devNull } }).trim();
}

/** The history commit by commit, as before commitHistory. */
async function oneByOne(dir: string, commits: HistoryCommit[], branch = 'main'): Promise<Array<string | null>> {
	await initRepository(dir, { branch });
	const shas: Array<string | null> = [];
	for (const commit of commits) {
		await materializeFiles(dir, commit.files, { field: commit.field });
		shas.push(await commitAll(dir, commit.message, { date: commit.date }));
	}
	return shas;
}

/** Every git process commitHistory starts, counted through a git on PATH that logs and hands on. */
async function withCountedGit<T>(work: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
	const bin = tempDir('bin');
	const log = join(bin, 'calls.log');
	const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
	writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$*" >> ${log}\nexec ${real} "$@"\n`, { mode: 0o755 });
	const path = process.env.PATH;
	process.env.PATH = `${bin}:${path}`;
	try {
		const result = await work();
		return { result, calls: readFileSync(log, 'utf8').trim().split('\n') };
	} finally {
		process.env.PATH = path;
	}
}

const TASKS: HistoryCommit[] = [
	{ files: [{ path: 'README.md', content: '# Shop\n\nA shop.\n' }], message: 'Start Shop', date: '2026-01-01T10:00:00.250Z' },
	{ files: [{ path: 'src/cart.js', content: 'module.exports = 1;\n' }, { path: 'test/cart.test.js', content: "require('node:test');\n" }], message: 'T1: Cart  \n\n\n\nwith  trailing   \n\n', date: '2026-01-01T10:05:00.999Z', field: 'tasks.T1.files' },
	// Nothing new: no commit, as commitAll says with null.
	{ files: [{ path: 'src/cart.js', content: 'module.exports = 1;\n' }], message: 'T2: Same again', date: '2026-01-01T10:06:00Z' },
	{ files: [{ path: 'src/odd name "quoted".js', content: 'é ünïcode\r\nand CRLF\n' }, { path: 'src/cart.js', content: 'module.exports = 2;\n' }, { path: 'empty.txt', content: '' }], message: '\n\nT3: Odd paths\n', date: '2026-01-01T10:07:00Z' },
];

describe('commitHistory', () => {
	it('gives the same commits, working tree and index as committing one by one, with one git fast-import instead of two git processes a commit', async () => {
		const expected = await oneByOne(tempDir('slow'), TASKS);
		const fast = tempDir('fast');
		const { result, calls } = await withCountedGit(() => commitHistory(fast, TASKS));
		expect(result).toEqual(expected);
		expect(result[2]).toBeNull();
		expect(calls.map((c) => c.split(' ').find((word) => !word.startsWith('-') && !word.includes('=')))).toEqual(['init', 'fast-import', 'read-tree']);
		expect(gitOut(fast, 'status', '--porcelain')).toBe('');
		expect(gitOut(fast, 'config', 'user.name')).toBe('AI Company');
	});

	it('commits with git add from the first commit a .gitignore could change, and leaves out what it ignores as commitAll does', async () => {
		const history: HistoryCommit[] = [
			...TASKS,
			{ files: [{ path: '.gitignore', content: 'build/\n*.log\n' }, { path: 'build/out.js', content: 'x' }, { path: 'debug.log', content: 'y' }, { path: 'src/kept.js', content: 'z' }], message: 'Packaging: .gitignore', date: '2026-01-01T11:00:00Z', field: 'delivery.files' },
			{ files: [{ path: 'later.log', content: 'ignored too' }, { path: 'src/later.js', content: 'kept' }], message: 'T4: After the ignore file', date: '2026-01-01T12:00:00Z' },
		];
		const expected = await oneByOne(tempDir('slow-ignore'), history, 'trunk');
		const fast = tempDir('fast-ignore');
		expect(await commitHistory(fast, history, { branch: 'trunk' })).toEqual(expected);
		expect(gitOut(fast, 'ls-tree', '-r', '--name-only', 'trunk').split('\n')).not.toContain('build/out.js');
		expect(gitOut(fast, 'status', '--porcelain')).toBe('');
	});

	it('cleans a message up as git commit does', () => {
		expect(stripspace('\n \nT1: a  \t\n\n\n body \r\n\n')).toBe('T1: a\n\n body\n');
		expect(stripspace(' \n\t')).toBe('');
	});

	it('refuses a folder that already holds something, naming it', async () => {
		const dir = tempDir('full');
		writeFileSync(join(dir, 'x'), 'x');
		await expect(commitHistory(dir, TASKS)).rejects.toMatchObject({ field: 'dir' });
	});

	it('names the commit whose file is bad, as materializeFiles does', async () => {
		await expect(commitHistory(tempDir('bad'), [{ files: [{ path: '../out', content: 'x' }], message: 'T1: bad', date: '2026-01-01T00:00:00Z', field: 'tasks.T1.files' }])).rejects.toMatchObject({ field: expect.stringMatching(/^tasks\.T1\.files/) });
	});
});

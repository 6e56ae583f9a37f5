import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { GitError, initRepository, runGit } from '../../../runtime/workspace/git';

// runGit against the real git CLI: what its errors keep (git's own stderr, the exit code, secrets
// blanked out, a timeout named), and that a command exiting without reading its input is judged
// by its exit status.

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function repository(): Promise<string> {
	const dir = mkdtempSync(join(tmpdir(), 'run-git-'));
	dirs.push(dir);
	await initRepository(dir);
	return dir;
}

async function gitError(promise: Promise<unknown>): Promise<GitError> {
	const error = await promise.then(
		() => {
			throw new Error('expected git to fail');
		},
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(GitError);
	return error as GitError;
}

describe('runGit', () => {
	it("keeps git's own stderr and exit code, not Node's wrapper text", async () => {
		const dir = await repository();
		const error = await gitError(runGit(dir, ['rev-parse', '--verify', 'no-such-branch']));
		expect(error.exitCode).toBe(128);
		expect(error.stderr).toMatch(/^fatal: /);
		expect(error.message).toMatch(/^git rev-parse failed \(exit 128\): fatal: /);
		expect(error.message).not.toContain('Command failed');
		expect(error.args).toEqual(['rev-parse', '--verify', 'no-such-branch']);
	});

	it('writes *** for every secret git echoes in its errors', async () => {
		const dir = await repository();
		const error = await gitError(runGit(dir, ['checkout', 'tok-s3cret-tok'], { secrets: ['s3cret', ''] }));
		expect(error.stderr).toContain("'tok-***-tok'");
		expect(error.message).not.toContain('s3cret');
	});

	it('says it killed git at the timeout, and after how long', async () => {
		const dir = await repository();
		// An alias that sleeps: a git that cannot finish before the timeout, however idle or loaded the
		// machine is (a 1 ms timeout on `git status` once lost the race and git finished first).
		const error = await gitError(runGit(dir, ['-c', 'alias.slow=!sleep 1', 'slow'], { timeoutMs: 100 }));
		expect(error.exitCode).toBeNull();
		expect(error.message).toContain('(killed after 100 ms)');
		expect(error.message).toMatch(/^git -c failed: /);
	});

	it('resolves by the exit status when git exits without reading a large input', async () => {
		const dir = await repository();
		await expect(runGit(dir, ['config', 'user.name'], { input: 'x'.repeat(8 * 1024 * 1024) })).resolves.toBe('AI Company\n');
	});
	it("ignores a GIT_DIR (or any GIT_ variable) of the parent's environment: git works on the repository asked for", async () => {
		const dir = await repository();
		const other = await repository();
		const saved = process.env.GIT_DIR;
		process.env.GIT_DIR = join(other, '.git');
		try {
			expect((await runGit(dir, ['rev-parse', '--absolute-git-dir'])).trim()).toBe(join(dir, '.git'));
		} finally {
			if (saved === undefined) delete process.env.GIT_DIR;
			else process.env.GIT_DIR = saved;
		}
	});

	it("passes the rest of the parent's environment, and runs git without a terminal prompt, system or global config, in the C locale", async () => {
		const dir = await repository();
		process.env.RUN_GIT_TEST_VALUE = 'from-the-parent';
		try {
			// A shell alias prints the environment git runs in.
			const env = await runGit(dir, ['-c', 'alias.showenv=!printf "%s|%s|%s|%s|%s" "$RUN_GIT_TEST_VALUE" "$GIT_TERMINAL_PROMPT" "$GIT_CONFIG_NOSYSTEM" "$GIT_CONFIG_GLOBAL" "$LC_ALL"', 'showenv']);
			expect(env).toBe('from-the-parent|0|1|/dev/null|C');
		} finally {
			delete process.env.RUN_GIT_TEST_VALUE;
		}
	});
});

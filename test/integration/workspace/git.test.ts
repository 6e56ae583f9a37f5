import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../../runtime/errors';
import { commitAll, ensureLocalBareRepository, GitError, headCommit, initRepository, push, setRemote } from '../../../runtime/workspace/git';
import { createGitHubRepository, GitHubError, publishToGitHub } from '../../../runtime/workspace/github';
import { materializeFiles } from '../../../runtime/workspace/materialize';
import { FakeGitHubServer } from '../../support/fakeGitHubServer';

const TOKEN = 'ghp_faketoken1234567890';
const dirs: string[] = [];

function tempDir(label: string): string {
	const dir = mkdtempSync(join(tmpdir(), `git-test-${label}-`));
	dirs.push(dir);
	return dir;
}

/** git outside the code under test, ignoring the machine's config like the code does. */
function gitOut(cwd: string, ...args: string[]): string {
	return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: devNull } }).trim();
}

function bareRepository(): string {
	const bare = join(tempDir('bare'), 'remote.git');
	gitOut(tmpdir(), 'init', '--quiet', '--bare', '--initial-branch=main', bare);
	return bare;
}

afterAll(() => {
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('commits per task, pushed to a local bare repository', () => {
	it('shows each task\'s commit, by the AI Company identity, in a clone of the remote', async () => {
		const work = join(tempDir('work'), 'project');
		await initRepository(work);
		await materializeFiles(work, [{ path: 'package.json', content: '{ "name": "todo" }\n' }]);
		const first = await commitAll(work, 'T1: Set up the project');
		await materializeFiles(work, [{ path: 'src/login.js', content: 'module.exports = () => true;\n' }]);
		const second = await commitAll(work, 'T2: Add login endpoint');
		expect(first).toMatch(/^[0-9a-f]{40}$/);
		expect(second).toMatch(/^[0-9a-f]{40}$/);
		expect(await headCommit(work)).toBe(second);

		const bare = bareRepository();
		await setRemote(work, bare);
		await push(work, { branch: 'main' });

		const clone = join(tempDir('clone'), 'clone');
		gitOut(tmpdir(), 'clone', '--quiet', bare, clone);
		expect(gitOut(clone, 'log', '--format=%H %s', 'main').split('\n')).toEqual([`${second} T2: Add login endpoint`, `${first} T1: Set up the project`]);
		expect(gitOut(clone, 'log', '-1', '--format=%an <%ae> / %cn <%ce>')).toBe('AI Company <ai-company@localhost> / AI Company <ai-company@localhost>');
		expect(readFileSync(join(clone, 'src/login.js'), 'utf8')).toBe('module.exports = () => true;\n');
	});

	it('returns null and makes no commit when nothing changed', async () => {
		const work = tempDir('nochange');
		await initRepository(work);
		expect(await headCommit(work)).toBeNull();
		expect(await commitAll(work, 'T1: nothing yet')).toBeNull();
		await materializeFiles(work, [{ path: 'a.txt', content: 'a' }]);
		const sha = await commitAll(work, 'T1: Add a');
		await materializeFiles(work, [{ path: 'a.txt', content: 'a' }]);
		expect(await commitAll(work, 'T2: same content again')).toBeNull();
		expect(await headCommit(work)).toBe(sha);
	});

	it('fails with git\'s reason, not as "nothing to commit", when git refuses the commit', async () => {
		const work = tempDir('refused');
		await initRepository(work);
		await materializeFiles(work, [{ path: 'a.txt', content: 'a' }]);
		const error = await commitAll(work, 'T1: a', { author: { name: '', email: '' } }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(GitError);
		expect((error as GitError).stderr).toMatch(/empty ident name/);
		expect(await headCommit(work)).toBeNull();
	});

	it('pushes straight to a URL or path without a configured remote, and names the author when asked', async () => {
		const work = tempDir('direct');
		await initRepository(work, { branch: 'trunk' });
		await materializeFiles(work, [{ path: 'README.md', content: '# hi\n' }]);
		const sha = await commitAll(work, 'T3: Write the README', { author: { name: 'AI Developer', email: 'developer@ai-company.localhost' } });
		const bare = bareRepository();
		await push(work, { remote: bare, branch: 'trunk' });
		expect(gitOut(bare, 'rev-parse', 'refs/heads/trunk')).toBe(sha);
		expect(gitOut(bare, 'log', '-1', '--format=%an / %cn', 'trunk')).toBe('AI Developer / AI Company');
	});

	it('gives the same sha for the same files, message and date, so a rebuilt repository is identical', async () => {
		const build = async (label: string) => {
			const work = tempDir(label);
			await initRepository(work);
			await materializeFiles(work, [{ path: 'a.txt', content: 'a' }]);
			return commitAll(work, 'T1: a', { date: '2025-01-31T12:00:00Z' });
		};
		const first = await build('same1');
		expect(await build('same2')).toBe(first);
		await expect(commitAll(tempDir('baddate'), 'T1: a', { date: 'yesterday-ish' })).rejects.toMatchObject({ field: 'date' });
	});

	it('fails with git\'s own stderr when the push is impossible', async () => {
		const work = tempDir('badpush');
		await initRepository(work);
		await materializeFiles(work, [{ path: 'a.txt', content: 'a' }]);
		await commitAll(work, 'T1: a');
		const error = await push(work, { remote: join(tempDir('missing'), 'nope.git') }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(GitError);
		expect((error as GitError).stderr).toMatch(/does not appear to be a git repository|not found/i);
		expect((error as GitError).message).toMatch(/^git push failed \(exit \d+\): /);
	});

	it('refuses remote URLs that carry credentials, so they never land in .git/config', async () => {
		const work = tempDir('creds');
		await initRepository(work);
		await expect(setRemote(work, 'https://x-access-token:ghp_secret@github.com/a/b.git')).rejects.toThrow(InvalidInputError);
		expect(readFileSync(join(work, '.git/config'), 'utf8')).not.toContain('ghp_secret');
	});
});

describe('a local path as the remote base', () => {
	it('creates a missing bare repository whose branch is main, and leaves an existing folder as it is', async () => {
		const missing = join(tempDir('base'), 'nested', 'project.git');
		await ensureLocalBareRepository(missing);
		expect(gitOut(missing, 'rev-parse', '--is-bare-repository')).toBe('true');
		expect(gitOut(missing, 'symbolic-ref', 'HEAD')).toBe('refs/heads/main');

		const existing = tempDir('existing');
		await ensureLocalBareRepository(existing);
		expect(() => gitOut(existing, 'rev-parse', '--is-bare-repository')).toThrow();
		// A URL that is not a local path is not touched.
		await expect(ensureLocalBareRepository('https://example.com/x.git')).resolves.toBeUndefined();
	});

	it('takes a file:// URL as the same local path', async () => {
		const path = join(tempDir('fileurl'), 'p.git');
		await ensureLocalBareRepository(`file://${path}`);
		expect(gitOut(path, 'rev-parse', '--is-bare-repository')).toBe('true');
	});
});

describe('publishing to GitHub (a local fake speaking the REST API and git over HTTP)', () => {
	let github: FakeGitHubServer;
	beforeAll(async () => {
		github = await FakeGitHubServer.start({ token: TOKEN, login: 'ada', orgs: ['acme'] });
	});
	afterAll(() => github.close());

	async function committedProject(label: string): Promise<{ work: string; sha: string }> {
		const work = tempDir(label);
		await initRepository(work);
		await materializeFiles(work, [{ path: 'index.js', content: 'console.log("hi");\n' }]);
		return { work, sha: (await commitAll(work, 'T1: Say hi'))! };
	}

	it('creates the repository with the token (auto_init off), pushes with the token, and keeps the token out of .git/config', async () => {
		const { work, sha } = await committedProject('publish');
		const published = await publishToGitHub(work, { token: TOKEN, name: 'todo-api', baseUrl: github.apiUrl, description: 'Todo API' });

		expect(published).toEqual({
			owner: 'ada',
			name: 'todo-api',
			htmlUrl: `${github.url}/ada/todo-api`,
			cloneUrl: `${github.url}/ada/todo-api.git`,
			created: true,
			branch: 'main',
			commit: sha,
		});
		const create = github.requests.find((r) => r.method === 'POST' && r.path === '/api/v3/user/repos');
		expect(create).toMatchObject({ authorization: `token ${TOKEN}`, body: { name: 'todo-api', private: true, auto_init: false, description: 'Todo API' } });
		// The push itself went through with the token as basic auth...
		const pushRequest = github.requests.find((r) => r.path === '/ada/todo-api.git/git-receive-pack');
		expect(pushRequest?.authorization).toBe(`Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`);
		// ...and landed in the bare repository behind the server.
		expect(gitOut(github.barePath('ada', 'todo-api'), 'rev-parse', 'refs/heads/main')).toBe(sha);
		expect(gitOut(github.barePath('ada', 'todo-api'), 'log', '-1', '--format=%s', 'main')).toBe('T1: Say hi');
		const config = readFileSync(join(work, '.git/config'), 'utf8');
		expect(config).toContain(`url = ${github.url}/ada/todo-api.git`);
		expect(config).not.toContain(TOKEN);
		expect(config).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString('base64'));
	});

	it('names itself to the API, and takes a base URL with trailing slashes as the same API', async () => {
		const before = github.requests.length;
		await createGitHubRepository({ token: TOKEN, name: 'slashes', baseUrl: `${github.apiUrl}///` });
		const api = github.requests.slice(before).filter((r) => r.path.startsWith('/api/v3/'));
		expect(api.map((r) => `${r.method} ${r.path}`)).toContain('POST /api/v3/user/repos');
		for (const request of api) {
			expect(request.path).not.toContain('//');
			expect(request.userAgent).toMatch(/^n8n-nodes-ai-company /);
		}
	});

	it('creates the repository in an organisation when one is named', async () => {
		const { work, sha } = await committedProject('org');
		const published = await publishToGitHub(work, { token: TOKEN, name: 'shop', org: 'acme', baseUrl: github.apiUrl, private: false });
		expect(published).toMatchObject({ owner: 'acme', name: 'shop', commit: sha });
		expect(github.requests.find((r) => r.path === '/api/v3/orgs/acme/repos')?.body).toMatchObject({ name: 'shop', private: false, auto_init: false });
		expect(gitOut(github.barePath('acme', 'shop'), 'rev-parse', 'refs/heads/main')).toBe(sha);
	});

	it('fails with a clear error naming the refusal when the token is wrong, and creates nothing', async () => {
		const { work } = await committedProject('wrongtoken');
		const error = await publishToGitHub(work, { token: 'ghp_wrong', name: 'nope', baseUrl: github.apiUrl }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(GitHubError);
		expect(error).toMatchObject({ status: 401 });
		expect((error as Error).message).toMatch(/GitHub API 401 while creating repository "nope" at .*Bad credentials.*check that it is valid/);
		expect(github.requests.some((r) => r.path.startsWith('/nope'))).toBe(false);
	});

	it('refuses a push with a wrong token, saying the remote refused the credentials', async () => {
		await createGitHubRepository({ token: TOKEN, name: 'guarded', baseUrl: github.apiUrl });
		const { work } = await committedProject('wrongpush');
		await setRemote(work, `${github.url}/ada/guarded.git`);
		const error = await push(work, { token: 'ghp_wrong' }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(GitError);
		expect((error as Error).message).toMatch(/remote refused the credentials .*check that the token is valid/);
		expect((error as Error).message).not.toContain('ghp_wrong');
		expect(() => gitOut(github.barePath('ada', 'guarded'), 'rev-parse', '--verify', 'refs/heads/main')).toThrow();
	});

	it('says it cannot reach the API when nothing answers', async () => {
		const closed = await FakeGitHubServer.start({ token: TOKEN });
		const apiUrl = closed.apiUrl;
		await closed.close();
		const error = await createGitHubRepository({ token: TOKEN, name: 'x', baseUrl: apiUrl }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(GitHubError);
		expect(error).toMatchObject({ status: 0, message: expect.stringMatching(/^Cannot reach the GitHub API at http:\/\/127\.0\.0\.1:\d+\/api\/v3 while creating repository "x": .*ECONNREFUSED/) });
	});

	it('says the name is taken, or reuses the repository with existingOk (a retried publish)', async () => {
		const { work, sha } = await committedProject('retry');
		await createGitHubRepository({ token: TOKEN, name: 'again', baseUrl: github.apiUrl });
		await expect(publishToGitHub(work, { token: TOKEN, name: 'again', baseUrl: github.apiUrl })).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/exists already/) });
		const published = await publishToGitHub(work, { token: TOKEN, name: 'again', baseUrl: github.apiUrl, existingOk: true });
		expect(published).toMatchObject({ owner: 'ada', name: 'again', created: false, commit: sha });
		expect(gitOut(github.barePath('ada', 'again'), 'rev-parse', 'refs/heads/main')).toBe(sha);
	});
});

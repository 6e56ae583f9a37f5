import { execFile } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { devNull } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEFAULT_GIT_IDENTITY } from '../config/defaults';
import { AiCompanyError, InvalidInputError } from '../errors';
import { timePhase } from '../phaseTimes';
import { hasOptionLikeSshHost, parseRemote, RemoteProblem } from './remotes';

// Thin wrappers over the git CLI (execFile, no shell). Every call ignores the machine's global and
// system git config (no signing, hooks or URL rewrites of the operator's leaking in), runs no hooks,
// and never prompts; errors carry git's stderr.

export interface GitIdentity {
	name: string;
	email: string;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const BRANCH_PATTERN = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[A-Za-z0-9._\/-]{1,200}(?<![./]|\.lock)$/;
const AUTH_FAILURE = /Authentication failed|could not read Username|terminal prompts disabled|\b40[13]\b|Permission to .* denied/i;

/** git failed (answered 502). A push can fail on a network blip; a refused credential or a bad remote will not get better. */
export class GitError extends AiCompanyError {
	/** The arguments git was called with (never holding a credential). */
	readonly args: string[];
	readonly exitCode: number | null;
	readonly stderr: string;

	constructor(args: string[], exitCode: number | null, stderr: string, hint?: string) {
		const detail = stderr.trim() || 'no output';
		super(`git ${args[0]} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${detail}${hint ? `\n${hint}` : ''}`);
		this.name = 'GitError';
		this.args = args;
		this.exitCode = exitCode;
		this.stderr = stderr;
	}

	get kind(): string {
		return 'git';
	}

	get httpStatus(): number {
		return 502;
	}

	get retryable(): boolean {
		return !/refused the credentials|not found|does not appear/i.test(this.message);
	}
}

export interface InitOptions {
	/** The initial branch; default "main". */
	branch?: string;
	/** The committer set in the repository's own config; default DEFAULT_GIT_IDENTITY. */
	identity?: GitIdentity;
}

/** Makes `dir` (created if missing) a git repository with its own committer identity. Safe to repeat. */
export async function initRepository(dir: string, options: InitOptions = {}): Promise<void> {
	const branch = checkBranch(options.branch ?? 'main');
	const identity = options.identity ?? DEFAULT_GIT_IDENTITY;
	await mkdir(dir, { recursive: true });
	await runGit(dir, ['init', '--quiet', `--initial-branch=${branch}`]);
	await runGit(dir, ['config', 'user.name', identity.name]);
	await runGit(dir, ['config', 'user.email', identity.email]);
}

export interface CommitOptions {
	/** The author of this commit, e.g. the agent; the committer stays the repository's identity. */
	author?: GitIdentity;
	/** Author and committer date (ISO 8601 text or a Date); default now. The same files, message and date give the same sha. */
	date?: string | Date;
}

/**
 * Stages every change (new, changed and deleted files, .gitignore respected) and commits it with
 * `message`, e.g. "T2: Add login endpoint". Returns the new commit's sha, or null when there was
 * nothing to commit.
 */
export async function commitAll(dir: string, message: string, options: CommitOptions = {}): Promise<string | null> {
	if (typeof message !== 'string' || message.trim() === '') throw new InvalidInputError('message', 'must be a non-empty commit message');
	if (message.length > 10_000) throw new InvalidInputError('message', `is ${message.length} characters long; the limit is 10000`);
	const env: Record<string, string> = {};
	if (options.author) Object.assign(env, { GIT_AUTHOR_NAME: options.author.name, GIT_AUTHOR_EMAIL: options.author.email });
	if (options.date !== undefined) {
		const date = new Date(options.date);
		if (Number.isNaN(date.getTime())) throw new InvalidInputError('date', `must be a date, e.g. "2025-01-31T12:00:00Z", got ${JSON.stringify(options.date)}`);
		Object.assign(env, { GIT_AUTHOR_DATE: date.toISOString(), GIT_COMMITTER_DATE: date.toISOString() });
	}
	// Two git processes per commit, not four: publishing a project makes one commit per task, and
	// each process is a fork of the whole worker. The new sha is read from commit's own summary line.
	await runGit(dir, ['add', '--all']);
	let summary: string;
	try {
		summary = await runGit(dir, ['-c', 'core.abbrev=40', 'commit', '--no-verify', '--no-status', '--file=-'], { env, input: message });
	} catch (error) {
		// Exit 1 is also how commit says there was nothing to commit.
		if (error instanceof GitError && error.exitCode === 1 && (await runGit(dir, ['status', '--porcelain'])).trim() === '') return null;
		throw error;
	}
	const sha = /^\[[^\]\n]* ([0-9a-f]{40})\] /m.exec(summary)?.[1];
	return sha ?? (await runGit(dir, ['rev-parse', 'HEAD'])).trim();
}

/**
 * Clones the repository at `source` (a folder on this machine) into `dest`, which must not exist yet
 * or be empty: a plain `git clone`, as a client would make, with no hardlinks to the source's objects.
 */
export async function cloneRepository(source: string, dest: string, options: { branch?: string } = {}): Promise<void> {
	if (!source.startsWith('/') || !dest.startsWith('/')) throw new InvalidInputError('source', 'clone takes absolute folder paths on this machine');
	const branch = checkBranch(options.branch ?? 'main');
	await runGit(source, ['clone', '--quiet', '--no-local', '--no-hardlinks', `--branch=${branch}`, '--', source, dest]);
}

/** The sha of HEAD, or null in a repository without commits. */
export async function headCommit(dir: string): Promise<string | null> {
	try {
		return (await runGit(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).trim();
	} catch (error) {
		if (error instanceof GitError && error.exitCode === 1) return null;
		throw error;
	}
}

/** Points the remote `name` (default "origin") at `url`, adding it or changing it. */
export async function setRemote(dir: string, url: string, name = 'origin'): Promise<void> {
	checkRemoteUrl(url);
	if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) throw new InvalidInputError('remote', `must be a remote name like "origin", got ${JSON.stringify(name)}`);
	const remotes = (await runGit(dir, ['remote'])).split('\n');
	await runGit(dir, remotes.includes(name) ? ['remote', 'set-url', name, url] : ['remote', 'add', name, url]);
}

export interface PushOptions {
	/** A configured remote's name or a URL / local path (e.g. a bare repository); default "origin". */
	remote?: string;
	/** The branch pushed, to the branch of the same name; default "main". */
	branch?: string;
	/**
	 * For https remotes: sent as `Authorization: Basic x-access-token:<token>` (what GitHub accepts),
	 * through the environment only: never in .git/config, the command line or the remote URL.
	 */
	token?: string;
	force?: boolean;
	timeoutMs?: number;
}

/** Pushes `branch` to the remote. Throws a GitError carrying git's stderr, with a hint when the credentials were refused. */
export async function push(dir: string, options: PushOptions = {}): Promise<void> {
	const branch = checkBranch(options.branch ?? 'main');
	const remote = options.remote ?? 'origin';
	const remotes = (await runGit(dir, ['remote'])).split('\n');
	const url = remotes.includes(remote) ? (await runGit(dir, ['remote', 'get-url', remote])).trim() : remote;
	if (!remotes.includes(remote)) checkRemoteUrl(url, 'remote');
	const env: Record<string, string> = {};
	const secrets: string[] = [];
	if (options.token !== undefined) {
		if (!/^https?:\/\//i.test(url)) throw new InvalidInputError('token', `is only sent to http(s) remotes; "${url}" is not one`);
		if (!/^[\x21-\x7e]+$/.test(options.token)) throw new InvalidInputError('token', 'must be visible ASCII characters without spaces');
		const basic = Buffer.from(`x-access-token:${options.token}`).toString('base64');
		secrets.push(options.token, basic);
		// Scoped to this remote's URL, and no credential helper gets a chance to store or replace it.
		Object.assign(env, {
			GIT_CONFIG_COUNT: '2',
			GIT_CONFIG_KEY_0: `http.${url}.extraHeader`,
			GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
			GIT_CONFIG_KEY_1: 'credential.helper',
			GIT_CONFIG_VALUE_1: '',
		});
	}
	const args = ['push', '--no-verify', ...(options.force ? ['--force'] : []), remote, `refs/heads/${branch}:refs/heads/${branch}`];
	try {
		await runGit(dir, args, { env, secrets, timeoutMs: options.timeoutMs });
	} catch (error) {
		if (error instanceof GitError && AUTH_FAILURE.test(error.stderr)) {
			throw new GitError(error.args, error.exitCode, error.stderr, `The remote refused the credentials for ${redactUrl(url)}: ${options.token === undefined ? 'it needs a token' : 'check that the token is valid and may push to this repository'}.`);
		}
		throw error;
	}
}

interface GitCallOptions {
	env?: Record<string, string>;
	input?: string;
	/** Values removed from any error text, should git ever echo them. */
	secrets?: string[];
	timeoutMs?: number;
}

/** Runs git in `dir` and returns its stdout; throws a GitError with its stderr when it fails. */
export function runGit(dir: string, args: string[], options: GitCallOptions = {}): Promise<string> {
	return timePhase('git', () => gitProcess(dir, args, options));
}

function gitProcess(dir: string, args: string[], options: GitCallOptions): Promise<string> {
	const env: NodeJS.ProcessEnv = {};
	// GIT_DIR, GIT_INDEX_FILE, ... set by a calling hook or shell would point git at another repository.
	for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
	Object.assign(env, { GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: devNull, LC_ALL: 'C' }, options.env);
	const fullArgs = ['-c', `core.hooksPath=${devNull}`, '-c', 'core.fsmonitor=false', ...args];
	return new Promise((resolve, reject) => {
		const child = execFile(
			'git',
			fullArgs,
			{ cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, killSignal: 'SIGKILL' },
			(error, stdout, stderr) => {
				if (!error) return resolve(stdout);
				const redact = (text: string) => (options.secrets ?? []).reduce((t, s) => (s ? t.split(s).join('***') : t), text);
				const code = typeof error.code === 'number' ? error.code : null;
				const why = error.killed ? `${stderr}\n(killed after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms)` : stderr || error.message;
				reject(new GitError(args, code, redact(why)));
			},
		);
		// git may exit without reading stdin (EPIPE); its exit status is what counts.
		child.stdin?.on('error', () => undefined);
		child.stdin?.end(options.input);
	});
}

function checkBranch(branch: string): string {
	if (!BRANCH_PATTERN.test(branch)) throw new InvalidInputError('branch', `must be a branch name like "main", got ${JSON.stringify(branch)}`);
	return branch;
}

function checkRemoteUrl(url: string, field = 'url'): void {
	if (typeof url !== 'string' || url.trim() === '' || url.startsWith('-')) {
		throw new InvalidInputError(field, `must be a repository URL or path, got ${JSON.stringify(url)}`);
	}
	// ssh would read such a host as an option (-oProxyCommand=…): refused here, not left to git.
	if (hasOptionLikeSshHost(url)) throw new InvalidInputError(field, `has an ssh user or host beginning with "-", which ssh would read as an option: ${JSON.stringify(url)}`);
	if (/^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(url)) {
		throw new InvalidInputError(field, `must not carry credentials (they would be stored in .git/config); pass a token to push() instead: ${redactUrl(url)}`);
	}
}

function redactUrl(url: string): string {
	return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}

/**
 * For a remote on this machine (an absolute path or file:// URL) that does not exist yet: creates it
 * as a bare repository, so `GIT_REMOTE_BASE=/srv/git` works without preparing one per project.
 * Remote URLs of other kinds are left to their server.
 */
export async function ensureLocalBareRepository(url: string): Promise<void> {
	if (!url.startsWith('file://') && !url.startsWith('/')) return;
	// Whether the remote is one the operator allows was decided with the configuration at hand
	// (config/projectSettings.ts); here, before creating folders, at least nothing that climbs out.
	try {
		parseRemote(url);
	} catch (error) {
		if (error instanceof RemoteProblem) throw new InvalidInputError('url', error.problem);
		throw error;
	}
	const path = url.startsWith('file://') ? fileURLToPath(url) : url;
	try {
		await stat(path);
		return;
	} catch {
		// Missing: create it below.
	}
	await mkdir(path, { recursive: true });
	await runGit(path, ['init', '--quiet', '--bare', '--initial-branch=main']);
}

import { execFile } from 'node:child_process';
import { appendFile, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { devNull, homedir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_GIT_IDENTITY } from '../config/defaults';
import { AiCompanyError, InvalidInputError } from '../errors';
import { timePhase } from '../phaseTimes';
import { materializeFiles } from './materialize';
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
	/** git's --template; "" for none (no sample hooks or info/exclude: a throwaway build needs neither); default git's own. */
	template?: string;
}

/** Makes `dir` (created if missing) a git repository with its own committer identity. Safe to repeat. */
export async function initRepository(dir: string, options: InitOptions = {}): Promise<void> {
	const branch = checkBranch(options.branch ?? 'main');
	const identity = options.identity ?? DEFAULT_GIT_IDENTITY;
	await mkdir(dir, { recursive: true });
	const fresh = !(await exists(join(dir, '.git')));
	await runGit(dir, ['init', '--quiet', `--initial-branch=${branch}`, ...(options.template === undefined ? [] : [`--template=${options.template}`])]);
	if (fresh && !/[\x00-\x1f\x7f]/.test(identity.name + identity.email)) {
		// A new repository's config is the one git init just wrote: the identity is appended to it
		// as `git config` would set it, without a git process for each of the two values.
		await appendFile(join(dir, '.git', 'config'), `[user]\n\tname = ${configValue(identity.name)}\n\temail = ${configValue(identity.email)}\n`);
		return;
	}
	await runGit(dir, ['config', 'user.name', identity.name]);
	await runGit(dir, ['config', 'user.email', identity.email]);
}

/** A value (without control characters) as git's config file reads it back exactly: quoted, \\ and " escaped. */
function configValue(value: string): string {
	return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

async function exists(path: string): Promise<boolean> {
	return stat(path).then(
		() => true,
		() => false,
	);
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

export interface HistoryCommit {
	/** Written into the working tree (materializeFiles) before this commit. */
	files: ReadonlyArray<{ path: string; content: string }>;
	message: string;
	/** Author and committer date. */
	date: string | Date;
	/** Names the files in errors, e.g. "tasks.T1.files"; default "files". */
	field?: string;
}

/**
 * Makes `dir`, which must not hold anything yet, a new repository (initRepository) and, for each
 * entry in order, writes its files into the working tree and commits everything as commitAll does,
 * returning each commit's sha (null where nothing changed). The commits, shas included, and the
 * working tree and index left behind are those of initRepository, materializeFiles and commitAll
 * one by one; but a run of commits that `git add --all` cannot judge differently from the files
 * given (no .gitignore or .gitattributes in the tree yet, no ignore or attributes file of the
 * repository or the user) is written by one `git fast-import`, not two git processes per commit:
 * each git process is a fork of the whole worker, and publishing builds a project's history twice.
 */
export async function commitHistory(dir: string, commits: readonly HistoryCommit[], options: InitOptions = {}): Promise<Array<string | null>> {
	const identity = options.identity ?? DEFAULT_GIT_IDENTITY;
	const branch = checkBranch(options.branch ?? 'main');
	const checked = commits.map((commit, i) => ({ ...commit, message: checkMessage(commit.message), date: commitDate(commit.date), field: commit.field ?? `commits[${i}].files` }));
	if ((await readdir(dir).catch(() => [])).length) throw new InvalidInputError('dir', `"${dir}" is not empty: a history is built in a new folder`);
	// Without git's template files: copying them (and removing them again) cost more than the commits.
	await initRepository(dir, { branch, identity, template: '' });
	let fast = await nothingIgnoredBy(dir, identity);
	const tree = new Map<string, string>();
	const pending: FastCommit[] = [];
	const shas: Array<string | null> = [];
	const flush = async () => {
		if (!pending.length) return;
		const written = await fastImport(dir, branch, identity, pending.splice(0));
		for (const [index, sha] of written) shas[index] = sha;
		// What commitAll leaves: an index matching the last commit.
		await runGit(dir, ['read-tree', `refs/heads/${branch}`]);
	};
	for (const [index, commit] of checked.entries()) {
		const paths = await materializeFiles(dir, commit.files, { field: commit.field });
		const changed = paths.map((path, i) => [path, commit.files[i].content] as const).filter(([path, content]) => tree.get(path) !== content);
		for (const [path, content] of changed) tree.set(path, content);
		const message = stripspace(commit.message);
		fast &&= message !== '' && !message.includes('\0') && ![...tree.keys()].some((path) => JUDGED_BY_GIT.has(basename(path)));
		if (fast) {
			shas[index] = null;
			if (changed.length) pending.push({ index, message, seconds: Math.floor(commit.date.getTime() / 1000), files: changed });
			continue;
		}
		await flush();
		shas[index] = await commitAll(dir, commit.message, { date: commit.date });
	}
	await flush();
	return shas;
}

/** Files whose presence makes `git add --all` take something other than every file given. */
const JUDGED_BY_GIT = new Set(['.gitignore', '.gitattributes']);

interface FastCommit {
	/** Its place in the history given. */
	index: number;
	/** Cleaned up as `git commit` cleans it (stripspace). */
	message: string;
	seconds: number;
	files: ReadonlyArray<readonly [string, string]>;
}

function checkMessage(message: string): string {
	if (typeof message !== 'string' || message.trim() === '') throw new InvalidInputError('message', 'must be a non-empty commit message');
	if (message.length > 10_000) throw new InvalidInputError('message', `is ${message.length} characters long; the limit is 10000`);
	return message;
}

function commitDate(value: string | Date): Date {
	const date = new Date(value);
	if (Number.isNaN(date.getTime())) throw new InvalidInputError('date', `must be a date, e.g. "2025-01-31T12:00:00Z", got ${JSON.stringify(value)}`);
	return date;
}

/**
 * Whether nothing but the working tree's own files could make `git add --all` leave a file out or
 * change its content: the repository's info/exclude holds no pattern (git's template has only
 * comments), it has no info/attributes, the user has no global ignore or attributes file (git reads
 * those despite GIT_CONFIG_GLOBAL), and the identity is one git takes as it is.
 */
async function nothingIgnoredBy(dir: string, identity: GitIdentity): Promise<boolean> {
	// git trims such characters from the ends of a name or address and refuses <, > and newlines in them.
	const crud = /^[\x00-\x20<>.,:;"'\\]|[\x00-\x20<>.,:;"'\\]$|[<>\n\0]/;
	if (!identity.name || !identity.email || crud.test(identity.name) || crud.test(identity.email)) return false;
	const exclude = await readFile(join(dir, '.git', 'info', 'exclude'), 'utf8').catch(() => '');
	if (exclude.split('\n').some((line) => line.trim() !== '' && !line.startsWith('#'))) return false;
	const config = process.env.XDG_CONFIG_HOME || join(process.env.HOME || homedir(), '.config');
	for (const path of [join(dir, '.git', 'info', 'attributes'), join(config, 'git', 'ignore'), join(config, 'git', 'attributes')]) if (await exists(path)) return false;
	return true;
}

/** The commits in one `git fast-import` on `branch`; their shas by their index. */
async function fastImport(dir: string, branch: string, identity: GitIdentity, commits: FastCommit[]): Promise<Map<number, string>> {
	const marks = join(dir, '.git', `fast-import-marks-${process.pid}`);
	const parts: string[] = [];
	const data = (text: string) => parts.push(`data ${Buffer.byteLength(text, 'utf8')}\n`, text, '\n');
	for (const commit of commits) {
		const who = `${identity.name} <${identity.email}> ${commit.seconds} +0000`;
		parts.push(`commit refs/heads/${branch}\nmark :${commit.index + 1}\nauthor ${who}\ncommitter ${who}\n`);
		data(commit.message);
		for (const [path, content] of commit.files) {
			parts.push(`M 100644 inline ${quotePath(path)}\n`);
			data(content);
		}
	}
	parts.push('done\n');
	try {
		await runGit(dir, ['fast-import', '--quiet', '--done', `--export-marks=${marks}`], { input: parts.join('') });
		const shas = new Map<number, string>();
		for (const line of (await readFile(marks, 'utf8')).split('\n')) {
			const mark = /^:(\d+) ([0-9a-f]{40})$/.exec(line);
			if (mark) shas.set(Number(mark[1]) - 1, mark[2]);
		}
		return shas;
	} finally {
		await rm(marks, { force: true });
	}
}

/** A path as fast-import reads it: C-style quoted, so a leading quote or a space at the end stays the path's. */
function quotePath(path: string): string {
	return `"${path.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\x00-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)}"`;
}

/**
 * The message as `git commit --file=-` stores it (cleanup mode "whitespace"): trailing whitespace
 * cut from every line, runs of empty lines made one, none at the start or end, ending in a newline.
 */
export function stripspace(message: string): string {
	const lines: string[] = [];
	let empties = 0;
	for (const line of message.split('\n')) {
		const kept = line.replace(/[ \t\n\r]+$/, '');
		if (!kept) {
			empties++;
			continue;
		}
		if (empties > 0 && lines.length) lines.push('');
		empties = 0;
		lines.push(kept);
	}
	return lines.length ? `${lines.join('\n')}\n` : '';
}

/**
 * Clones the repository at `source` (a folder on this machine) into `dest`, which must not exist yet
 * or be empty: a plain `git clone`, as a client would make, with no hardlinks to the source's objects,
 * and without git's template files in its .git (sample hooks, info/exclude: nothing that changes
 * what is checked out; copying them was a third of the clone's cost).
 */
export async function cloneRepository(source: string, dest: string, options: { branch?: string } = {}): Promise<void> {
	if (!source.startsWith('/') || !dest.startsWith('/')) throw new InvalidInputError('source', 'clone takes absolute folder paths on this machine');
	const branch = checkBranch(options.branch ?? 'main');
	await runGit(source, ['clone', '--quiet', '--no-local', '--no-hardlinks', '--template=', `--branch=${branch}`, '--', source, dest]);
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
	// A path or URL (a "/" first, or a ":") cannot be a remote's name: no git process to list them.
	const remotes = remote.startsWith('/') || remote.includes(':') ? [] : (await runGit(dir, ['remote'])).split('\n');
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

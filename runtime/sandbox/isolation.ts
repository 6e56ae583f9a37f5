import { execFile } from 'node:child_process';
import { constants, existsSync, statSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

// What keeps generated code in its place: the environment it sees, bubblewrap's namespaces when
// they work on this machine, Node's permission model when they do not.

// Passed through from the parent's environment; everything else is dropped.
const ALLOWED_ENV = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ'];
// Never passed, even when the caller asks: secrets and the services this package talks to.
const SECRET_ENV_NAME = /KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE/i;
const SERVICE_ENV_NAME = /^(N8N_|OLLAMA_|REDIS_|BULLMQ_|GITHUB_|GH_|AWS_|NPM_CONFIG_)/i;

/** The environment a sandboxed command gets: an allow-list, a private HOME and TMPDIR, and the caller's extras minus anything secret-looking. */
export function sandboxEnv(home: string, tmp: string, extra: Record<string, string> = {}): Record<string, string> {
	const env: Record<string, string> = {};
	for (const name of ALLOWED_ENV) {
		const value = process.env[name];
		if (value !== undefined) env[name] = value;
	}
	env.PATH ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
	env.LANG ??= 'C.UTF-8';
	Object.assign(env, { HOME: home, TMPDIR: tmp, CI: 'true', NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1' });
	for (const [name, value] of Object.entries(extra)) {
		if (!SECRET_ENV_NAME.test(name) && !SERVICE_ENV_NAME.test(name) && typeof value === 'string') env[name] = value;
	}
	return env;
}

export interface BubblewrapProbe {
	/** The bwrap binary when it works here, else null. */
	path: string | null;
	/** Why it does not, e.g. "bwrap is not installed" or bwrap's own error. */
	problem?: string;
}

let probe: Promise<BubblewrapProbe> | undefined;

/**
 * Whether bwrap is installed and can create the namespaces the sandbox uses (it cannot in many
 * containers, or where unprivileged user namespaces are off). Probed once per process.
 */
export function probeBubblewrap(): Promise<BubblewrapProbe> {
	probe ??= (async () => {
		const path = await findOnPath('bwrap');
		if (!path) return { path: null, problem: 'bwrap is not installed (on PATH)' };
		return new Promise<BubblewrapProbe>((resolve) => {
			execFile(path, [...bubblewrapBaseArgs(), '--', 'true'], { timeout: 10_000, env: { PATH: process.env.PATH ?? '' } }, (error, _stdout, stderr) => {
				resolve(error ? { path: null, problem: `${path} cannot create its sandbox here: ${String(stderr).trim() || error.message}` } : { path });
			});
		});
	})();
	return probe;
}

/** The bwrap binary when it works here, else null. */
export async function detectBubblewrap(): Promise<string | null> {
	return (await probeBubblewrap()).path;
}

function bubblewrapBaseArgs(): string[] {
	return [
		'--die-with-parent',
		'--unshare-net',
		'--unshare-pid',
		'--unshare-ipc',
		'--unshare-uts',
		'--unshare-cgroup-try',
		// Run as root, bwrap would keep every capability, and the command could remount / writable.
		'--cap-drop',
		'ALL',
		'--ro-bind',
		'/',
		'/',
		'--dev',
		'/dev',
		'--proc',
		'/proc',
	];
}

/**
 * bwrap arguments for running in `workspace` with `scratch` (HOME and TMPDIR) writable: the whole
 * file system read-only, a private empty /tmp, no network, own process tree. The workspace's .git
 * stays read-only (git would otherwise run hooks or config the tests planted), and the operator's
 * credential folders are hidden.
 */
export function bubblewrapArgs(workspace: string, scratch: string): string[] {
	const hidden = hiddenPaths();
	const emptied = ['/tmp', ...hidden.folders];
	const args = [...bubblewrapBaseArgs()];
	for (const folder of emptied) args.push('--tmpfs', folder);
	for (const file of hidden.files) args.push('--ro-bind', '/dev/null', file);
	args.push('--bind', workspace, workspace);
	if (existsSync(join(workspace, '.git'))) args.push('--ro-bind', join(workspace, '.git'), join(workspace, '.git'));
	args.push('--bind', scratch, scratch);
	// The emptied folders are read-only too, so a workspace that lives inside one cannot write next to itself.
	for (const folder of emptied) args.push('--remount-ro', folder);
	args.push('--chdir', workspace);
	return args;
}

function hiddenPaths(): { folders: string[]; files: string[] } {
	const home = homedir();
	const candidates = ['.ssh', '.gnupg', '.aws', '.docker', '.kube', '.n8n', '.config/gh', '.git-credentials', '.netrc', '.npmrc', '.pypirc'].map((name) => join(home, name));
	if (process.env.N8N_USER_FOLDER) candidates.push(join(process.env.N8N_USER_FOLDER, '.n8n'));
	const folders: string[] = [];
	const files: string[] = [];
	for (const path of new Set(candidates)) {
		try {
			(statSync(path).isDirectory() ? folders : files).push(path);
		} catch {
			// not there: nothing to hide
		}
	}
	return { folders, files };
}

/**
 * Node's permission model flags (`--experimental-permission` on Node 20, `--permission` from 22):
 * reads and writes only in `folders`, so neither the operator's files (~/.n8n/config, keys) nor
 * anything outside can be touched; no child processes, workers or native addons.
 */
export function nodePermissionArgs(folders: string[]): string[] {
	const flags = process.allowedNodeEnvironmentFlags;
	const args = [flags.has('--permission') ? '--permission' : '--experimental-permission'];
	for (const path of folders) args.push(`--allow-fs-read=${path}`, `--allow-fs-write=${path}`);
	if (flags.has('--disable-warning')) args.push('--disable-warning=ExperimentalWarning');
	return args;
}

async function findOnPath(name: string): Promise<string | null> {
	for (const dir of (process.env.PATH ?? '').split(delimiter)) {
		if (!dir) continue;
		const candidate = join(dir, name);
		try {
			await access(candidate, constants.X_OK);
			return candidate;
		} catch {
			// try the next folder
		}
	}
	return null;
}

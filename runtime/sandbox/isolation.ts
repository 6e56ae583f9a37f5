import { execFile } from 'node:child_process';
import { constants, existsSync, lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join, sep } from 'node:path';
import type { SandboxLimits as ReportedLimits } from '../contracts/testReport';
import { allocateUid, isRoot, releaseUid } from './identity';

// What keeps generated code in its place: the environment it sees, the limits on each of its
// processes, bubblewrap's namespaces when they work on this machine, Node's permission model when
// they do not.

// Passed through from the parent's environment; everything else is dropped.
const ALLOWED_ENV = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ'];

/**
 * Names never passed to a sandboxed command, even when the caller asks: secrets, and the services
 * this package talks to. One entry per rule, so each can be tested on its own.
 */
export const SECRET_ENV_NAME_PATTERNS: readonly RegExp[] = [
	/KEY/i,
	/TOKEN/i,
	/SECRET/i,
	/PASSW/i,
	/PASSPHRASE/i,
	/CREDENTIAL/i,
	/AUTH/i,
	/COOKIE/i,
	/SESSION/i,
	/PRIVATE/i,
	/DATABASE_URL|DB_URL|_DSN$|^DSN$|CONNECTION_STRING/i,
	/^N8N_/i,
	/^OLLAMA_/i,
	/^REDIS_/i,
	/^BULLMQ_/i,
	/^GITHUB_/i,
	/^GH_/i,
	/^AWS_/i,
	/^NPM_CONFIG_/i,
	/^(PG|MYSQL_|MONGO)/i,
];

// A value like scheme://user:password@host carries a password whatever the variable is called.
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i;

/** Whether `name` (with `value`) is kept out of a sandboxed command's environment. */
export function isSecretEnv(name: string, value = ''): boolean {
	return SECRET_ENV_NAME_PATTERNS.some((pattern) => pattern.test(name)) || URL_WITH_PASSWORD.test(value);
}

/** The environment a sandboxed command gets: an allow-list, a private HOME and TMPDIR, and the caller's extras minus anything secret-looking. */
export function sandboxEnv(home: string, tmp: string, extra: Record<string, string> = {}): Record<string, string> {
	const env: Record<string, string> = {};
	for (const name of ALLOWED_ENV) {
		const value = process.env[name];
		if (value !== undefined && !isSecretEnv(name, value)) env[name] = value;
	}
	env.PATH ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
	env.LANG ??= 'C.UTF-8';
	Object.assign(env, { HOME: home, TMPDIR: tmp, USER: 'sandbox', LOGNAME: 'sandbox', CI: 'true', NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1' });
	for (const [name, value] of Object.entries(extra)) {
		if (typeof value === 'string' && !isSecretEnv(name, value)) env[name] = value;
	}
	return env;
}

// ---------------------------------------------------------------------------------------------
// Limits

/** Every limit, null where not set. */
export type SandboxLimits = Required<ReportedLimits>;

/**
 * Per process (each process of the run gets them, they are not shared): memory is RLIMIT_DATA
 * (heap and private writable mappings; unlike RLIMIT_AS it leaves V8's and WebAssembly's address
 * space reservations alone), processes is RLIMIT_NPROC (threads count), CPU seconds RLIMIT_CPU.
 */
export const DEFAULT_LIMITS: Omit<SandboxLimits, 'cpuSeconds'> = {
	memoryBytes: 2 * 1024 ** 3,
	processes: 512,
	fileSizeBytes: 1024 ** 3,
	openFiles: 4096,
};

/** The limits for a run of `timeoutMs`: the defaults, CPU time twice the wall-clock limit (two cores busy all along), the caller's overrides. */
export function limitsFor(timeoutMs: number, overrides: Partial<SandboxLimits> = {}): SandboxLimits {
	return { ...DEFAULT_LIMITS, cpuSeconds: Math.ceil(timeoutMs / 1000) * 2 + 1, ...overrides };
}

/** prlimit(1) options setting `limits` (hard = soft; CPU gets one second of grace between SIGXCPU and SIGKILL); no core dumps. */
export function prlimitArgs(limits: SandboxLimits): string[] {
	const args: string[] = [];
	if (limits.memoryBytes !== null) args.push(`--data=${limits.memoryBytes}`);
	if (limits.processes !== null) args.push(`--nproc=${limits.processes}`);
	if (limits.cpuSeconds !== null) args.push(`--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`);
	if (limits.fileSizeBytes !== null) args.push(`--fsize=${limits.fileSizeBytes}`);
	if (limits.openFiles !== null) args.push(`--nofile=${limits.openFiles}`);
	args.push('--core=0');
	return args;
}

// ---------------------------------------------------------------------------------------------
// Tools and paths

const SYSTEM_BIN = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const tools = new Map<string, Promise<string | null>>();

/** The executable `name` on PATH (or in the usual system folders), as a real path; null when there is none. */
export function findTool(name: string): Promise<string | null> {
	let found = tools.get(name);
	if (!found) {
		found = (async () => {
			const dirs = [...(process.env.PATH ?? '').split(delimiter), ...SYSTEM_BIN].filter((dir) => dir.startsWith('/'));
			for (const dir of new Set(dirs)) {
				const candidate = join(dir, name);
				try {
					await access(candidate, constants.X_OK);
					if (statSync(candidate).isFile()) return realpathSync(candidate);
				} catch {
					// try the next folder
				}
			}
			return null;
		})();
		tools.set(name, found);
	}
	return found;
}

/** `command` as an absolute path: itself when it has a slash, else looked up on `path`. null when not found. */
export function resolveCommand(command: string, path: string): string | null {
	if (command.includes('/')) return command.startsWith('/') && existsSync(command) ? command : null;
	for (const dir of path.split(delimiter)) {
		if (!dir.startsWith('/')) continue;
		const candidate = join(dir, command);
		try {
			if (statSync(candidate).isFile()) return candidate;
		} catch {
			// not here
		}
	}
	return null;
}

/**
 * Whether `uid` (with no supplementary groups: the sandbox's own uid) can reach `path`: every folder
 * above it searchable, and the path itself readable (`need: 'read'`; a folder: searchable) or
 * executable (`need: 'exec'`), by its owner's bits when `uid` owns it, else by the bits for others.
 * ACLs are not considered.
 */
export function uidCanReach(path: string, uid: number, need: 'read' | 'exec' = 'read'): boolean {
	const allows = (dir: string, bit: 'x' | 'r') => {
		const stat = statSync(dir);
		const shift = stat.uid === uid ? 6 : 0;
		return (stat.mode & ((bit === 'x' ? 0o1 : 0o4) << shift)) !== 0;
	};
	try {
		const real = realpathSync(path);
		const parts = real.split(sep).filter(Boolean);
		for (let i = 0; i < parts.length; i++) {
			if (!allows(sep + parts.slice(0, i).join(sep), 'x')) return false;
		}
		const isDir = statSync(real).isDirectory();
		return allows(real, isDir || need === 'exec' ? 'x' : 'r');
	} catch {
		return false;
	}
}

const SYSTEM_ROOTS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/**
 * What must be bound for `executable` to run inside bubblewrap when it lives outside /usr: the
 * prefix it was installed in (the folder above its bin/, e.g. ~/.nvm/versions/node/v22), or only
 * its own folder when that prefix would be a home folder or the root. Empty under /usr and co.
 */
export function prefixToBind(executable: string): string[] {
	let real: string;
	try {
		real = realpathSync(executable);
	} catch {
		return [];
	}
	if (SYSTEM_ROOTS.some((root) => real === root || real.startsWith(`${root}/`))) return [];
	const bin = dirname(real);
	const prefix = dirname(bin);
	const tooWide = prefix === '/' || prefix === homedir() || prefix === '/root' || prefix === '/home' || dirname(prefix) === '/home' || prefix.split('/').length < 3;
	return [tooWide ? bin : prefix];
}

// ---------------------------------------------------------------------------------------------
// Bubblewrap

/** A mount inside the sandbox: `source` on this machine (possibly a staged copy of the mount) at `dest` inside. */
export interface Bind {
	source: string;
	dest: string;
	writable: boolean;
}

export interface BubblewrapFeatures {
	/** bwrap 0.8+: no user namespaces inside the sandbox. */
	disableUserns: boolean;
	/** bwrap 0.6+: a size for a tmpfs. */
	tmpfsSize: boolean;
}

export interface BubblewrapLayout {
	/** The command's working folder, the same path inside. */
	cwd: string;
	binds: Bind[];
	/** The uid and gid the command has inside (its user namespace maps them to the uid that runs bwrap). */
	uid: number;
	gid: number;
	/** Files to show as /etc/passwd and /etc/group inside (naming `uid`, so tools that look themselves up work). */
	passwd: string;
	group: string;
	features: BubblewrapFeatures;
}

// The few files of /etc a runner needs: the dynamic linker's cache, name resolution (loopback
// only: there is no network), certificates, time zone, alternatives and Python's site config.
const ETC_ENTRIES = ['ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'hosts', 'host.conf', 'nsswitch.conf', 'gai.conf', 'resolv.conf', 'localtime', 'timezone', 'ssl', 'ca-certificates', 'pki', 'crypto-policies', 'alternatives', 'mime.types', 'os-release', 'protocols', 'services'];

/** The system folders bwrap binds read-only (symlinks such as /bin -> usr/bin recreated as symlinks), and the few /etc files. */
export function systemBinds(): { binds: Bind[]; symlinks: Array<{ target: string; path: string }> } {
	const binds: Bind[] = [];
	const symlinks: Array<{ target: string; path: string }> = [];
	for (const root of SYSTEM_ROOTS) {
		try {
			const stat = lstatSync(root);
			if (stat.isSymbolicLink()) symlinks.push({ target: readlinkSync(root), path: root });
			else if (stat.isDirectory()) binds.push({ source: root, dest: root, writable: false });
		} catch {
			// not on this system
		}
	}
	let etc: string[] = [];
	try {
		etc = readdirSync('/etc');
	} catch {
		// no /etc to speak of
	}
	const wanted = new Set(ETC_ENTRIES);
	for (const name of etc.sort()) {
		if (!wanted.has(name) && !/^python3(\.\d+)?$/.test(name)) continue;
		try {
			binds.push({ source: realpathSync(join('/etc', name)), dest: join('/etc', name), writable: false });
		} catch {
			// a dangling link
		}
	}
	return { binds, symlinks };
}

/**
 * bwrap arguments: a root that holds nothing but the system folders, a few /etc files, and the
 * binds given (no /home, /root, /var, /run, /opt or /srv: host unix sockets there cannot be
 * reached); empty read-only /tmp, /var/tmp and /run; private /dev and /proc; no network, own PID,
 * IPC and UTS namespaces; all capabilities dropped; the root read-only. The workspace's .git stays
 * read-only (git would otherwise run hooks or config the tests planted), and credential folders
 * inside a bound folder are hidden.
 */
export function bubblewrapArgs(layout: BubblewrapLayout): string[] {
	const args = [
		'--unshare-user',
		'--uid',
		String(layout.uid),
		'--gid',
		String(layout.gid),
		...(layout.features.disableUserns ? ['--disable-userns'] : []),
		'--die-with-parent',
		'--unshare-net',
		'--unshare-pid',
		'--unshare-ipc',
		'--unshare-uts',
		'--unshare-cgroup-try',
		'--hostname',
		'sandbox',
		'--cap-drop',
		'ALL',
	];
	const system = systemBinds();
	for (const bind of system.binds) args.push('--ro-bind', bind.source, bind.dest);
	for (const link of system.symlinks) args.push('--symlink', link.target, link.path);
	args.push('--ro-bind', layout.passwd, '/etc/passwd', '--ro-bind', layout.group, '/etc/group');
	args.push('--dev', '/dev', '--proc', '/proc');
	const emptied = ['/tmp', '/var/tmp', '/run'];
	for (const folder of emptied) args.push('--tmpfs', folder);
	args.push('--symlink', '../run', '/var/run');
	// Python's multiprocessing needs a writable /dev/shm; it is private, and small where bwrap can size it.
	if (layout.features.tmpfsSize) args.push('--perms', '1777', '--size', String(64 * 1024 * 1024), '--tmpfs', '/dev/shm');
	for (const bind of layout.binds) args.push(bind.writable ? '--bind' : '--ro-bind', bind.source, bind.dest);
	for (const hidden of hiddenPaths()) {
		if (!layout.binds.some((bind) => hidden.path.startsWith(`${bind.dest}/`))) continue;
		if (hidden.folder) args.push('--tmpfs', hidden.path, '--remount-ro', hidden.path);
		else args.push('--ro-bind', '/dev/null', hidden.path);
	}
	// The emptied folders are read-only too, so a workspace that lives inside one cannot write next to itself.
	for (const folder of emptied) args.push('--remount-ro', folder);
	args.push('--remount-ro', '/', '--chdir', layout.cwd);
	return args;
}

function hiddenPaths(): Array<{ path: string; folder: boolean }> {
	const home = homedir();
	const candidates = ['.ssh', '.gnupg', '.aws', '.docker', '.kube', '.n8n', '.config/gh', '.git-credentials', '.netrc', '.npmrc', '.pypirc'].map((name) => join(home, name));
	if (process.env.N8N_USER_FOLDER) candidates.push(join(process.env.N8N_USER_FOLDER, '.n8n'));
	const found: Array<{ path: string; folder: boolean }> = [];
	for (const path of new Set(candidates)) {
		try {
			found.push({ path, folder: statSync(path).isDirectory() });
		} catch {
			// not there: nothing to hide
		}
	}
	return found;
}

/**
 * As root, bwrap itself runs as the run's own unprivileged uid (see identity.ts): run as root it
 * would map the sandbox's uid to root, and the tests could read every root-owned file it binds.
 * That uid cannot reach folders such as /root/.pyenv, so before dropping to it the command enters a
 * private mount namespace in which each unreachable source is bind-mounted at a staging point it
 * can reach; bwrap then binds the staging point. The namespace is private: nothing shows outside.
 * Arguments: the number of mounts, then source and staging point for each, then the command.
 */
const STAGE_SCRIPT = 'set -e; n=$1; shift; while [ "$n" -gt 0 ]; do mount --bind "$1" "$2"; shift 2; n=$((n - 1)); done; exec "$@"';

export interface Launch {
	argv: string[];
	/** spawn() uid/gid; undefined = this process's. */
	uid?: number;
	gid?: number;
}

/** The command line that starts `layout` in bubblewrap and runs `inner` there: as `hostUid` via the staging namespace when root, plain bwrap otherwise. */
export async function bubblewrapLaunch(bwrap: string, layout: BubblewrapLayout, inner: string[], hostUid: number | null, stagingDir: string): Promise<Launch> {
	if (hostUid === null) return { argv: [bwrap, ...bubblewrapArgs(layout), '--', ...inner] };
	const [unshare, sh, setpriv] = await Promise.all([findTool('unshare'), findTool('sh'), findTool('setpriv')]);
	if (!unshare || !sh || !setpriv) throw new Error('running bubblewrap as root needs unshare, sh and setpriv (util-linux)');
	const staged: string[] = [];
	const binds: Bind[] = [];
	for (const bind of layout.binds) {
		if (uidCanReach(bind.source, hostUid)) {
			binds.push(bind);
			continue;
		}
		const point = join(stagingDir, String(staged.length / 2));
		if (statSync(bind.source).isDirectory()) await mkdir(point, { mode: 0o755 });
		else await writeFile(point, '', { mode: 0o644 });
		staged.push(bind.source, point);
		binds.push({ ...bind, source: point });
	}
	const drop = [setpriv, `--reuid=${hostUid}`, `--regid=${hostUid}`, '--clear-groups', '--no-new-privs', '--inh-caps=-all', '--bounding-set=-all', '--'];
	const argv = [unshare, '--mount', '--propagation', 'private', '--', sh, '-c', STAGE_SCRIPT, 'sh', String(staged.length / 2), ...staged, ...drop, bwrap, ...bubblewrapArgs({ ...layout, binds }), '--', ...inner];
	return { argv };
}

export interface BubblewrapProbe {
	/** The bwrap binary when it works here, else null. */
	path: string | null;
	/** Why it does not, e.g. "bwrap is not installed" or bwrap's own error. */
	problem?: string;
	features: BubblewrapFeatures;
}

let probe: Promise<BubblewrapProbe> | undefined;

/**
 * Whether bwrap is installed and can build the sandbox the runs use, exactly as they use it (as
 * root: through the staging namespace, as an unprivileged uid). It cannot in many containers, or
 * where unprivileged user namespaces are off. Probed once per process.
 */
export function probeBubblewrap(): Promise<BubblewrapProbe> {
	probe ??= (async (): Promise<BubblewrapProbe> => {
		const noFeatures = { disableUserns: false, tmpfsSize: false };
		const path = await findTool('bwrap');
		if (!path) return { path: null, problem: 'bwrap is not installed (on PATH)', features: noFeatures };
		const help = await run(path, ['--help']);
		const features = { disableUserns: help.output.includes('--disable-userns'), tmpfsSize: help.output.includes('--size') };
		const scratch = await mkdtemp(join(tmpdir(), 'ai-company-bwrap-probe-'));
		let probeUid: number | undefined;
		try {
			const root = isRoot();
			if (root) probeUid = await allocateUid();
			const uid = probeUid ?? process.getuid?.() ?? 65534;
			const inside = root ? 65534 : uid;
			await chmod(scratch, 0o711);
			const passwd = join(scratch, 'passwd');
			await writeFile(passwd, `sandbox:x:${inside}:${inside}::/:/bin/sh\n`, { mode: 0o644 });
			const staging = join(scratch, 'mnt');
			await mkdir(staging, { mode: 0o711 });
			const layout: BubblewrapLayout = { cwd: '/', binds: [], uid: inside, gid: inside, passwd, group: passwd, features };
			if (root) {
				// A folder the sandbox uid cannot reach, to prove the staging works too.
				const hidden = join(scratch, 'private');
				await mkdir(hidden, { mode: 0o700 });
				layout.binds.push({ source: hidden, dest: '/probe', writable: false });
			}
			const chain = await bubblewrapLaunch(path, layout, ['/usr/bin/env', 'true'], root ? uid : null, staging).catch((error: Error) => error);
			if (chain instanceof Error) return { path: null, problem: chain.message, features };
			const result = await run(chain.argv[0], chain.argv.slice(1));
			if (result.code !== 0) {
				const why = root ? ' (as root, the sandbox runs bwrap as an unprivileged uid: unprivileged user namespaces must be allowed)' : '';
				return { path: null, problem: `${path} cannot create its sandbox here${why}: ${result.output.trim() || `exit code ${result.code}`}`, features };
			}
			return { path, features };
		} finally {
			if (probeUid !== undefined) releaseUid(probeUid);
			await rm(scratch, { recursive: true, force: true });
		}
	})();
	return probe;
}

function run(file: string, args: string[]): Promise<{ code: number; output: string }> {
	return new Promise((resolve) => {
		execFile(file, args, { timeout: 10_000, env: { PATH: process.env.PATH ?? SYSTEM_BIN.join(':') } }, (error, stdout, stderr) => {
			const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
			resolve({ code, output: `${String(stdout)}${String(stderr)}` });
		});
	});
}

/** The bwrap binary when it works here, else null. */
export async function detectBubblewrap(): Promise<string | null> {
	return (await probeBubblewrap()).path;
}

// ---------------------------------------------------------------------------------------------
// Node's permission model

/**
 * Node's permission model flags (`--experimental-permission` on Node 20, `--permission` from 22):
 * reads only in `read`, writes only in `write`, so neither the operator's files (~/.n8n/config,
 * keys, /proc/<pid>/environ) nor anything outside can be touched; no child processes, workers or
 * native addons.
 */
export function nodePermissionArgs(read: string[], write: string[] = read): string[] {
	const flags = process.allowedNodeEnvironmentFlags;
	const args = [flags.has('--permission') ? '--permission' : '--experimental-permission'];
	for (const path of new Set(read)) args.push(`--allow-fs-read=${path}`);
	for (const path of new Set(write)) args.push(`--allow-fs-write=${path}`);
	if (flags.has('--disable-warning')) args.push('--disable-warning=ExperimentalWarning');
	return args;
}

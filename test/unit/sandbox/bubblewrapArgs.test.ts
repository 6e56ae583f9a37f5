import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bubblewrapArgs, limitsFor, prefixToBind, prlimitArgs, uidCanReach, type BubblewrapLayout } from '../../../runtime/sandbox/isolation';

const layout: BubblewrapLayout = {
	cwd: '/tmp/ws',
	binds: [
		{ source: '/root/.pyenv/versions/3.11.7', dest: '/root/.pyenv/versions/3.11.7', writable: false },
		{ source: '/tmp/ws', dest: '/tmp/ws', writable: true },
	],
	uid: 65534,
	gid: 65534,
	passwd: '/tmp/s/etc/passwd',
	group: '/tmp/s/etc/group',
	features: { disableUserns: true, tmpfsSize: true },
};

/** The pairs that follow `flag` in `args`. */
function pairs(args: string[], flag: string): Array<[string, string]> {
	const found: Array<[string, string]> = [];
	args.forEach((arg, i) => {
		if (arg === flag) found.push([args[i + 1], args[i + 2]]);
	});
	return found;
}

describe('bubblewrapArgs', () => {
	// Built in each test, not when the file loads: a mutation tool activates its mutant per test.
	let args: string[];
	beforeEach(() => {
		args = bubblewrapArgs(layout);
	});

	it('does not bind the whole root: only system folders, a few /etc files and the binds asked for', () => {
		const bound = pairs(args, '--ro-bind').map(([, dest]) => dest);
		expect(bound).not.toContain('/');
		for (const dest of bound) expect(dest).toMatch(/^\/(usr|lib\w*|bin|sbin|etc\/[\w.-]+|root\/\.pyenv\/versions\/3\.11\.7)$/);
		expect(bound).toEqual(expect.arrayContaining(['/usr', '/etc/passwd', '/etc/group']));
		expect(bound).not.toEqual(expect.arrayContaining(['/etc/shadow']));
		expect(bound.filter((dest) => /^\/(home|root|var|run|opt|srv|mnt|media)$/.test(dest))).toEqual([]);
	});

	it('gives /tmp, /var/tmp and /run as empty read-only tmpfs, so no host unix socket is there', () => {
		const tmpfs = args.flatMap((arg, i) => (arg === '--tmpfs' ? [args[i + 1]] : []));
		expect(tmpfs).toEqual(expect.arrayContaining(['/tmp', '/var/tmp', '/run']));
		const readOnly = args.flatMap((arg, i) => (arg === '--remount-ro' ? [args[i + 1]] : []));
		expect(readOnly).toEqual(expect.arrayContaining(['/tmp', '/var/tmp', '/run', '/']));
	});

	it('runs as the given uid in a user namespace of its own, without network or capabilities', () => {
		expect(args.join(' ')).toMatch(/--unshare-user --uid 65534 --gid 65534 --disable-userns/);
		expect(args).toEqual(expect.arrayContaining(['--unshare-net', '--unshare-pid', '--die-with-parent']));
		expect(args.join(' ')).toContain('--cap-drop ALL');
		expect(pairs(args, '--bind')).toEqual([['/tmp/ws', '/tmp/ws']]);
	});

	it('gives a private 64 MiB /dev/shm where bwrap can size a tmpfs, and none where it cannot', () => {
		expect(args.join(' ')).toContain('--perms 1777 --size 67108864 --tmpfs /dev/shm');
		const unsized = bubblewrapArgs({ ...layout, features: { disableUserns: true, tmpfsSize: false } });
		expect(unsized).not.toContain('/dev/shm');
		expect(unsized).not.toContain('--size');
	});
});

describe('limits', () => {
	it('derives CPU time from the timeout and passes every limit to prlimit', () => {
		const limits = limitsFor(10_000);
		expect(limits).toEqual({ memoryBytes: 2 * 1024 ** 3, processes: 512, cpuSeconds: 21, fileSizeBytes: 1024 ** 3, openFiles: 4096 });
		expect(prlimitArgs(limits)).toEqual([`--data=${2 * 1024 ** 3}`, '--nproc=512', '--cpu=21:22', `--fsize=${1024 ** 3}`, '--nofile=4096', '--core=0']);
		expect(prlimitArgs({ ...limits, processes: null, memoryBytes: null })).toEqual(['--cpu=21:22', `--fsize=${1024 ** 3}`, '--nofile=4096', '--core=0']);
	});
});

describe('what bubblewrap binds for an interpreter, and what another uid can reach', () => {
	let dir: string;
	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), 'prefix-'));
		mkdirSync(join(dir, 'versions/3.11.7/bin'), { recursive: true });
		writeFileSync(join(dir, 'versions/3.11.7/bin/python3'), '', { mode: 0o755 });
		chmodSync(dir, 0o700);
	});
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it('binds nothing for /usr, and the prefix above bin/ for an interpreter elsewhere (pyenv, nvm)', () => {
		expect(prefixToBind('/usr/bin/env')).toEqual([]);
		expect(prefixToBind(join(dir, 'versions/3.11.7/bin/python3'))).toEqual([join(dir, 'versions/3.11.7')]);
	});

	it('sees that a folder closed to others (0700, like /root) hides what is below it from another uid, not from its owner', () => {
		const python = join(dir, 'versions/3.11.7/bin/python3');
		expect(uidCanReach(python, -1, 'exec')).toBe(false);
		expect(uidCanReach(python, statSync(dir).uid, 'exec')).toBe(true);
		expect(uidCanReach('/usr/bin/env', -1, 'exec')).toBe(true);
	});
});

import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { lchown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

// Who the tests run as, and how everything they started is found and killed at the end.
//
// As root, each run gets a uid of its own, picked at random from a range no account uses
// (0x60000000 and up, inside the range systemd hands to containers but far above what it uses) and
// not held by any process. Running as that uid, the tests cannot read root's files (/etc/shadow,
// /root), /proc/<pid>/environ of this process or of any other process, nor signal or trace them;
// RLIMIT_NPROC counts only their own processes; and at the end `kill -KILL -1` run as that uid
// kills every process the run left, whatever session, process group or parent it has (the kernel
// walks all processes at once, so none can fork away meanwhile). A fixed uid such as nobody (65534)
// would give none of the last three: concurrent runs, and anything else running as nobody, would
// share it.
//
// Not root, a process cannot take another uid: the tests run as this process's uid, and what they
// start is found by its process group and by a marker in its environment (see processesWithMarker).

const UID_BASE = 0x60000000;
const UID_SPAN = 0x0fffffff;
const inUse = new Set<number>();

export function isRoot(): boolean {
	return process.getuid?.() === 0;
}

// Stryker disable all: a mutant here can signal processes that are not the run's (as root, every process on the machine: one killed the mutation run's own shell and the machine's Redis). Tested, not mutated: test/integration/sandbox.
/** The real uids of live processes (zombies, already dead, left out), by pid. */
function processUids(): Map<number, number> {
	const uids = new Map<number, number>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const status = readFileSync(`/proc/${entry}/status`, 'utf8');
			const uid = /^Uid:\s+(\d+)/m.exec(status);
			if (uid && !/^State:\s+[ZX]/m.test(status)) uids.set(Number(entry), Number(uid[1]));
		} catch {
			// gone meanwhile
		}
	}
	return uids;
}
// Stryker restore all

/** A uid for one run: unused by any live process and by any other run of this process. Release it with releaseUid. */
export async function allocateUid(): Promise<number> {
	const taken = new Set(processUids().values());
	for (let attempt = 0; attempt < 100; attempt++) {
		const uid = UID_BASE + randomInt(UID_SPAN);
		if (!taken.has(uid) && !inUse.has(uid)) {
			inUse.add(uid);
			return uid;
		}
	}
	throw new Error('could not find a free uid for the sandbox');
}

export function releaseUid(uid: number): void {
	inUse.delete(uid);
}

// Stryker disable all: a mutant here can signal processes that are not the run's (as root, every process on the machine: one killed the mutation run's own shell and the machine's Redis). Tested, not mutated: test/integration/sandbox.
/** Pids of live processes whose real uid is `uid`. */
export function processesOfUid(uid: number): number[] {
	return [...processUids()].filter(([, owner]) => owner === uid).map(([pid]) => pid);
}

/**
 * Sends `signal` to every process of `uid` (as root): `kill -SIG -1` run as that uid, which the
 * kernel delivers to all of them in one pass; for SIGKILL, then a scan of /proc for any left (there
 * should be none) until they are gone.
 */
export async function signalUid(uid: number, signal: 'TERM' | 'KILL', killBinary: string | null): Promise<void> {
	// Nothing runs as the uid (the usual end of a run): no process of its own can appear from
	// nothing, and a `kill` process per run costs a fork of the whole worker.
	if (processesOfUid(uid).length === 0) return;
	if (killBinary) {
		await new Promise<void>((resolve) => {
			const killer = spawn(killBinary, [`-${signal}`, '-1'], { uid, gid: uid, stdio: 'ignore' });
			killer.on('error', () => resolve());
			killer.on('exit', () => resolve());
		});
	}
	if (signal !== 'KILL') return;
	for (let round = 0; round < 50; round++) {
		const left = processesOfUid(uid);
		if (left.length === 0) return;
		for (const pid of left) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// gone meanwhile
			}
		}
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/**
 * Pids of live processes of this uid whose environment holds `marker` (NAME=value): how a run
 * without a uid of its own finds what it started after it left the process group (setsid). A
 * process that re-executes itself with an environment of its own is not found: best effort.
 */
export function processesWithMarker(marker: string): number[] {
	const needle = Buffer.from(`\0${marker}\0`);
	const pids: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
		try {
			const environ = Buffer.concat([Buffer.from('\0'), readFileSync(`/proc/${entry}/environ`), Buffer.from('\0')]);
			if (environ.includes(needle)) pids.push(Number(entry));
		} catch {
			// gone meanwhile, or not ours
		}
	}
	return pids;
}
// Stryker restore all

/**
 * Gives `root` and everything in it (not following links; a .git folder is left alone, so tests
 * run as `uid` cannot plant hooks or config in it) to `uid`:`uid`. Returns how to give it back:
 * what was there gets its old owner, what the run created gets the owner `root` had.
 */
export async function lendTree(root: string, uid: number): Promise<() => Promise<void>> {
	const owners = new Map<string, [number, number]>();
	const walk = async (path: string) => {
		const stat = await lstat(path);
		owners.set(path, [stat.uid, stat.gid]);
		await lchown(path, uid, uid);
		if (stat.isDirectory()) {
			for (const name of await readdir(path)) if (name !== '.git') await walk(join(path, name));
		}
	};
	await walk(root);
	const [rootUid, rootGid] = owners.get(root)!;
	return async () => {
		const restore = async (path: string) => {
			let stat;
			try {
				stat = await lstat(path);
			} catch {
				return;
			}
			const before = owners.get(path);
			// A hard link the run made to a file elsewhere is not followed to that file's owner.
			if (before || stat.isDirectory() || stat.nlink <= 1) await lchown(path, ...(before ?? [rootUid, rootGid])).catch(() => undefined);
			if (stat.isDirectory() && !path.endsWith('/.git')) {
				for (const name of await readdir(path).catch(() => [])) await restore(join(path, name));
			}
		};
		await restore(root);
	};
}

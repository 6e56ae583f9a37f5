'use strict';
/**
 * Children that die with their parent, for `scripts/run-local.js`.
 *
 * `npm run start:local` runs `sh -c "node scripts/run-local.js"`; a SIGTERM to npm (npm 11) ends
 * npm and the shell but never reaches node, which is left running with its children. Linux's
 * PR_SET_PDEATHSIG is out of reach from Node, so both ends poll:
 *
 * - `watchAncestors(onGone)`: run-local watches its parent, and the parent's parent when the parent
 *   is a shell (npm's `sh -c`), and calls onGone when one of them is gone or it was re-parented.
 * - This file as a preload (`node --require processGuard.js …`, or in NODE_OPTIONS) with
 *   AIC_DIE_WITH_PARENT_PID=<pid>: a process whose parent is that pid sends itself SIGTERM (its own
 *   graceful shutdown) when the parent is gone, even after a SIGKILL of the parent, and exits after
 *   a grace if that does not end it. Processes further down (n8n's task runners), whose parent is
 *   another pid, ignore it.
 *
 * Plain CommonJS, no dependencies: it is loaded into n8n's Node 24 and the service's process.
 */

const fs = require('node:fs');

const PARENT_ENV = 'AIC_DIE_WITH_PARENT_PID';
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ash', 'busybox']);

/**
 * The parent pid of `pid` from /proc (Linux); undefined elsewhere or when it is gone.
 * @param {number} pid
 * @returns {number | undefined}
 */
function parentOf(pid) {
	try {
		// "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
		return Number.isInteger(ppid) ? ppid : undefined;
	} catch {
		return undefined;
	}
}

/** @param {number} pid @returns {string | undefined} */
function commandOf(pid) {
	try {
		return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
	} catch {
		return undefined;
	}
}

/** @param {number} pid */
function isAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
	}
}

/**
 * The processes whose end should end this one: the parent, and the grandparent when the parent is
 * a shell (npm's `sh -c`). Never pid 1.
 * @param {number} [ppid]
 * @returns {number[]}
 */
function ancestorsToWatch(ppid = process.ppid) {
	const watched = [ppid];
	const command = commandOf(ppid);
	const grandparent = parentOf(ppid);
	if (command && SHELLS.has(command) && grandparent && grandparent > 1) watched.push(grandparent);
	return watched.filter((pid) => pid > 1);
}

/**
 * Calls onGone once, with a reason, when this process is re-parented or a watched ancestor ends.
 * @param {(reason: string) => void} onGone
 * @param {{ intervalMs?: number }} [options]
 * @returns {() => void} stops watching
 */
function watchAncestors(onGone, options = {}) {
	const initialParent = process.ppid;
	const watched = ancestorsToWatch(initialParent);
	const timer = setInterval(() => {
		let reason;
		if (process.ppid !== initialParent) reason = `parent process ${initialParent} is gone`;
		else {
			const gone = watched.find((pid) => !isAlive(pid));
			if (gone !== undefined) reason = `ancestor process ${gone} is gone`;
		}
		if (reason) {
			clearInterval(timer);
			onGone(reason);
		}
	}, options.intervalMs ?? 500);
	timer.unref();
	return () => clearInterval(timer);
}

/**
 * The environment that makes a child started with this file preloaded die with this process.
 * @param {string} [nodeOptions]  NODE_OPTIONS to keep; the preload is added in front
 * @returns {{ [PARENT_ENV]: string, NODE_OPTIONS: string }}
 */
function guardEnv(nodeOptions = '') {
	return {
		[PARENT_ENV]: String(process.pid),
		NODE_OPTIONS: [`--require ${JSON.stringify(__filename)}`, nodeOptions].filter(Boolean).join(' '),
	};
}

/**
 * Preloaded: watch the parent named by AIC_DIE_WITH_PARENT_PID, when it is this process's parent.
 * @param {{ intervalMs?: number, graceMs?: number }} [options]
 */
function guardThisProcess(options = {}) {
	const expected = Number(process.env[PARENT_ENV]);
	if (!Number.isInteger(expected) || expected <= 1 || process.ppid !== expected) return false;
	const timer = setInterval(() => {
		if (process.ppid === expected && isAlive(expected)) return;
		clearInterval(timer);
		// The process's own SIGTERM handling (n8n's, the service's) shuts it down; the grace is a backstop.
		setTimeout(() => process.exit(1), options.graceMs ?? 30_000).unref();
		process.kill(process.pid, 'SIGTERM');
	}, options.intervalMs ?? 500);
	timer.unref();
	return true;
}

module.exports = { PARENT_ENV, watchAncestors, ancestorsToWatch, guardEnv, guardThisProcess, parentOf };

// Loaded with --require (require.main is the real entry point, or undefined during preload).
if (require.main !== module && process.env[PARENT_ENV]) guardThisProcess();

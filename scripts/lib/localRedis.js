'use strict';
/**
 * A Redis for `npm run start:local` when the operator has none: started only when REDIS_URL is
 * unset and nothing listens on 127.0.0.1:6379, with its data (append-only file on) in
 * <AIC_HOME>/redis, so projects and queued jobs survive a restart. redis-server cannot load the
 * process guard, so a small node keeper holds it: the keeper dies with run-local (processGuard) and
 * takes redis-server down with it.
 */

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');

const { guardEnv } = require('./processGuard');

const DEFAULT_PORT = 6379;

/** Keeps redis-server (argv after `--`) running as its child; stops it when this process is told to stop or its parent goes. */
const KEEPER = `
const { spawn } = require('node:child_process');
const child = spawn(process.argv[1], process.argv.slice(2), { stdio: 'inherit' });
const stop = () => child.kill('SIGTERM');
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, stop);
child.on('exit', (code) => process.exit(code ?? 0));
`;

/**
 * Whether something accepts connections on host:port.
 * @param {number} port @param {string} [host]
 * @returns {Promise<boolean>}
 */
function listening(port, host = '127.0.0.1') {
	return new Promise((resolve) => {
		const socket = net.connect({ port, host });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

/**
 * What start:local should do about Redis, from the environment and what listens on 6379.
 * @param {NodeJS.ProcessEnv} env
 * @param {(port: number) => Promise<boolean>} [isListening]
 * @returns {Promise<{ action: 'use', url: string, why: string } | { action: 'start', url: string, port: number }>}
 */
async function redisPlan(env, isListening = listening) {
	if (env.REDIS_URL) return { action: 'use', url: env.REDIS_URL, why: 'REDIS_URL is set' };
	if (await isListening(DEFAULT_PORT)) return { action: 'use', url: `redis://127.0.0.1:${DEFAULT_PORT}`, why: `a Redis answers on 127.0.0.1:${DEFAULT_PORT}` };
	return { action: 'start', url: `redis://127.0.0.1:${DEFAULT_PORT}`, port: DEFAULT_PORT };
}

/**
 * Starts redis-server on 127.0.0.1:<port> with its data in `dir`; resolves once it accepts
 * connections. Rejects with what to do when redis-server is not installed or does not come up.
 * @param {{ port: number, dir: string, logFile: string, bin?: string, timeoutMs?: number }} options
 * @returns {Promise<{ stop: () => Promise<void>, exited: () => boolean }>}
 */
async function startLocalRedis({ port, dir, logFile, bin = 'redis-server', timeoutMs = 15_000 }) {
	const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
	if (probe.error || probe.status !== 0) {
		throw new Error(
			`no Redis: nothing listens on 127.0.0.1:${port} and "${bin}" is not installed. Install Redis (Debian/Ubuntu: apt install redis-server; macOS: brew install redis) or set REDIS_URL to a Redis you have.`,
		);
	}
	fs.mkdirSync(dir, { recursive: true });
	const log = fs.openSync(logFile, 'a');
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no'];
	const keeper = spawn(process.execPath, ['-e', KEEPER, bin, ...args], {
		env: { ...process.env, ...guardEnv() },
		stdio: ['ignore', log, log],
		detached: true,
	});
	fs.closeSync(log);
	let exited = false;
	const ended = new Promise((resolve) => keeper.once('exit', () => resolve((exited = true))));
	for (const deadline = Date.now() + timeoutMs; !(await listening(port)); ) {
		if (exited || Date.now() > deadline) {
			if (!exited) keeper.kill('SIGTERM');
			const tail = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-10).join('\n');
			throw new Error(`redis-server did not start on 127.0.0.1:${port} (log ${logFile}):\n${tail}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return {
		exited: () => exited,
		async stop() {
			if (exited) return;
			keeper.kill('SIGTERM');
			await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
			if (!exited) process.kill(-keeper.pid, 'SIGKILL');
		},
	};
}

module.exports = { redisPlan, startLocalRedis, listening, DEFAULT_PORT };

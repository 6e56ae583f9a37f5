'use strict';
/**
 * The AI Company runtime service (`runtime/dist/bin/aiCompanyWorker.js --role all`) as a child of
 * `scripts/run-local.js`: started with the guard preload (it dies with its parent), logged to a file,
 * ready once GET /health answers, stopped with SIGTERM (its own graceful shutdown), then SIGKILL.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { guardEnv } = require('./processGuard');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const RUNTIME_BIN = path.join(REPO_ROOT, 'runtime', 'dist', 'bin', 'aiCompanyWorker.js');

/**
 * @typedef {object} RuntimeHandle
 * @property {string} url       e.g. http://127.0.0.1:8000
 * @property {number} pid
 * @property {string} logFile
 * @property {{ status: string, ollama?: { ok?: boolean } } | undefined} health  the first /health answer that counted
 * @property {() => Promise<void>} stop
 * @property {() => boolean} exited
 * @property {(lines?: number) => string} tail
 */

/**
 * Start the service and wait until /health says Redis is reachable (200: `ok`, or `degraded` when
 * only the model server is not). Rejects, with the end of its log, when it exits or times out.
 * @param {object} options
 * @param {number} options.port
 * @param {Record<string, string>} options.env    the service's variables (PORT is set from port)
 * @param {string} options.logFile
 * @param {string} [options.bin]                  default runtime/dist/bin/aiCompanyWorker.js
 * @param {number} [options.timeoutMs]            default 60 s
 * @param {number} [options.stopGraceMs]          SIGKILL after this (default 30 s)
 * @returns {Promise<RuntimeHandle>}
 */
async function startRuntime(options) {
	const bin = options.bin ?? RUNTIME_BIN;
	if (!fs.existsSync(bin)) throw new Error(`the runtime service is not built (${path.relative(REPO_ROOT, bin)} is missing): run npm run build`);
	const url = `http://127.0.0.1:${options.port}`;
	fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
	const log = fs.openSync(options.logFile, 'a');
	fs.writeSync(log, `\n===== ai-company-worker start ${new Date().toISOString()} port ${options.port} =====\n`);
	const logStart = fs.fstatSync(log).size;
	const child = spawn(process.execPath, [bin, '--role', 'all'], {
		env: { ...process.env, ...options.env, PORT: String(options.port), ...guardEnv(process.env.NODE_OPTIONS) },
		// Its own process group: a Ctrl-C in the terminal reaches run-local only, which stops n8n first.
		detached: true,
		stdio: ['ignore', log, log],
	});
	fs.closeSync(log);
	/** @type {{ code: number | null, signal: string | null } | undefined} */
	let exitInfo;
	const exited = new Promise((resolve) => {
		child.once('exit', (code, signal) => {
			exitInfo = { code, signal };
			resolve(exitInfo);
		});
	});
	const tail = (lines = 30) => {
		try {
			const text = fs.readFileSync(options.logFile, 'utf8').slice(logStart);
			return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
		} catch {
			return '';
		}
	};
	/** @type {Promise<void> | undefined} */
	let stopping;
	const stop = () => {
		stopping ??= (async () => {
			if (exitInfo) return;
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), options.stopGraceMs ?? 30_000);
			await exited;
			clearTimeout(timer);
		})();
		return stopping;
	};
	/** @type {RuntimeHandle} */
	const handle = { url, pid: /** @type {number} */ (child.pid), logFile: options.logFile, health: undefined, stop, exited: () => !!exitInfo, tail };

	const deadline = Date.now() + (options.timeoutMs ?? 60_000);
	let last = 'no answer yet';
	try {
		for (;;) {
			if (exitInfo) {
				throw new Error(`the runtime service exited during start (code ${exitInfo.code}, signal ${exitInfo.signal}); its log (${options.logFile}):\n${tail()}`);
			}
			const answer = await getHealth(`${url}/health`);
			if (answer && answer.statusCode === 200) {
				handle.health = answer.body;
				return handle;
			}
			if (answer) last = `HTTP ${answer.statusCode} ${JSON.stringify(answer.body)}`;
			if (Date.now() > deadline) {
				const hint = answer?.statusCode === 503 ? ': it cannot reach Redis; check REDIS_URL and that Redis runs' : '';
				throw new Error(`the runtime service at ${url} was not ready within ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s (last /health: ${last})${hint}; its log (${options.logFile}):\n${tail()}`);
			}
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	} catch (error) {
		await stop();
		throw error;
	}
}

/**
 * OUTBOUND_ALLOW for the service beside start:local's n8n, which the service refuses to call by
 * default (loopback): n8n listens and builds its URLs (Wait nodes' resume URLs, the AI Company
 * Trigger's webhook) on 127.0.0.1, or on N8N_HOST when that is set; the operator's own
 * OUTBOUND_ALLOW entries are kept.
 * @param {NodeJS.ProcessEnv} env
 * @returns {string}
 */
function outboundAllowFor(env) {
	const entries = ['127.0.0.1', env.N8N_HOST?.trim(), ...(env.OUTBOUND_ALLOW ?? '').split(',').map((entry) => entry.trim())];
	return [...new Set(entries.filter(Boolean))].join(',');
}

/** @param {string} target @returns {Promise<{ statusCode: number, body: any } | undefined>} */
async function getHealth(target) {
	try {
		const response = await fetch(target, { signal: AbortSignal.timeout(5_000) });
		const text = await response.text();
		let body;
		try {
			body = JSON.parse(text);
		} catch {
			body = text.slice(0, 200);
		}
		return { statusCode: response.status, body };
	} catch {
		return undefined;
	}
}

module.exports = { RUNTIME_BIN, outboundAllowFor, startRuntime };

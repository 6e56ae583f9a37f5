#!/usr/bin/env node
'use strict';
/**
 * Run this package in a real local n8n, with the AI Company runtime service beside it, in the
 * foreground (`npm run start:local`).
 *
 *   npm run build && npm run start:local
 *
 * - installs n8n 2.41.1 with its own Node 24 into a cache folder the first time (about 5 minutes);
 * - packs this repo (dist/ must be built) and installs it into the n8n user folder the way
 *   n8n's Community Nodes screen does; every run reinstalls it, the database is kept;
 * - starts the runtime service (`node runtime/dist/bin/aiCompanyWorker.js --role all`, log in
 *   <AIC_HOME>/runtime.log) on 127.0.0.1:RUNTIME_PORT and waits until its /health answers;
 * - creates or updates the credentials the templates refer to: "AI Company (local)" (type
 *   aiCompanyApi, id aicCompanyApiLocal1) with that service's URL and API token, and "SMTP (local)"
 *   (n8n's type smtp, id aicSmtpLocal01) from SMTP_*;
 * - imports and publishes the workflow templates in workflows/*.json that this user folder has not
 *   had yet, so their webhooks answer at once;
 * - sets up an owner account on the first run (no setup screen) and prints how to sign in;
 * - starts n8n and prints the editor URL, the service URL and a curl to try.
 * Ctrl-C or SIGTERM (also to `npm run start:local`, which does not pass it on) stops n8n, then the
 * service. Both also stop by themselves if this script is killed (processGuard.js).
 *
 * Environment:
 *   AIC_HOME         n8n user folder (default ~/.n8n-ai-company; n8n's data is in <AIC_HOME>/.n8n)
 *   N8N_PORT         editor port (default 5678)
 *   RUNTIME_PORT     the service's port (default 8000); the credential's Base URL is http://127.0.0.1:<RUNTIME_PORT>
 *   API_TOKEN        the service's API token and the credential's (default: one generated once and
 *                    kept in <AIC_HOME>/run-local.json)
 *   REDIS_URL        Redis of the service (default redis://127.0.0.1:6379; when unset and nothing
 *                    listens there, a redis-server is started on it with its data in
 *                    <AIC_HOME>/redis, append-only file on, and stopped with the rest)
 *   OLLAMA_HOST      the model server of the service (default http://127.0.0.1:11434)
 *   GIT_REMOTE_BASE  where the service publishes projects (default <AIC_HOME>/git: a bare
 *                    repository per project is created there)
 *   OUTBOUND_ALLOW   where the service may send callbacks besides the public internet; n8n's
 *                    address (127.0.0.1, and N8N_HOST when set) is always added, so Wait nodes'
 *                    resume URLs and the AI Company Trigger keep working
 *   Every other variable of the service (MODEL_PLANNER, MODEL_DEVELOPER, MODEL_TESTER, KEY_PREFIX,
 *                    CONCURRENCY, GITHUB_TOKEN, ...; see README "The runtime service") is passed on
 *                    to it; it listens on 127.0.0.1 only.
 *   SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_SECURE=1   the "SMTP (local)" credential
 *                    (default 127.0.0.1:25, no login) for the templates' emails, which are off
 *                    until a template's Settings turn them on
 *   AIC_OWNER_EMAIL / AIC_OWNER_PASSWORD   owner account (default owner@ai-company.local and a
 *                    generated password, kept in <AIC_HOME>/run-local.json); setting
 *                    AIC_OWNER_PASSWORD resets the owner's password to it at this start
 *   AIC_REIMPORT_TEMPLATES=1   import (and publish) every template again (replaces your edits of them)
 *   AIC_TEMPLATES_DIR  templates folder (default workflows/ of this repo)
 *   AIC_CACHE_DIR    where n8n is installed (default ~/.cache/n8n-nodes-ai-company)
 *   Any N8N_* variable is passed to n8n.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const n8n = require('./lib/n8nInstance');
const { guardEnv, watchAncestors } = require('./lib/processGuard');
const { redisPlan, startLocalRedis } = require('./lib/localRedis');
const { outboundAllowFor, startRuntime } = require('./lib/runtimeService');

const REPO_ROOT = n8n.REPO_ROOT;
const TEMPLATES_DIR = process.env.AIC_TEMPLATES_DIR ? path.resolve(process.env.AIC_TEMPLATES_DIR) : path.join(REPO_ROOT, 'workflows');

/** The credentials the workflow templates refer to (`credentials.aiCompanyApi`, `credentials.smtp`). */
const LOCAL_API_CREDENTIAL = { id: 'aicCompanyApiLocal1', name: 'AI Company (local)', type: 'aiCompanyApi' };
const LOCAL_SMTP_CREDENTIAL = { id: 'aicSmtpLocal01', name: 'SMTP (local)', type: 'smtp' };

/**
 * n8n's built-in SMTP credential for the templates' emails (sent only when a template's Settings
 * turn them on): SMTP_HOST (default 127.0.0.1), SMTP_PORT (default 25), SMTP_USER, SMTP_PASSWORD,
 * SMTP_SECURE=1 for TLS.
 * @param {NodeJS.ProcessEnv} env
 */
function smtpCredentialData(env) {
	return { host: env.SMTP_HOST || '127.0.0.1', port: portFrom(env, 'SMTP_PORT', '25'), user: env.SMTP_USER || '', password: env.SMTP_PASSWORD || '', secure: env.SMTP_SECURE === '1' };
}
const SERVICE_DEFAULTS = { RUNTIME_PORT: '8000', REDIS_URL: 'redis://127.0.0.1:6379', OLLAMA_HOST: 'http://127.0.0.1:11434' };

/** @param {string} message */
const say = (message) => process.stdout.write(`[start:local] ${message}\n`);

async function main() {
	const home = path.resolve(process.env.AIC_HOME || path.join(os.homedir(), '.n8n-ai-company'));
	const port = portFrom(process.env, 'N8N_PORT', '5678');
	fs.mkdirSync(home, { recursive: true });
	const statePath = path.join(home, 'run-local.json');
	const state = readState(statePath);
	const service = serviceSettings(process.env, home, state, port);
	if (service.tokenGenerated) writeState(statePath, state);

	for (const [name, value] of [['N8N_PORT', port], ['RUNTIME_PORT', service.port]]) {
		if (!(await n8n.isPortFree(/** @type {number} */ (value)))) {
			throw new Error(`port ${value} is in use: is start:local (or another n8n or service) already running? Stop it, or choose another port with ${name}=...`);
		}
	}

	// Stop everything on Ctrl-C, SIGTERM, or when npm (which does not pass SIGTERM on) is gone.
	/** @type {import('./lib/n8nInstance').N8nHandle | undefined} */
	let handle;
	/** @type {import('./lib/runtimeService').RuntimeHandle | undefined} */
	let runtime;
	/** @type {{ stop: () => Promise<void>, exited: () => boolean } | undefined} */
	let localRedis;
	let stopping = false;
	const shutdown = async (/** @type {string} */ why, code = 0) => {
		if (stopping) return;
		stopping = true;
		say(`${why}: stopping n8n and the runtime service...`);
		await handle?.stop();
		await runtime?.stop();
		await localRedis?.stop();
		process.exit(code);
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(signal));
	watchAncestors((reason) => void shutdown(reason));

	// 1. The package, as the Community Nodes screen would install it.
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-pack-'));
	try {
		const tarball = await n8n.packPackage(REPO_ROOT, packDir); // fails with "run npm run build" when dist/ is missing
		await n8n.ensureN8nInstalled({ log: say });
		const installed = await n8n.installLikeCommunityNodes(home, tarball);
		say(`installed ${installed.name}@${installed.version} into ${path.join(home, '.n8n', 'nodes')}`);
	} finally {
		fs.rmSync(packDir, { recursive: true, force: true });
	}

	// 2. Redis: REDIS_URL, or the one on 127.0.0.1:6379, or one started here (data in <AIC_HOME>/redis).
	const redis = await redisPlan(process.env);
	if (redis.action === 'start') {
		say(`no REDIS_URL and nothing on 127.0.0.1:${redis.port}: starting redis-server there (data in ${path.join(home, 'redis')}, log ${path.join(home, 'redis.log')})`);
		localRedis = await startLocalRedis({ port: redis.port, dir: path.join(home, 'redis'), logFile: path.join(home, 'redis.log') });
	} else {
		say(`Redis: ${redactUrl(redis.url)} (${redis.why})`);
	}

	// 3. The runtime service, before n8n: the nodes are its clients.
	fs.mkdirSync(service.env.GIT_REMOTE_BASE, { recursive: true });
	say(`starting the runtime service on ${service.url} (Redis ${redactUrl(service.env.REDIS_URL)}, Ollama ${service.env.OLLAMA_HOST}, publishing to ${service.env.GIT_REMOTE_BASE}; log in ${path.join(home, 'runtime.log')})`);
	runtime = await startRuntime({ port: service.port, env: service.env, logFile: path.join(home, 'runtime.log') });
	if (runtime.health?.status !== 'ok') {
		say(`the service answers, but cannot reach Ollama at ${service.env.OLLAMA_HOST} (/health: ${JSON.stringify(runtime.health)}): start Ollama, or set OLLAMA_HOST`);
	}

	// 4. The credentials (created, or updated to the current URL and token).
	const smtp = smtpCredentialData(process.env);
	await n8n.importCredentials(home, [
		{ ...LOCAL_API_CREDENTIAL, data: { baseUrl: service.url, apiToken: service.token } },
		{ ...LOCAL_SMTP_CREDENTIAL, data: smtp },
	]);
	say(`credential "${LOCAL_API_CREDENTIAL.name}" (id ${LOCAL_API_CREDENTIAL.id}) -> ${service.url} with the API token`);
	say(`credential "${LOCAL_SMTP_CREDENTIAL.name}" (id ${LOCAL_SMTP_CREDENTIAL.id}) -> ${smtp.host}:${smtp.port} (used only by templates whose Settings turn emails on)`);

	// 5. Workflow templates this user folder has not had yet (edits of imported ones are kept).
	const templates = readTemplates();
	const reimport = process.env.AIC_REIMPORT_TEMPLATES === '1';
	const fresh = templates.filter((t) => reimport || !state.templates[t.workflow.id]);
	if (fresh.length > 0) {
		await n8n.importWorkflow(home, fresh.map((t) => t.workflow));
		for (const t of fresh) {
			await n8n.publishWorkflow(home, t.workflow.id);
			state.templates[t.workflow.id] = { file: t.file, sha256: t.sha256 };
		}
		writeState(statePath, state);
		say(`imported and published workflow templates: ${fresh.map((t) => `${t.file} ("${t.workflow.name}")`).join(', ')}`);
	}
	const changed = templates.filter((t) => !fresh.includes(t) && state.templates[t.workflow.id]?.sha256 !== t.sha256);
	if (changed.length > 0) {
		say(`templates changed since imported (kept your copy; AIC_REIMPORT_TEMPLATES=1 replaces it): ${changed.map((t) => t.file).join(', ')}`);
	}
	if (templates.length === 0) say(`no workflow templates in ${TEMPLATES_DIR}`);

	// 6. Owner account: set on the first run, or when AIC_OWNER_PASSWORD is given.
	const envEmail = process.env.AIC_OWNER_EMAIL;
	const envPassword = process.env.AIC_OWNER_PASSWORD;
	const applyOwner = !state.ownerApplied || Boolean(envEmail) || Boolean(envPassword);
	/** @type {import('./lib/n8nInstance').Owner | undefined} */
	let owner;
	if (applyOwner) {
		owner = {
			email: envEmail || state.owner?.email || 'owner@ai-company.local',
			password: envPassword || state.owner?.password || generateSecret('Aic-', '-1'),
		};
		// A password the user chose stays out of the state file.
		state.owner = envPassword ? { email: owner.email } : owner;
		writeState(statePath, state);
	}

	// 7. n8n in the foreground.
	say(`starting n8n ${n8n.N8N_VERSION} on port ${port} (data in ${path.join(home, '.n8n')}, log in ${path.join(home, 'n8n.log')})`);
	/** @type {Record<string, string | undefined>} */
	const env = { N8N_SECURE_COOKIE: process.env.N8N_SECURE_COOKIE || 'false', ...guardEnv() };
	if (process.env.N8N_LISTEN_ADDRESS) env.N8N_LISTEN_ADDRESS = process.env.N8N_LISTEN_ADDRESS;
	if (process.env.N8N_HOST) env.N8N_HOST = process.env.N8N_HOST;
	handle = await n8n.startN8n({
		userFolder: home,
		port,
		env,
		echo: true,
		timeoutMs: 10 * 60_000,
		owner,
		logFile: path.join(home, 'n8n.log'),
		onSpawn: (h) => {
			handle = h;
		},
	});
	if (applyOwner) {
		state.ownerApplied = true;
		writeState(statePath, state);
	}
	const loaded = n8n.loadedTypes(home, 'n8n-nodes-ai-company');
	console.log('');
	say(`n8n is running: ${handle.url}  (started in ${Math.round(handle.startMs / 1000)} s)`);
	say(`nodes: ${loaded.nodes.join(', ') || '(none found: check the log above)'}`);
	say(`the runtime service: ${service.url}  (API token ${service.token}; log ${runtime.logFile})`);
	say(`the dashboard: ${service.url}/ui/  (sign in with the API token above; the queue: ${service.url}/ui/queues)`);
	if (state.owner?.password) {
		say(`sign in as ${state.owner.email} / ${state.owner.password}   (from ${statePath}, unless you changed it in n8n)`);
	} else if (state.owner) {
		say(`sign in as ${state.owner.email} with the AIC_OWNER_PASSWORD you chose`);
	}
	for (const line of tryLines(handle.url, service)) say(line);
	say('Ctrl-C stops n8n and the service.');

	// Stay in the foreground until n8n or the service ends (or Ctrl-C).
	while (!handle.exited() && !runtime.exited()) await n8n.sleep(500);
	if (!stopping) {
		const which = handle.exited() ? 'n8n' : 'the runtime service';
		say(`${which} exited on its own; last lines of its log:`);
		console.log(handle.exited() ? handle.tail(30) : runtime.tail(30));
		await shutdown(`${which} ended`, 1);
	}
}

/**
 * A port from the environment, or the default.
 * @param {NodeJS.ProcessEnv} env @param {string} name @param {string} fallback
 */
function portFrom(env, name, fallback) {
	const text = env[name] || fallback;
	const port = Number(text);
	if (!/^\d+$/.test(text) || port <= 0 || port > 65535) throw new Error(`${name} is not a port (1-65535): ${JSON.stringify(text)}`);
	return port;
}

/**
 * @typedef {object} ServiceSettings
 * @property {number} port
 * @property {string} url             the credential's Base URL
 * @property {string} token           the service's API_TOKEN and the credential's API Token
 * @property {boolean} tokenGenerated  a new token was put in the state (write it)
 * @property {{ PORT: string, HOST: string, API_TOKEN: string, REDIS_URL: string, OLLAMA_HOST: string, GIT_REMOTE_BASE: string, OUTBOUND_ALLOW: string }} env
 */

/**
 * How start:local runs the service, from the environment: its port, URL and token (API_TOKEN, or
 * the one kept in the state, or a new one put there), and the variables it gets.
 * @param {NodeJS.ProcessEnv} env
 * @param {string} home  AIC_HOME
 * @param {RunLocalState} state  read from <AIC_HOME>/run-local.json; a generated token is added to it
 * @param {number} n8nPort
 * @returns {ServiceSettings}
 */
function serviceSettings(env, home, state, n8nPort) {
	const port = portFrom(env, 'RUNTIME_PORT', SERVICE_DEFAULTS.RUNTIME_PORT);
	if (port === n8nPort) throw new Error(`RUNTIME_PORT and N8N_PORT are both ${port}: the service and n8n need a port each`);
	let token = env.API_TOKEN?.trim() ?? '';
	let tokenGenerated = false;
	if (env.API_TOKEN !== undefined && !token) throw new Error('API_TOKEN is set but empty: unset it (start:local then generates one) or give a token');
	if (!token) {
		if (!state.serviceToken) {
			state.serviceToken = generateSecret('aic_', '');
			tokenGenerated = true;
		}
		token = state.serviceToken;
	}
	const url = `http://127.0.0.1:${port}`;
	return {
		port,
		url,
		token,
		tokenGenerated,
		env: {
			PORT: String(port),
			HOST: '127.0.0.1',
			API_TOKEN: token,
			REDIS_URL: env.REDIS_URL || SERVICE_DEFAULTS.REDIS_URL,
			OLLAMA_HOST: env.OLLAMA_HOST || SERVICE_DEFAULTS.OLLAMA_HOST,
			GIT_REMOTE_BASE: env.GIT_REMOTE_BASE || path.join(home, 'git'),
			OUTBOUND_ALLOW: outboundAllowFor(env),
		},
	};
}

/**
 * What to paste to see it work: the company template's intake, the client's status webhook, the
 * plan-only template, and the service itself.
 * @param {string} n8nUrl @param {ServiceSettings} service
 */
function tryLines(n8nUrl, service) {
	const body = JSON.stringify({ title: 'Todo API', requirements: 'A small todo REST API in Node.js, with tests', clientName: 'Ada', key: 'todo-1' });
	return [
		`intake URL: ${n8nUrl}/webhook/new-project`,
		'try it:',
		`  curl -s -XPOST ${n8nUrl}/webhook/new-project -H 'content-type: application/json' -d '${body}'`,
		`  curl -s '${n8nUrl}/webhook/project-status?projectId=<projectId from the answer>&key=todo-1'`,
		`  curl -s -XPOST ${n8nUrl}/webhook/plan-project -H 'content-type: application/json' -d '${JSON.stringify({ title: 'Todo API', requirements: 'A small todo REST API' })}'`,
		`  curl -s ${service.url}/api/projects -H 'Authorization: Bearer ${service.token}'`,
	];
}

/**
 * A URL for the console: its password replaced by ***.
 * @param {string} url
 */
function redactUrl(url) {
	try {
		const parsed = new URL(url);
		if (parsed.password) parsed.password = '***';
		return parsed.toString().replace(/\/$/, '');
	} catch {
		return '(not a URL)';
	}
}

/**
 * @typedef {object} RunLocalState
 * @property {Record<string, { file: string, sha256: string }>} templates  imported template ids
 * @property {{ email: string, password?: string }} [owner]
 * @property {boolean} [ownerApplied]
 * @property {string} [serviceToken]  the service's API token, when start:local generated it
 */

/** @param {string} file @returns {RunLocalState} */
function readState(file) {
	try {
		const state = JSON.parse(fs.readFileSync(file, 'utf8'));
		return { templates: {}, ...state };
	} catch {
		return { templates: {} };
	}
}

/** @param {string} file @param {RunLocalState} state */
function writeState(file, state) {
	fs.writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** @returns {{ file: string, sha256: string, workflow: { id: string, name?: string, nodes: unknown[], connections: object } }[]} */
function readTemplates() {
	if (!fs.existsSync(TEMPLATES_DIR)) return [];
	const templates = [];
	for (const file of fs.readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.json')).sort()) {
		const text = fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8');
		let workflow;
		try {
			workflow = JSON.parse(text);
		} catch (error) {
			say(`skipping workflows/${file}: not JSON (${/** @type {Error} */ (error).message})`);
			continue;
		}
		if (!workflow || !Array.isArray(workflow.nodes) || typeof workflow.connections !== 'object') {
			say(`skipping workflows/${file}: not an n8n workflow (needs "nodes" and "connections")`);
			continue;
		}
		// A stable id, so a re-run recognises the template instead of importing a copy.
		if (!workflow.id) workflow.id = crypto.createHash('sha256').update(file).digest('hex').slice(0, 16);
		templates.push({ file, sha256: crypto.createHash('sha256').update(text).digest('hex'), workflow });
	}
	return templates;
}

/** @param {string} prefix @param {string} suffix */
function generateSecret(prefix, suffix) {
	return `${prefix}${crypto.randomBytes(18).toString('base64url')}${suffix}`;
}

module.exports = { LOCAL_API_CREDENTIAL, LOCAL_SMTP_CREDENTIAL, smtpCredentialData, portFrom, serviceSettings, tryLines, redactUrl };

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`[start:local] ${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(1);
	});
}

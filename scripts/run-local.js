#!/usr/bin/env node
'use strict';
/**
 * Run this package in a real local n8n, in the foreground (`npm run start:local`).
 *
 *   npm run build && npm run start:local
 *
 * - installs n8n 2.41.1 with its own Node 24 into a cache folder the first time (about 5 minutes);
 * - packs this repo (dist/ must be built) and installs it into the n8n user folder the way
 *   n8n's Community Nodes screen does; every run reinstalls it, the database is kept;
 * - creates or updates the credentials the templates refer to: "Ollama (local)" (our type
 *   aiCompanyOllamaApi, id aicOllamaLocal01) for OLLAMA_HOST, and "Redis (local)" (n8n's built-in
 *   type redis, id aicRedisLocal01) for REDIS_URL;
 * - imports the workflow templates in workflows/*.json that this user folder has not had yet;
 * - sets up an owner account on the first run (no setup screen) and prints how to sign in;
 * - starts n8n and prints the editor URL; Ctrl-C stops it.
 *
 * Environment:
 *   AIC_HOME         n8n user folder (default ~/.n8n-ai-company; n8n's data is in <AIC_HOME>/.n8n)
 *   N8N_PORT         editor port (default 5678)
 *   OLLAMA_HOST      Ollama base URL for the credential (default http://127.0.0.1:11434)
 *   OLLAMA_API_KEY   Bearer token for an Ollama behind an authenticating proxy (default empty)
 *   REDIS_URL        Redis for the project store (default redis://127.0.0.1:6379): host, port,
 *                    user, password and database from redis[s]://[user[:password]@]host[:port][/db];
 *                    rediss:// turns on SSL
 *   AIC_OWNER_EMAIL / AIC_OWNER_PASSWORD   owner account (default owner@ai-company.local and a
 *                    generated password, kept in <AIC_HOME>/run-local.json); setting
 *                    AIC_OWNER_PASSWORD resets the owner's password to it at this start
 *   AIC_REIMPORT_TEMPLATES=1   import every template again (replaces your edits of them)
 *   AIC_TEMPLATES_DIR  templates folder (default workflows/ of this repo)
 *   AIC_CACHE_DIR    where n8n is installed (default ~/.cache/n8n-nodes-ai-company)
 *   Any N8N_* variable is passed to n8n.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const n8n = require('./lib/n8nInstance');

const REPO_ROOT = n8n.REPO_ROOT;
const TEMPLATES_DIR = process.env.AIC_TEMPLATES_DIR ? path.resolve(process.env.AIC_TEMPLATES_DIR) : path.join(REPO_ROOT, 'workflows');

/** The credentials the workflow templates refer to (`credentials.aiCompanyOllamaApi`, `credentials.redis`). */
const LOCAL_OLLAMA_CREDENTIAL = { id: 'aicOllamaLocal01', name: 'Ollama (local)', type: 'aiCompanyOllamaApi' };
const LOCAL_REDIS_CREDENTIAL = { id: 'aicRedisLocal01', name: 'Redis (local)', type: 'redis' };
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** @param {string} message */
const say = (message) => process.stdout.write(`[start:local] ${message}\n`);

async function main() {
	const home = path.resolve(process.env.AIC_HOME || path.join(os.homedir(), '.n8n-ai-company'));
	const port = Number(process.env.N8N_PORT || 5678);
	if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`N8N_PORT is not a port: ${process.env.N8N_PORT}`);
	const ollamaUrl = (process.env.OLLAMA_HOST || 'http://127.0.0.1:11434').replace(/\/+$/, '');
	const ollama = { baseUrl: /^https?:\/\//.test(ollamaUrl) ? ollamaUrl : `http://${ollamaUrl}`, apiKey: process.env.OLLAMA_API_KEY || '' };
	const redis = redisCredentialFromUrl(process.env.REDIS_URL || DEFAULT_REDIS_URL);

	if (!(await n8n.isPortFree(port))) {
		throw new Error(`port ${port} is in use: is n8n already running? Stop it, or choose another port with N8N_PORT=...`);
	}
	fs.mkdirSync(home, { recursive: true });
	const statePath = path.join(home, 'run-local.json');
	const state = readState(statePath);

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

	// 2. The credentials (created, or updated to the current OLLAMA_HOST / OLLAMA_API_KEY / REDIS_URL).
	await n8n.importCredentials(home, [
		{ ...LOCAL_OLLAMA_CREDENTIAL, data: ollama },
		{ ...LOCAL_REDIS_CREDENTIAL, data: redis },
	]);
	say(`credential "${LOCAL_OLLAMA_CREDENTIAL.name}" (id ${LOCAL_OLLAMA_CREDENTIAL.id}) -> ${ollama.baseUrl}${ollama.apiKey ? ' with an API key' : ''}`);
	say(`credential "${LOCAL_REDIS_CREDENTIAL.name}" (id ${LOCAL_REDIS_CREDENTIAL.id}) -> ${describeRedis(redis)}`);

	// 3. Workflow templates this user folder has not had yet (edits of imported ones are kept).
	const templates = readTemplates();
	const reimport = process.env.AIC_REIMPORT_TEMPLATES === '1';
	const fresh = templates.filter((t) => reimport || !state.templates[t.workflow.id]);
	if (fresh.length > 0) {
		await n8n.importWorkflow(home, fresh.map((t) => t.workflow));
		for (const t of fresh) state.templates[t.workflow.id] = { file: t.file, sha256: t.sha256 };
		writeState(statePath, state);
		say(`imported workflow templates: ${fresh.map((t) => `${t.file} ("${t.workflow.name}")`).join(', ')}`);
	}
	const changed = templates.filter((t) => !fresh.includes(t) && state.templates[t.workflow.id]?.sha256 !== t.sha256);
	if (changed.length > 0) {
		say(`templates changed since imported (kept your copy; AIC_REIMPORT_TEMPLATES=1 replaces it): ${changed.map((t) => t.file).join(', ')}`);
	}
	if (templates.length === 0) say(`no workflow templates in ${TEMPLATES_DIR}`);

	// 4. Owner account: set on the first run, or when AIC_OWNER_PASSWORD is given.
	const envEmail = process.env.AIC_OWNER_EMAIL;
	const envPassword = process.env.AIC_OWNER_PASSWORD;
	const applyOwner = !state.ownerApplied || Boolean(envEmail) || Boolean(envPassword);
	/** @type {import('./lib/n8nInstance').Owner | undefined} */
	let owner;
	if (applyOwner) {
		owner = {
			email: envEmail || state.owner?.email || 'owner@ai-company.local',
			password: envPassword || state.owner?.password || generatePassword(),
		};
		// A password the user chose stays out of the state file.
		state.owner = envPassword ? { email: owner.email } : owner;
		writeState(statePath, state);
	}

	// 5. n8n in the foreground.
	/** @type {import('./lib/n8nInstance').N8nHandle | undefined} */
	let handle;
	let stopping = false;
	const shutdown = async (/** @type {string} */ signal) => {
		if (stopping) return;
		stopping = true;
		say(`${signal}: stopping n8n...`);
		await handle?.stop();
		process.exit(0);
	};
	process.on('SIGINT', () => void shutdown('SIGINT'));
	process.on('SIGTERM', () => void shutdown('SIGTERM'));

	say(`starting n8n ${n8n.N8N_VERSION} on port ${port} (data in ${path.join(home, '.n8n')}, log in ${path.join(home, 'n8n.log')})`);
	/** @type {Record<string, string | undefined>} */
	const env = { N8N_SECURE_COOKIE: process.env.N8N_SECURE_COOKIE || 'false' };
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
	if (state.owner?.password) {
		say(`sign in as ${state.owner.email} / ${state.owner.password}   (from ${statePath}, unless you changed it in n8n)`);
	} else if (state.owner) {
		say(`sign in as ${state.owner.email} with the AIC_OWNER_PASSWORD you chose`);
	}
	say('Ctrl-C stops n8n.');

	// Stay in the foreground until n8n ends (or Ctrl-C).
	while (!handle.exited()) await n8n.sleep(500);
	if (!stopping) {
		say('n8n exited on its own; last lines of its log:');
		console.log(handle.tail(30));
		process.exit(1);
	}
}

/**
 * @typedef {object} RunLocalState
 * @property {Record<string, { file: string, sha256: string }>} templates  imported template ids
 * @property {{ email: string, password?: string }} [owner]
 * @property {boolean} [ownerApplied]
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

/**
 * @typedef {object} RedisCredentialData  n8n's built-in `redis` credential
 * @property {string} host
 * @property {number} port
 * @property {string} user
 * @property {string} password
 * @property {number} database
 * @property {boolean} ssl
 * @property {boolean} disableTlsVerification
 */

/**
 * n8n's `redis` credential from a Redis URL: redis[s]://[user[:password]@]host[:port][/database]
 * (port 6379 and database 0 when left out; user and password percent-decoded; rediss:// is SSL).
 * @param {string} url
 * @returns {RedisCredentialData}
 */
function redisCredentialFromUrl(url) {
	const usage = 'expected redis://[user[:password]@]host[:port][/database]';
	/** @type {URL} */
	let parsed;
	try {
		parsed = new URL(url);
	} catch {
		throw new Error(`REDIS_URL is not a URL (${usage}): ${url}`);
	}
	if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
		throw new Error(`REDIS_URL must start with redis:// or rediss:// (${usage}), got ${parsed.protocol}//`);
	}
	const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
	if (!host) throw new Error(`REDIS_URL has no host (${usage})`);
	const database = parsed.pathname.replace(/^\/+|\/+$/g, '');
	if (database && !/^\d+$/.test(database)) throw new Error(`REDIS_URL's database must be a number, got "${database}" (${usage})`);
	return {
		host,
		port: parsed.port ? Number(parsed.port) : 6379,
		user: decodeURIComponent(parsed.username),
		password: decodeURIComponent(parsed.password),
		database: database ? Number(database) : 0,
		ssl: parsed.protocol === 'rediss:',
		disableTlsVerification: false,
	};
}

/**
 * Where a Redis credential points, for the console: never the password.
 * @param {RedisCredentialData} redis
 */
function describeRedis(redis) {
	const host = redis.host.includes(':') ? `[${redis.host}]` : redis.host;
	const user = redis.user ? `${encodeURIComponent(redis.user)}@` : '';
	const password = redis.password ? ' with a password' : '';
	return `${redis.ssl ? 'rediss' : 'redis'}://${user}${host}:${redis.port}/${redis.database}${password}`;
}

function generatePassword() {
	return `Aic-${crypto.randomBytes(12).toString('base64url')}-1`;
}

module.exports = { LOCAL_OLLAMA_CREDENTIAL, LOCAL_REDIS_CREDENTIAL, redisCredentialFromUrl, describeRedis };

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`[start:local] ${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(1);
	});
}

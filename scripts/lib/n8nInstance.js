'use strict';
/**
 * A real n8n, for the end-to-end tests and for `scripts/run-local.js`: one implementation.
 *
 * - n8n (pinned) and a Node 24 binary live in a cache folder outside the repo, made once by
 *   `scripts/install-n8n.sh` (n8n 2.x needs Node >= 24; the machine's node may be older).
 * - Our package is packed with `npm pack` and installed into `<userFolder>/.n8n/nodes` with the
 *   same steps as n8n's own Community Nodes installer (see `installLikeCommunityNodes`).
 * - Credentials and workflows go in with n8n's CLI (`import:credentials`, `import:workflow`,
 *   `publish:workflow`) before `n8n start`, with the same environment as the server.
 *
 * Plain CommonJS so both jest (ts-jest) and a plain `node` script can require it.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const INSTALL_SCRIPT = path.join(REPO_ROOT, 'scripts', 'install-n8n.sh');
const N8N_VERSION = process.env.N8N_VERSION || '2.41.1';
const NODE_MAJOR = process.env.N8N_NODE_MAJOR || '24';
/** What n8n's Community Nodes installer passes as `--registry` (N8N_COMMUNITY_PACKAGES_REGISTRY). */
const DEFAULT_COMMUNITY_REGISTRY = 'https://registry.npmjs.org';
/** N8N_PAYLOAD_SIZE_MAX (MiB) unless the environment sets it: see n8nEnv. docker-compose.yml sets the same. */
const PAYLOAD_SIZE_MAX_MIB = '1';

/**
 * Lines in n8n's log that mean a community package (or one of its nodes) did not load.
 * From n8n 2.41: load-nodes-and-credentials.js logs `Failed to load package "<name>"`,
 * n8n-core's DirectoryLoader throws "Class could not be found..." for a class/file mismatch or
 * an unloadable module, scan-directory-for-packages warns `Skipping package ...`.
 */
const LOAD_ERROR_PATTERNS = [
	/Failed to load package/,
	/Class could not be found/,
	/Cannot find module/,
	/Skipping package/,
	/Unknown credential name/,
	/Unrecognized node type/i,
	/Unrecognized credential type/i,
];

/**
 * @typedef {object} N8nInstall
 * @property {string} dir         the cache folder (holds node_modules/n8n and node_modules/node)
 * @property {string} version     n8n version
 * @property {string} nodeBin     the Node 24 binary
 * @property {string} nodeBinDir  its folder, put first on PATH for everything n8n runs
 * @property {string} n8nEntry    n8n's bin script (run as `nodeBin n8nEntry <command>`)
 */

/**
 * @typedef {object} CliResult
 * @property {number} code
 * @property {string} output  stdout and stderr, interleaved
 * @property {number} ms
 */

/**
 * @typedef {object} Owner
 * @property {string} email
 * @property {string} password
 * @property {string} [firstName]
 * @property {string} [lastName]
 */

/**
 * @typedef {object} N8nHandle
 * @property {string} url        e.g. http://127.0.0.1:5679 (no trailing slash)
 * @property {number} port
 * @property {number} pid        the n8n process (leader of its own process group)
 * @property {string} logFile
 * @property {number} startMs    how long the start took, until the editor line and /healthz/readiness
 * @property {() => Promise<void>} stop   kill the whole process group and wait until it is gone
 * @property {() => string} logs          the whole log so far
 * @property {(lines?: number) => string} tail
 * @property {() => boolean} exited
 */

// ---------------------------------------------------------------------------------------------
// Install

function cacheRoot() {
	return process.env.AIC_CACHE_DIR || path.join(os.homedir(), '.cache', 'n8n-nodes-ai-company');
}

/** @param {string} dir @returns {N8nInstall} */
function describeInstall(dir) {
	const nodeBinDir = path.join(dir, 'node_modules', 'node', 'bin');
	return {
		dir,
		version: N8N_VERSION,
		nodeBin: path.join(nodeBinDir, 'node'),
		nodeBinDir,
		n8nEntry: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
	};
}

/** @param {N8nInstall} install */
function isComplete(install) {
	return isExecutable(install.nodeBin) && fs.existsSync(install.n8nEntry);
}

/** @param {string} file */
function isExecutable(file) {
	try {
		fs.accessSync(file, fs.constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

/** @type {Promise<N8nInstall> | undefined} */
let installing;

/**
 * The cached n8n install; runs scripts/install-n8n.sh when it is missing (a cold install takes
 * about 5 minutes and 2.8 GB; its npm output goes to this process's stderr).
 * Cache root: AIC_CACHE_DIR, default ~/.cache/n8n-nodes-ai-company.
 * @param {{ log?: (message: string) => void }} [options]
 * @returns {Promise<N8nInstall>}
 */
function ensureN8nInstalled(options = {}) {
	if (!installing) {
		installing = doEnsureInstalled(options).catch((error) => {
			installing = undefined;
			throw error;
		});
	}
	return installing;
}

/** @param {{ log?: (message: string) => void }} options */
async function doEnsureInstalled({ log = (m) => process.stderr.write(`${m}\n`) }) {
	const expected = describeInstall(path.join(cacheRoot(), `n8n-${N8N_VERSION}-node${NODE_MAJOR}`));
	if (isComplete(expected)) return expected;
	log(`n8n ${N8N_VERSION} is not in the cache (${expected.dir}): installing it once, about 5 minutes...`);
	const started = Date.now();
	const result = await runProcess('bash', [INSTALL_SCRIPT], {
		env: { ...process.env, AIC_CACHE_DIR: cacheRoot(), N8N_VERSION, N8N_NODE_MAJOR: NODE_MAJOR },
		stderr: 'inherit',
	});
	if (result.code !== 0) {
		throw new Error(`scripts/install-n8n.sh failed (exit ${result.code}):\n${tailText(result.output, 40)}`);
	}
	const printed = result.stdout.trim().split('\n').pop() || expected.dir;
	const install = describeInstall(printed);
	if (!isComplete(install)) {
		throw new Error(`scripts/install-n8n.sh finished but ${install.dir} has no Node binary or n8n entry`);
	}
	log(`n8n ${N8N_VERSION} installed in ${Math.round((Date.now() - started) / 1000)} s: ${install.dir}`);
	return install;
}

// ---------------------------------------------------------------------------------------------
// Package

/**
 * `npm pack` the repo into destDir, as it would be published. The repo's .npmrc has
 * ignore-scripts=true, so no prepack/build runs: dist/ must already be built.
 * @param {string} repoRoot
 * @param {string} destDir
 * @returns {Promise<string>} absolute path of the .tgz
 */
async function packPackage(repoRoot, destDir) {
	const pkg = readJson(path.join(repoRoot, 'package.json'));
	const declared = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	const missing = declared.filter((file) => !fs.existsSync(path.join(repoRoot, file)));
	if (!fs.existsSync(path.join(repoRoot, 'dist')) || missing.length > 0) {
		throw new Error(
			`${pkg.name}: dist/ is not built${missing.length ? ` (missing ${missing.join(', ')})` : ''}. Run \`npm run build\` first.`,
		);
	}
	await fsp.mkdir(destDir, { recursive: true });
	const result = await runProcess('npm', ['pack', '--json', '--pack-destination', destDir], { cwd: repoRoot });
	if (result.code !== 0) throw new Error(`npm pack failed (exit ${result.code}):\n${tailText(result.output, 30)}`);
	/** @type {{ filename: string }[]} */
	const packed = JSON.parse(result.stdout.slice(result.stdout.indexOf('[')));
	const tarball = path.resolve(destDir, packed[0].filename);
	if (!fs.existsSync(tarball)) throw new Error(`npm pack reported ${tarball} but it is not there`);
	return tarball;
}

/**
 * Install a package tarball into `<userFolder>/.n8n/nodes` exactly as n8n 2.41's Community Nodes
 * installer does (CommunityPackagesService.downloadPackage), with a local tarball instead of
 * `npm pack <name>@<version>` from the registry:
 *  1. move an existing `node_modules/<name>` aside (`<dir>.backup-<ms>`, restored on failure);
 *  2. `tar -xzf <tgz> -C <nodes>/node_modules/<name> --strip-components=1`;
 *  3. rewrite its package.json without devDependencies/peerDependencies/optionalDependencies;
 *  4. in that folder: `npm install --audit=false --fund=false --bin-links=false
 *     --install-strategy=shallow --ignore-scripts=true --package-lock=false --registry=<registry>`
 *     (npm from PATH, Node 24 first on PATH, as when n8n runs it);
 *  5. check `n8n.n8nNodesApiVersion` as assertPackageApiVersionSupported does;
 *  6. `"<name>": "<version>"` into the dependencies of `<nodes>/package.json`
 *     (created as `{ name: 'installed-nodes', private: true, dependencies: {} }` when missing).
 * @param {string} userFolder  N8N_USER_FOLDER
 * @param {string} tarballPath
 * @param {{ registry?: string }} [options]
 * @returns {Promise<{ name: string, version: string, packageDir: string, ms: number }>}
 */
async function installLikeCommunityNodes(userFolder, tarballPath, options = {}) {
	const started = Date.now();
	const install = await ensureN8nInstalled();
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const ledgerPath = path.join(nodesDir, 'package.json');
	await fsp.mkdir(path.join(nodesDir, 'node_modules'), { recursive: true });

	const manifestText = (await runChecked('tar', ['-xzOf', tarballPath, 'package/package.json'])).stdout;
	const { name, version } = JSON.parse(manifestText);
	const packageDir = path.join(nodesDir, 'node_modules', name);
	if (path.relative(path.join(nodesDir, 'node_modules'), packageDir).split(path.sep).join('/') !== name) {
		throw new Error(`Invalid package name ${JSON.stringify(name)}`);
	}

	let backupDir;
	if (fs.existsSync(packageDir)) {
		backupDir = `${packageDir}.backup-${Date.now()}`;
		await fsp.rename(packageDir, backupDir);
	}
	try {
		await fsp.mkdir(packageDir, { recursive: true });
		await runChecked('tar', ['-xzf', path.resolve(tarballPath), '-C', packageDir, '--strip-components=1']);
		const manifestPath = path.join(packageDir, 'package.json');
		const { devDependencies, peerDependencies, optionalDependencies, ...manifest } = readJson(manifestPath);
		await fsp.writeFile(manifestPath, JSON.stringify(manifest, null, 2), 'utf-8');
		const registry = (options.registry || process.env.N8N_COMMUNITY_PACKAGES_REGISTRY || DEFAULT_COMMUNITY_REGISTRY).replace(/\/+$/, '');
		await runChecked(
			'npm',
			[
				'install',
				'--audit=false',
				'--fund=false',
				'--bin-links=false',
				'--install-strategy=shallow',
				'--ignore-scripts=true',
				'--package-lock=false',
				`--registry=${registry}`,
			],
			{ cwd: packageDir, env: { ...process.env, PATH: withNodeFirst(install, process.env.PATH) } },
		);
		const apiVersion = manifest.n8n?.n8nNodesApiVersion;
		if (apiVersion !== undefined && !(Number.isInteger(apiVersion) && apiVersion >= 1)) {
			throw new Error(`${name}: invalid n8n.n8nNodesApiVersion ${JSON.stringify(apiVersion)}`);
		}
		const declared = [...(manifest.n8n?.nodes ?? []), ...(manifest.n8n?.credentials ?? [])];
		const missing = declared.filter((file) => !fs.existsSync(path.join(packageDir, file)));
		if (missing.length > 0) throw new Error(`${name}: the tarball lacks files its package.json declares: ${missing.join(', ')}`);
	} catch (error) {
		await fsp.rm(packageDir, { recursive: true, force: true });
		if (backupDir) await fsp.rename(backupDir, packageDir);
		throw error;
	}
	if (backupDir) await fsp.rm(backupDir, { recursive: true, force: true, maxRetries: 3 });

	let ledger = null;
	try {
		ledger = readJson(ledgerPath);
	} catch {
		ledger = null;
	}
	if (!ledger || typeof ledger.dependencies !== 'object' || ledger.dependencies === null) {
		ledger = { name: 'installed-nodes', private: true, dependencies: {} };
	}
	ledger.dependencies[name] = version;
	await fsp.writeFile(ledgerPath, JSON.stringify(ledger, null, 2), 'utf-8');
	return { name, version, packageDir, ms: Date.now() - started };
}

// ---------------------------------------------------------------------------------------------
// CLI

/**
 * The environment every n8n process gets (CLI commands and `start`): Node 24 first on PATH, the
 * user folder, no telemetry, no calls home that can be switched off, NODE_ENV=production (jest
 * sets NODE_ENV=test, which makes n8n refuse to load nodes).
 * Values already in process.env win over the quiet defaults; `overrides` win over everything.
 * @param {N8nInstall} install
 * @param {string} userFolder
 * @param {Record<string, string | undefined>} [overrides]
 * @returns {NodeJS.ProcessEnv}
 */
function n8nEnv(install, userFolder, overrides = {}) {
	const quietDefaults = {
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		// The MCP registry module fetches https://api.n8n.io/api/mcp-servers at start.
		N8N_DISABLED_MODULES: 'mcp-registry',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_LEVEL: 'info',
		// The largest request body n8n reads, in MiB (n8n's default: 16): a bigger JSON, form or text
		// body is refused before any workflow runs (n8n 2.41.1 answers 500). 1 MiB: the service's
		// BODY_LIMIT_BYTES default; the company template refuses a bigger intake itself (413).
		N8N_PAYLOAD_SIZE_MAX: PAYLOAD_SIZE_MAX_MIB,
	};
	/** @type {NodeJS.ProcessEnv} */
	const env = { ...quietDefaults, ...process.env };
	Object.assign(env, {
		PATH: withNodeFirst(install, process.env.PATH),
		NODE_ENV: 'production',
		N8N_USER_FOLDER: userFolder,
	});
	for (const key of ['NODE_OPTIONS', 'JEST_WORKER_ID', 'N8N_CONFIG_FILES']) delete env[key];
	for (const [key, value] of Object.entries(overrides)) {
		if (value === undefined) delete env[key];
		else env[key] = value;
	}
	return env;
}

/** @param {N8nInstall} install @param {string | undefined} pathVar */
function withNodeFirst(install, pathVar) {
	return [install.nodeBinDir, pathVar].filter(Boolean).join(path.delimiter);
}

/**
 * Run `n8n <args>` (each command boots n8n: a few seconds). Throws with the output on failure.
 * @param {string} userFolder
 * @param {string[]} args
 * @param {{ env?: Record<string, string | undefined> }} [options]
 * @returns {Promise<CliResult>}
 */
async function runN8nCli(userFolder, args, options = {}) {
	const install = await ensureN8nInstalled();
	await fsp.mkdir(userFolder, { recursive: true });
	const started = Date.now();
	const result = await runProcess(install.nodeBin, [install.n8nEntry, ...args], {
		cwd: userFolder,
		env: n8nEnv(install, userFolder, options.env),
	});
	const ms = Date.now() - started;
	if (result.code !== 0 || /An error occurred while importing|Error updating database/.test(result.output)) {
		throw new Error(`n8n ${args.join(' ')} failed (exit ${result.code}, ${ms} ms):\n${tailText(result.output, 40)}`);
	}
	return { code: result.code, output: result.output, ms };
}

/**
 * `n8n import:credentials` for an array of `{ id, name, type, data }` (data as a plain object;
 * n8n encrypts it with the user folder's key). An existing credential with the same id is updated.
 * @param {string} userFolder
 * @param {{ id: string, name: string, type: string, data: Record<string, unknown> }[]} creds
 * @param {{ env?: Record<string, string | undefined> }} [options]
 */
async function importCredentials(userFolder, creds, options = {}) {
	if (creds.length === 0) return undefined;
	const file = await writeTempJson(userFolder, 'credentials', creds);
	try {
		return await runN8nCli(userFolder, ['import:credentials', `--input=${file}`], options);
	} finally {
		await fsp.rm(file, { force: true });
	}
}

/**
 * `n8n import:workflow` for one workflow or several (one CLI boot for all of them). A workflow
 * with the id of an existing one replaces it (and unpublishes it: publish again).
 * @param {string} userFolder
 * @param {object | object[]} workflowJson
 * @param {{ env?: Record<string, string | undefined> }} [options]
 */
async function importWorkflow(userFolder, workflowJson, options = {}) {
	const workflows = Array.isArray(workflowJson) ? workflowJson : [workflowJson];
	if (workflows.length === 0) return undefined;
	const file = await writeTempJson(userFolder, 'workflows', workflows);
	try {
		return await runN8nCli(userFolder, ['import:workflow', `--input=${file}`], options);
	} finally {
		await fsp.rm(file, { force: true });
	}
}

/**
 * `n8n publish:workflow --id=<id>`: in n8n 2.x a workflow's production webhooks/triggers only run
 * once published. Takes effect at the next `n8n start`. One id per command (n8n 2.41 dropped --all).
 * @param {string} userFolder
 * @param {string} id
 * @param {{ env?: Record<string, string | undefined> }} [options]
 */
async function publishWorkflow(userFolder, id, options = {}) {
	return await runN8nCli(userFolder, ['publish:workflow', `--id=${id}`], options);
}

/** @param {string} userFolder @param {string} label @param {unknown} value */
async function writeTempJson(userFolder, label, value) {
	const dir = path.join(userFolder, '.aic-import');
	await fsp.mkdir(dir, { recursive: true });
	const file = path.join(dir, `${label}-${process.pid}-${Date.now()}.json`);
	await fsp.writeFile(file, JSON.stringify(value, null, 2), 'utf-8');
	return file;
}

// ---------------------------------------------------------------------------------------------
// Server

/**
 * Start `n8n start` in its own process group, log (stdout+stderr) to a file, wait until
 * /healthz/readiness answers 200 and the log says "Editor is now accessible" (published workflows
 * are activated by then). Rejects, with the log tail, when n8n exits early, a package fails to
 * load (see LOAD_ERROR_PATTERNS) or the wait times out.
 * @param {object} options
 * @param {string} options.userFolder
 * @param {number} [options.port]          default: a free port
 * @param {Record<string, string | undefined>} [options.env]  extra environment (wins)
 * @param {string} [options.logFile]       default: <userFolder>/n8n.log (appended)
 * @param {boolean} [options.echo]         also copy n8n's output to this process's stdout
 * @param {number} [options.timeoutMs]     default 180 s
 * @param {boolean} [options.failOnLoadErrors]  default true
 * @param {(handle: N8nHandle) => void} [options.onSpawn]  called with the handle as soon as the
 *   process exists (before it is ready), so a caller can stop it if it is interrupted meanwhile
 * @param {Owner} [options.owner]  set up this owner account (N8N_INSTANCE_OWNER_MANAGED_BY_ENV),
 *   so the editor asks to sign in instead of showing the owner setup screen, and
 *   `restSession` can call the internal REST API. n8n overwrites the owner's email, name and
 *   password with these at every start that passes them.
 * @returns {Promise<N8nHandle>}
 */
async function startN8n(options) {
	const install = await ensureN8nInstalled();
	const { userFolder, echo = false, timeoutMs = 180_000, failOnLoadErrors = true } = options;
	const port = options.port ?? (await findFreePort());
	const brokerPort = options.env?.N8N_RUNNERS_BROKER_PORT ?? process.env.N8N_RUNNERS_BROKER_PORT ?? String(await findFreePort());
	const url = `http://127.0.0.1:${port}`;
	const logFile = options.logFile ?? path.join(userFolder, 'n8n.log');
	await fsp.mkdir(path.dirname(logFile), { recursive: true });
	const logStartOffset = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
	const logStream = fs.createWriteStream(logFile, { flags: 'a' });
	logStream.write(`\n===== n8n start ${new Date().toISOString()} port ${port} =====\n`);

	const env = n8nEnv(install, userFolder, {
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: brokerPort,
		...(options.owner ? await ownerEnv(install, options.owner) : {}),
		...options.env,
	});
	const started = Date.now();
	const child = spawn(install.nodeBin, [install.n8nEntry, 'start'], {
		cwd: userFolder,
		env,
		detached: true, // own process group: stop() kills n8n and its task runners together
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	liveGroups.add(/** @type {number} */ (child.pid));
	let output = '';
	let exitInfo = /** @type {{ code: number | null, signal: string | null } | undefined} */ (undefined);
	const exitPromise = new Promise((resolve) => {
		child.once('exit', (code, signal) => {
			if (!groupAlive(child.pid)) liveGroups.delete(/** @type {number} */ (child.pid));
			exitInfo = { code, signal };
			resolve(exitInfo);
		});
	});
	/** @param {Buffer} chunk */
	const onData = (chunk) => {
		output += chunk.toString();
		// A long-running server (run-local) must not hold its whole log in memory; the file has it.
		if (output.length > 2_000_000) output = output.slice(-1_000_000);
		logStream.write(chunk);
		if (echo) process.stdout.write(chunk);
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);

	const logs = () => readLogSince(logFile, logStartOffset, output);
	const tail = (lines = 60) => tailText(logs(), lines);

	/** @type {Promise<void> | undefined} */
	let stopping;
	const stop = () => {
		if (!stopping) stopping = killGroup(child, exitPromise, () => exitInfo !== undefined).finally(() => logStream.end());
		return stopping;
	};

	/** @type {N8nHandle} */
	const handle = {
		url,
		port,
		pid: /** @type {number} */ (child.pid),
		logFile,
		startMs: 0,
		stop,
		logs,
		tail,
		exited: () => exitInfo !== undefined,
	};
	options.onSpawn?.(handle);

	try {
		const deadline = started + timeoutMs;
		for (;;) {
			if (exitInfo) throw new Error(`n8n exited during start (code ${exitInfo.code}, signal ${exitInfo.signal})`);
			if (failOnLoadErrors) assertNoLoadErrors(output);
			if (/Editor is now accessible/.test(output) && (await httpStatus(`${url}/healthz/readiness`)) === 200) break;
			if (Date.now() > deadline) throw new Error(`n8n did not become ready within ${timeoutMs / 1000} s`);
			await sleep(250);
		}
		handle.startMs = Date.now() - started;
		if (failOnLoadErrors) assertNoLoadErrors(output);
		return handle;
	} catch (error) {
		await stop();
		let diagnosis = '';
		if (/load errors/.test(String(error))) {
			diagnosis = await diagnoseCommunityPackages(userFolder).catch((e) => `(diagnosis failed: ${e})`);
		}
		const err = withLogTail(error, `n8n log (${logFile})`, tail(80));
		if (diagnosis) err.message = `${err.message}\nLoading the package files the way n8n does gives:\n${diagnosis}`;
		throw err;
	}
}

/**
 * Environment for n8n's owner bootstrap (instance-settings-loader, n8n >= 2.x): the password goes
 * in as a bcrypt hash, made with n8n's own bcryptjs.
 * @param {N8nInstall} install
 * @param {Owner} owner
 */
async function ownerEnv(install, owner) {
	const bcrypt = require(path.join(install.dir, 'node_modules', 'bcryptjs'));
	return {
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: owner.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: owner.firstName ?? 'AI Company',
		N8N_INSTANCE_OWNER_LAST_NAME: owner.lastName ?? 'Owner',
		N8N_INSTANCE_OWNER_PASSWORD_HASH: await bcrypt.hash(owner.password, 10),
	};
}

/**
 * Sign in to n8n's internal REST API (what the editor uses) as the owner set up by startN8n.
 * @param {string} url
 * @param {Owner} owner
 */
async function restSession(url, owner) {
	const browserId = `aic-${process.pid}-${Date.now()}`;
	const login = await fetch(`${url}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'browser-id': browserId },
		body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
	});
	if (!login.ok) throw new Error(`n8n login as ${owner.email} failed: ${login.status} ${await login.text()}`);
	const cookie = login.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.join('; ');
	/** @param {string} method @param {string} restPath @param {unknown} [body] */
	const call = async (method, restPath, body) => {
		const res = await fetch(`${url}/rest${restPath}`, {
			method,
			headers: { cookie, 'browser-id': browserId, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} /rest${restPath}: ${res.status} ${text}`);
		return JSON.parse(text).data;
	};
	return {
		/** @param {string} restPath @returns {Promise<any>} */
		get: (restPath) => call('GET', restPath),
		/** @param {string} restPath @param {unknown} body @returns {Promise<any>} */
		post: (restPath, body) => call('POST', restPath, body),
	};
}

/**
 * @typedef {object} ExecutionSummary
 * @property {string} id
 * @property {string} status          e.g. 'success' | 'error'
 * @property {string | undefined} lastNodeExecuted
 * @property {string | undefined} errorMessage   the run's error (resultData.error.message)
 * @property {string | undefined} errorDescription
 * @property {string | undefined} errorNode      name of the node that failed
 */

/**
 * A workflow's executions, newest first, with the error of failed ones (execution data comes
 * back `flatted`-encoded; decoded with n8n's own flatted).
 * @param {{ get: (p: string) => Promise<any> }} session  from restSession
 * @param {string} workflowId
 * @returns {Promise<ExecutionSummary[]>}
 */
async function listExecutions(session, workflowId) {
	const install = await ensureN8nInstalled();
	const flatted = require(path.join(install.dir, 'node_modules', 'flatted'));
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const list = await session.get(`/executions?filter=${filter}&limit=50`);
	/** @type {ExecutionSummary[]} */
	const out = [];
	for (const item of list.results ?? []) {
		const full = await session.get(`/executions/${item.id}`);
		const data = typeof full.data === 'string' ? flatted.parse(full.data) : full.data;
		const error = data?.resultData?.error;
		out.push({
			id: String(item.id),
			status: full.status ?? item.status,
			lastNodeExecuted: data?.resultData?.lastNodeExecuted,
			errorMessage: error?.message,
			errorDescription: error?.description ?? undefined,
			errorNode: error?.node?.name,
		});
	}
	return out;
}

/**
 * Why n8n could not load community packages: n8n's log only says `Failed to load package "<name>"`
 * at the default log level. This loads every node/credential file of every package in
 * `<userFolder>/.n8n/nodes/node_modules` the way n8n-core does (Node 24, NODE_PATH = n8n's module
 * paths, `new (require(file)[<base name up to the first dot>])()`) and reports what fails.
 * @param {string} userFolder
 * @returns {Promise<string>} one line per failure, or '' when everything loads
 */
async function diagnoseCommunityPackages(userFolder) {
	const install = await ensureN8nInstalled();
	const script = `
const fs = require('fs'), path = require('path');
const root = process.argv[1];
const dirs = fs.existsSync(root) ? fs.readdirSync(root).flatMap((d) => d.startsWith('@') ? fs.readdirSync(path.join(root, d)).map((s) => d + '/' + s) : [d]) : [];
for (const name of dirs.filter((d) => /(^|\\/)n8n-nodes-/.test(d) && !/\\.backup-\\d+$/.test(d))) {
  const dir = path.join(root, name);
  let pkg;
  try { pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')); } catch (e) { console.log(name + ': package.json: ' + e.message); continue; }
  for (const file of [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])]) {
    const className = path.parse(file).name.split('.')[0];
    try {
      const exported = require(path.resolve(dir, file));
      if (typeof exported[className] !== 'function') throw new Error('it exports no class named "' + className + '" (exports: ' + Object.keys(exported).join(', ') + ')');
      new exported[className]();
    } catch (e) { console.log(name + ': ' + file + ': ' + String(e && e.message || e).split('\\n')[0]); }
  }
}`;
	const n8nDist = path.join(install.dir, 'node_modules', 'n8n', 'dist');
	/** @type {string[]} */
	const modulePaths = [];
	for (let dir = n8nDist; ; dir = path.dirname(dir)) {
		if (path.basename(dir) !== 'node_modules') modulePaths.push(path.join(dir, 'node_modules'));
		if (path.dirname(dir) === dir) break;
	}
	const result = await runProcess(install.nodeBin, ['-e', script, path.join(userFolder, '.n8n', 'nodes', 'node_modules')], {
		cwd: userFolder,
		env: { ...n8nEnv(install, userFolder), NODE_PATH: modulePaths.join(path.delimiter) },
	});
	return result.output.trim();
}

/** @param {string} output */
function assertNoLoadErrors(output) {
	const lines = output.split('\n').filter((line) => LOAD_ERROR_PATTERNS.some((re) => re.test(line)));
	if (lines.length > 0) {
		throw new Error(`n8n reported package load errors:\n${lines.slice(0, 20).join('\n')}`);
	}
}

/**
 * Node types of a package, as n8n announced them to the editor
 * (`<userFolder>/.cache/n8n/public/types/nodes.json`, written by n8n's FrontendService once it has
 * loaded all packages). Returns e.g. ['n8n-nodes-ai-company.aiPlanner', ...].
 * @param {string} userFolder
 * @param {string} packageName
 * @returns {{ nodes: string[], credentials: string[] }}
 */
function loadedTypes(userFolder, packageName) {
	const dir = path.join(userFolder, '.cache', 'n8n', 'public', 'types');
	/** @type {{ name?: unknown }[]} */
	const nodes = readJsonOr(path.join(dir, 'nodes.json'), []);
	/** @type {{ name: string, supportedNodes?: unknown[] }[]} */
	const credentials = readJsonOr(path.join(dir, 'credentials.json'), []);
	return {
		nodes: nodes
			.map((n) => n.name)
			.filter(/** @returns {name is string} */ (name) => typeof name === 'string' && name.startsWith(`${packageName}.`)),
		credentials: credentials
			.filter((c) => Array.isArray(c.supportedNodes) && c.supportedNodes.some((s) => String(s).startsWith(`${packageName}.`)))
			.map((c) => c.name),
	};
}

/**
 * Throw unless every node type listed in the installed package's package.json shows up in n8n's
 * node types. Call after startN8n resolved.
 * @param {string} userFolder
 * @param {string} packageName
 * @param {{ expectNodes?: string[], timeoutMs?: number }} [options]  expectNodes: short names, e.g. ['aiPlanner']
 */
async function assertPackageLoaded(userFolder, packageName, options = {}) {
	const { expectNodes = [], timeoutMs = 10_000 } = options;
	const deadline = Date.now() + timeoutMs;
	/** @type {{ nodes: string[], credentials: string[] }} */
	let found = { nodes: [], credentials: [] };
	for (;;) {
		found = loadedTypes(userFolder, packageName);
		const missing = expectNodes.filter((n) => !found.nodes.includes(`${packageName}.${n}`));
		if (found.nodes.length > 0 && missing.length === 0) return found;
		if (Date.now() > deadline) {
			throw new Error(
				`n8n did not load the expected nodes of ${packageName}: missing ${missing.join(', ') || '(all)'}; loaded: ${found.nodes.join(', ') || 'none'}`,
			);
		}
		await sleep(250);
	}
}

/**
 * Wait until a production webhook is registered, polling (no fixed sleeps). The probe is a CORS
 * preflight (OPTIONS with Origin), which n8n 2.41 answers from its webhook table WITHOUT running
 * the workflow: Access-Control-Allow-Methods lists the methods registered for the path (just
 * OPTIONS while the path is unregistered, where a real POST would get a 404 "webhook not
 * registered").
 * @param {string} url  n8n base url
 * @param {string} webhookPath  e.g. 'e2e-plan'
 * @param {string} [method]  default POST
 * @param {{ timeoutMs?: number, intervalMs?: number }} [options]
 * @returns {Promise<number>} ms waited
 */
async function waitForWebhook(url, webhookPath, method = 'POST', options = {}) {
	const { timeoutMs = 60_000, intervalMs = 200 } = options;
	const started = Date.now();
	const target = `${url}/webhook/${webhookPath.replace(/^\/+/, '')}`;
	let last = '';
	for (;;) {
		try {
			const res = await fetch(target, {
				method: 'OPTIONS',
				headers: { Origin: url, 'Access-Control-Request-Method': method.toUpperCase() },
			});
			const allowed = (res.headers.get('access-control-allow-methods') || '')
				.split(',')
				.map((m) => m.trim().toUpperCase());
			last = `${res.status} allow=[${allowed.join(',')}]`;
			if (res.status !== 404 && allowed.includes(method.toUpperCase())) return Date.now() - started;
		} catch (error) {
			last = String(error);
		}
		if (Date.now() - started > timeoutMs) {
			throw new Error(`webhook ${method} ${target} not registered after ${timeoutMs / 1000} s (last: ${last})`);
		}
		await sleep(intervalMs);
	}
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** A free TCP port on 127.0.0.1 (never 5678 unless the OS hands it out). @returns {Promise<number>} */
function findFreePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
			server.close(() => resolve(port));
		});
	});
}

/** @param {number} port @returns {Promise<boolean>} */
function isPortFree(port, host = '127.0.0.1') {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, host, () => server.close(() => resolve(true)));
	});
}

/** @param {string} target */
async function httpStatus(target) {
	try {
		const res = await fetch(target, { signal: AbortSignal.timeout(5_000) });
		await res.arrayBuffer();
		return res.status;
	} catch {
		return 0;
	}
}

/**
 * @param {import('node:child_process').ChildProcess} child
 * @param {Promise<unknown>} exitPromise
 * @param {() => boolean} hasExited
 */
async function killGroup(child, exitPromise, hasExited) {
	/** @param {NodeJS.Signals} signal */
	const signalGroup = (signal) => {
		try {
			process.kill(-(/** @type {number} */ (child.pid)), signal);
		} catch {
			/* group already gone */
		}
	};
	if (!hasExited()) {
		signalGroup('SIGTERM');
		let timer;
		const graceful = await Promise.race([
			exitPromise.then(() => true),
			new Promise((resolve) => {
				timer = setTimeout(() => resolve(false), 20_000);
			}),
		]);
		clearTimeout(timer);
		if (!graceful) {
			signalGroup('SIGKILL');
			await exitPromise;
		}
	}
	// The leader is gone; make sure nothing else of its group (task runners) is left.
	for (let i = 0; i < 50 && groupAlive(child.pid); i++) {
		signalGroup(i < 20 ? 'SIGTERM' : 'SIGKILL');
		await sleep(100);
	}
	liveGroups.delete(/** @type {number} */ (child.pid));
}

/** @type {Set<number>} Process groups of n8n servers started here and not stopped yet: killed if this process exits. */
const liveGroups = new Set();
process.once('exit', () => {
	for (const pid of liveGroups) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			/* gone */
		}
	}
});

/** @param {number | undefined} pid */
function groupAlive(pid) {
	if (!pid) return false;
	try {
		process.kill(-pid, 0);
		return true;
	} catch {
		return false;
	}
}

/**
 * Spawn a process, collect its output. stderr: 'pipe' (collected) or 'inherit'.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, stderr?: 'pipe' | 'inherit' }} [options]
 * @returns {Promise<{ code: number, stdout: string, output: string }>}
 */
function runProcess(command, args, options = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd: options.cwd,
			env: options.env ?? process.env,
			stdio: ['ignore', 'pipe', options.stderr === 'inherit' ? 'inherit' : 'pipe'],
		});
		let stdout = '';
		let output = '';
		child.stdout?.on('data', (chunk) => {
			stdout += chunk;
			output += chunk;
		});
		child.stderr?.on('data', (chunk) => {
			output += chunk;
		});
		child.once('error', reject);
		child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, output }));
	});
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv }} [options]
 */
async function runChecked(command, args, options = {}) {
	const result = await runProcess(command, args, options);
	if (result.code !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (exit ${result.code}):\n${tailText(result.output, 40)}`);
	}
	return result;
}

/** @param {string} file @returns {any} */
function readJson(file) {
	return JSON.parse(fs.readFileSync(file, 'utf-8'));
}

/** @param {string} file @param {any} fallback @returns {any} */
function readJsonOr(file, fallback) {
	try {
		return readJson(file);
	} catch {
		return fallback;
	}
}

/** @param {string} logFile @param {number} offset @param {string} fallback */
function readLogSince(logFile, offset, fallback) {
	try {
		const fd = fs.openSync(logFile, 'r');
		try {
			const size = fs.fstatSync(fd).size;
			const buffer = Buffer.alloc(Math.max(0, size - offset));
			fs.readSync(fd, buffer, 0, buffer.length, offset);
			return buffer.toString('utf-8');
		} finally {
			fs.closeSync(fd);
		}
	} catch {
		return fallback;
	}
}

/** @param {string} text @param {number} lines */
function tailText(text, lines) {
	return text.split('\n').slice(-lines).join('\n');
}

/** @param {unknown} error @param {string} title @param {string} text */
function withLogTail(error, title, text) {
	const err = error instanceof Error ? error : new Error(String(error));
	err.message = `${err.message}\n----- ${title}, last lines -----\n${text}\n-----`;
	return err;
}

/** @param {number} ms @returns {Promise<void>} */
function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

module.exports = {
	REPO_ROOT,
	N8N_VERSION,
	PAYLOAD_SIZE_MAX_MIB,
	LOAD_ERROR_PATTERNS,
	cacheRoot,
	ensureN8nInstalled,
	packPackage,
	installLikeCommunityNodes,
	n8nEnv,
	runN8nCli,
	importCredentials,
	importWorkflow,
	publishWorkflow,
	startN8n,
	loadedTypes,
	assertPackageLoaded,
	assertNoLoadErrors,
	diagnoseCommunityPackages,
	restSession,
	listExecutions,
	waitForWebhook,
	findFreePort,
	isPortFree,
	tailText,
	withLogTail,
	sleep,
};

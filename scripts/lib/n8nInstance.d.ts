// Generated from the JSDoc of n8nInstance.js by scripts/lib/build-types.sh: do not edit.
export type N8nInstall = {
    /**
     * the cache folder (holds node_modules/n8n and node_modules/node)
     */
    dir: string;
    /**
     * n8n version
     */
    version: string;
    /**
     * the Node 24 binary
     */
    nodeBin: string;
    /**
     * its folder, put first on PATH for everything n8n runs
     */
    nodeBinDir: string;
    /**
     * n8n's bin script (run as `nodeBin n8nEntry <command>`)
     */
    n8nEntry: string;
};
export type CliResult = {
    code: number;
    /**
     * stdout and stderr, interleaved
     */
    output: string;
    ms: number;
};
export type Owner = {
    email: string;
    password: string;
    firstName?: string | undefined;
    lastName?: string | undefined;
};
export type N8nHandle = {
    /**
     * e.g. http://127.0.0.1:5679 (no trailing slash)
     */
    url: string;
    port: number;
    /**
     * the n8n process (leader of its own process group)
     */
    pid: number;
    logFile: string;
    /**
     * how long the start took, until the editor line and /healthz/readiness
     */
    startMs: number;
    /**
     * kill the whole process group and wait until it is gone
     */
    stop: () => Promise<void>;
    /**
     * the whole log so far
     */
    logs: () => string;
    tail: (lines?: number) => string;
    exited: () => boolean;
};
export type ExecutionSummary = {
    id: string;
    /**
     * e.g. 'success' | 'error'
     */
    status: string;
    lastNodeExecuted: string | undefined;
    /**
     * the run's error (resultData.error.message)
     */
    errorMessage: string | undefined;
    errorDescription: string | undefined;
    /**
     * name of the node that failed
     */
    errorNode: string | undefined;
};
export const REPO_ROOT: string;
export const N8N_VERSION: string;
/** N8N_PAYLOAD_SIZE_MAX (MiB) unless the environment sets it: see n8nEnv. docker-compose.yml sets the same. */
export const PAYLOAD_SIZE_MAX_MIB: "1";
/**
 * Lines in n8n's log that mean a community package (or one of its nodes) did not load.
 * From n8n 2.41: load-nodes-and-credentials.js logs `Failed to load package "<name>"`,
 * n8n-core's DirectoryLoader throws "Class could not be found..." for a class/file mismatch or
 * an unloadable module, scan-directory-for-packages warns `Skipping package ...`.
 */
export const LOAD_ERROR_PATTERNS: RegExp[];
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
export function cacheRoot(): string;
/**
 * The cached n8n install; runs scripts/install-n8n.sh when it is missing (a cold install takes
 * about 5 minutes and 2.8 GB; its npm output goes to this process's stderr).
 * Cache root: AIC_CACHE_DIR, default ~/.cache/n8n-nodes-ai-company.
 * @param {{ log?: (message: string) => void }} [options]
 * @returns {Promise<N8nInstall>}
 */
export function ensureN8nInstalled(options?: {
    log?: (message: string) => void;
}): Promise<N8nInstall>;
/**
 * `npm pack` the repo into destDir, as it would be published. The repo's .npmrc has
 * ignore-scripts=true, so no prepack/build runs: dist/ must already be built.
 * @param {string} repoRoot
 * @param {string} destDir
 * @returns {Promise<string>} absolute path of the .tgz
 */
export function packPackage(repoRoot: string, destDir: string): Promise<string>;
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
export function installLikeCommunityNodes(userFolder: string, tarballPath: string, options?: {
    registry?: string;
}): Promise<{
    name: string;
    version: string;
    packageDir: string;
    ms: number;
}>;
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
export function n8nEnv(install: N8nInstall, userFolder: string, overrides?: Record<string, string | undefined>): NodeJS.ProcessEnv;
/**
 * Run `n8n <args>` (each command boots n8n: a few seconds). Throws with the output on failure.
 * @param {string} userFolder
 * @param {string[]} args
 * @param {{ env?: Record<string, string | undefined> }} [options]
 * @returns {Promise<CliResult>}
 */
export function runN8nCli(userFolder: string, args: string[], options?: {
    env?: Record<string, string | undefined>;
}): Promise<CliResult>;
/**
 * `n8n import:credentials` for an array of `{ id, name, type, data }` (data as a plain object;
 * n8n encrypts it with the user folder's key). An existing credential with the same id is updated.
 * @param {string} userFolder
 * @param {{ id: string, name: string, type: string, data: Record<string, unknown> }[]} creds
 * @param {{ env?: Record<string, string | undefined> }} [options]
 */
export function importCredentials(userFolder: string, creds: {
    id: string;
    name: string;
    type: string;
    data: Record<string, unknown>;
}[], options?: {
    env?: Record<string, string | undefined>;
}): Promise<CliResult | undefined>;
/**
 * `n8n import:workflow` for one workflow or several (one CLI boot for all of them). A workflow
 * with the id of an existing one replaces it (and unpublishes it: publish again).
 * @param {string} userFolder
 * @param {object | object[]} workflowJson
 * @param {{ env?: Record<string, string | undefined> }} [options]
 */
export function importWorkflow(userFolder: string, workflowJson: object | object[], options?: {
    env?: Record<string, string | undefined>;
}): Promise<CliResult | undefined>;
/**
 * `n8n publish:workflow --id=<id>`: in n8n 2.x a workflow's production webhooks/triggers only run
 * once published. Takes effect at the next `n8n start`. One id per command (n8n 2.41 dropped --all).
 * @param {string} userFolder
 * @param {string} id
 * @param {{ env?: Record<string, string | undefined> }} [options]
 */
export function publishWorkflow(userFolder: string, id: string, options?: {
    env?: Record<string, string | undefined>;
}): Promise<CliResult>;
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
export function startN8n(options: {
    userFolder: string;
    port?: number | undefined;
    env?: Record<string, string | undefined> | undefined;
    logFile?: string | undefined;
    echo?: boolean | undefined;
    timeoutMs?: number | undefined;
    failOnLoadErrors?: boolean | undefined;
    onSpawn?: ((handle: N8nHandle) => void) | undefined;
    owner?: Owner | undefined;
}): Promise<N8nHandle>;
/**
 * Node types of a package, as n8n announced them to the editor
 * (`<userFolder>/.cache/n8n/public/types/nodes.json`, written by n8n's FrontendService once it has
 * loaded all packages). Returns e.g. ['n8n-nodes-ai-company.aiPlanner', ...].
 * @param {string} userFolder
 * @param {string} packageName
 * @returns {{ nodes: string[], credentials: string[] }}
 */
export function loadedTypes(userFolder: string, packageName: string): {
    nodes: string[];
    credentials: string[];
};
/**
 * Throw unless every node type listed in the installed package's package.json shows up in n8n's
 * node types. Call after startN8n resolved.
 * @param {string} userFolder
 * @param {string} packageName
 * @param {{ expectNodes?: string[], timeoutMs?: number }} [options]  expectNodes: short names, e.g. ['aiPlanner']
 */
export function assertPackageLoaded(userFolder: string, packageName: string, options?: {
    expectNodes?: string[];
    timeoutMs?: number;
}): Promise<{
    nodes: string[];
    credentials: string[];
}>;
/** @param {string} output */
export function assertNoLoadErrors(output: string): void;
/**
 * Why n8n could not load community packages: n8n's log only says `Failed to load package "<name>"`
 * at the default log level. This loads every node/credential file of every package in
 * `<userFolder>/.n8n/nodes/node_modules` the way n8n-core does (Node 24, NODE_PATH = n8n's module
 * paths, `new (require(file)[<base name up to the first dot>])()`) and reports what fails.
 * @param {string} userFolder
 * @returns {Promise<string>} one line per failure, or '' when everything loads
 */
export function diagnoseCommunityPackages(userFolder: string): Promise<string>;
/**
 * Sign in to n8n's internal REST API (what the editor uses) as the owner set up by startN8n.
 * @param {string} url
 * @param {Owner} owner
 */
export function restSession(url: string, owner: Owner): Promise<{
    /** @param {string} restPath @returns {Promise<any>} */
    get: (restPath: string) => Promise<any>;
    /** @param {string} restPath @param {unknown} body @returns {Promise<any>} */
    post: (restPath: string, body: unknown) => Promise<any>;
}>;
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
export function listExecutions(session: {
    get: (p: string) => Promise<any>;
}, workflowId: string): Promise<ExecutionSummary[]>;
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
export function waitForWebhook(url: string, webhookPath: string, method?: string, options?: {
    timeoutMs?: number;
    intervalMs?: number;
}): Promise<number>;
/** A free TCP port on 127.0.0.1 (never 5678 unless the OS hands it out). @returns {Promise<number>} */
export function findFreePort(): Promise<number>;
/** @param {number} port @returns {Promise<boolean>} */
export function isPortFree(port: number, host?: string): Promise<boolean>;
/** @param {string} text @param {number} lines */
export function tailText(text: string, lines: number): string;
/** @param {unknown} error @param {string} title @param {string} text */
export function withLogTail(error: unknown, title: string, text: string): Error;
/** @param {number} ms @returns {Promise<void>} */
export function sleep(ms: number): Promise<void>;

/**
 * What every real-n8n e2e file does around its tests, once: a fresh n8n user folder, the packed package installed like the
 * Community Nodes screen does, the credentials and workflows imported with n8n's CLI and published,
 * n8n 2.41.1 started (Node 24, from the cache) with an owner account, the package's nodes checked
 * as loaded, the webhooks waited for; afterwards everything stopped, the timings logged, and the
 * user folder removed (kept, and named in the log, when anything failed).
 *
 * Needs `npm run build` first; installs n8n into the cache on first use.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import * as n8n from '../../../scripts/lib/n8nInstance';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const PACKAGE_NAME = 'n8n-nodes-ai-company';
export const OWNER: n8n.Owner = { email: 'e2e-owner@example.com', password: 'E2e-owner-password-1' };

/** Time for beforeAll (a cold n8n install takes about 5 minutes) and afterAll. */
export const START_TIMEOUT_MS = 15 * 60_000;
export const STOP_TIMEOUT_MS = 60_000;

export interface CredentialRef {
	id: string;
	name: string;
}

export interface WorkflowNode {
	name: string;
	type: string;
	parameters?: Record<string, unknown>;
	credentials?: Record<string, CredentialRef>;
}

export interface Workflow {
	id: string;
	name?: string;
	nodes: WorkflowNode[];
}

/** A credential for `n8n import:credentials`: a workflow's reference plus its type and (plain) data. */
export interface N8nCredential extends CredentialRef {
	type: string;
	data: Record<string, unknown>;
}

export function readWorkflow(file: string): Workflow {
	return JSON.parse(readFileSync(file, 'utf8')) as Workflow;
}

/** The credential of `type` that node `nodeName` refers to (id and name), as the workflow file has it. */
export function credentialOf(workflow: Workflow, nodeName: string, type: string): CredentialRef {
	const reference = workflow.nodes.find((node) => node.name === nodeName)?.credentials?.[type];
	if (!reference) throw new Error(`workflow ${workflow.id} has no node "${nodeName}" with a ${type} credential`);
	return reference;
}

/** Our `aiCompanyApi` credential under a workflow's reference, for a runtime service. */
export function companyApiCredential(reference: CredentialRef, baseUrl: string, apiToken: string): N8nCredential {
	return { ...reference, type: 'aiCompanyApi', data: { baseUrl, apiToken } };
}

export interface N8nWithWorkflowsOptions {
	/** In the user folder's name: `<tmp>/aic-e2e-<label>-XXXXXX`. */
	label: string;
	workflows: Workflow[];
	/** Production webhooks (POST) to wait for before the tests run. */
	webhookPaths: string[];
	/** Node types of this package (without the package name) n8n must have loaded. */
	expectNodes: string[];
	/** The credentials to import; called when the start begins (the file's own servers are up by then). */
	credentials: () => N8nCredential[];
	/** Runs after n8n stopped, before the timings are logged (e.g. removes this run's Redis keys). */
	afterStop?: () => Promise<void>;
}

/** One n8n with its workflows, for the tests of one file; see `startN8nWithWorkflows`. */
export class N8nWithWorkflows {
	/** Milliseconds per step (the start's steps, and whatever tests time with `timed`), logged at the end. */
	readonly timings: Record<string, number> = {};
	userFolder: string | undefined;
	private handle: n8n.N8nHandle | undefined;
	private failed = false;

	constructor(private readonly options: N8nWithWorkflowsOptions) {}

	/** The running n8n (a test that runs before the start finished fails here). */
	get instance(): n8n.N8nHandle {
		if (!this.handle) throw new Error('n8n is not running: the start (beforeAll) failed or has not run');
		return this.handle;
	}

	get url(): string {
		return this.instance.url;
	}

	async timed<T>(label: string, step: () => Promise<T>): Promise<T> {
		const started = Date.now();
		try {
			return await step();
		} finally {
			this.timings[label] = Date.now() - started;
		}
	}

	/** Runs a test body; on failure, adds the tail of n8n's log to the error and keeps the user folder. */
	async withN8nLog(body: () => Promise<void>): Promise<void> {
		try {
			await body();
		} catch (error) {
			this.failed = true;
			throw this.handle ? n8n.withLogTail(error, `n8n log (${this.handle.logFile})`, this.handle.tail(80)) : error;
		}
	}

	/** POSTs JSON to a production webhook; the answer's status and body text. */
	async post(webhookPath: string, body: unknown, timeoutMs = 120_000): Promise<{ status: number; text: string }> {
		const res = await fetch(`${this.url}/webhook/${webhookPath}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
			signal: AbortSignal.timeout(timeoutMs),
		});
		return { status: res.status, text: await res.text() };
	}

	/** The owner's session of n8n's internal REST API. */
	session(): ReturnType<typeof n8n.restSession> {
		return n8n.restSession(this.url, OWNER);
	}

	async start(): Promise<void> {
		const { label, workflows, webhookPaths, expectNodes, credentials } = this.options;
		const started = Date.now();
		try {
			await this.timed('ensureN8nInstalled', () => n8n.ensureN8nInstalled());
			const userFolder = mkdtempSync(path.join(tmpdir(), `aic-e2e-${label}-`));
			this.userFolder = userFolder;
			const tarball = await this.timed('npm pack', () => n8n.packPackage(REPO_ROOT, path.join(userFolder, 'pack')));
			await this.timed('install like Community Nodes', () => n8n.installLikeCommunityNodes(userFolder, tarball));
			await this.timed('import:credentials', () => n8n.importCredentials(userFolder, credentials()));
			await this.timed('import:workflow', () => n8n.importWorkflow(userFolder, workflows));
			await this.timed('publish:workflow', async () => {
				for (const workflow of workflows) await n8n.publishWorkflow(userFolder, workflow.id);
			});
			this.handle = await this.timed('n8n start', () =>
				n8n.startN8n({
					userFolder,
					owner: OWNER,
					onSpawn: (spawned) => {
						this.handle = spawned; // so stop() ends it even if the start times out
					},
				}),
			);
			const loaded = await n8n.assertPackageLoaded(userFolder, PACKAGE_NAME, { expectNodes });
			console.log(`n8n ${n8n.N8N_VERSION} at ${this.url} loaded ${loaded.nodes.join(', ')} (credentials: ${loaded.credentials.join(', ')})`);
			for (const webhookPath of webhookPaths) {
				const step = webhookPaths.length === 1 ? 'webhook registered' : `webhook ${webhookPath} registered`;
				await this.timed(step, () => n8n.waitForWebhook(this.url, webhookPath, 'POST'));
			}
		} catch (error) {
			this.failed = true;
			throw error;
		} finally {
			this.timings['beforeAll total'] = Date.now() - started;
		}
	}

	async stop(): Promise<void> {
		try {
			await this.handle?.stop();
			await this.options.afterStop?.();
		} finally {
			console.log(`e2e timings (ms): ${JSON.stringify(this.timings)}`);
			const folder = this.userFolder;
			if (folder && !this.failed) rmSync(folder, { recursive: true, force: true });
			else if (folder) console.log(`kept the n8n user folder for inspection: ${folder} (log: ${path.join(folder, 'n8n.log')})`);
		}
	}
}

type Session = Awaited<ReturnType<typeof n8n.restSession>>;

/** The ids of a workflow's executions so far, to tell the next run apart. */
export async function executionIds(session: Session, workflowId: string): Promise<Set<string>> {
	return new Set((await n8n.listExecutions(session, workflowId)).map((e) => e.id));
}

/**
 * The first execution of the workflow that is not in `before` and has failed, polled for up to 30 s
 * (n8n records a failed run shortly after answering its webhook); undefined when none came.
 */
export async function failedExecutionSince(session: Session, workflowId: string, before: Set<string>): Promise<n8n.ExecutionSummary | undefined> {
	let failedRun: n8n.ExecutionSummary | undefined;
	for (const deadline = Date.now() + 30_000; !failedRun && Date.now() < deadline; ) {
		failedRun = (await n8n.listExecutions(session, workflowId)).find((e) => !before.has(e.id) && e.status === 'error');
		if (!failedRun) await n8n.sleep(250);
	}
	return failedRun;
}

/**
 * Starts n8n with these workflows before the file's tests (beforeAll) and stops it after them
 * (afterAll); call it at the top level of a test file. What the tests use is on the result:
 * `instance` (url, logs), `post`, `timed`, `withN8nLog`.
 */
export function startN8nWithWorkflows(options: N8nWithWorkflowsOptions): N8nWithWorkflows {
	const e2e = new N8nWithWorkflows(options);
	beforeAll(() => e2e.start(), START_TIMEOUT_MS);
	afterAll(() => e2e.stop(), STOP_TIMEOUT_MS);
	return e2e;
}

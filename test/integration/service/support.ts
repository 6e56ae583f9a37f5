import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { OllamaTestServer } from '../../support/ollamaTestServer';
import { RuntimeProcess } from '../../support/runtimeProcess';
import { deleteKeysWithPrefix, uniquePrefix } from '../../support/redis';

export const MODELS = ['llama3.2:3b', 'qwen2.5-coder:7b'];

/** One test file's service: an Ollama-speaking server, a key prefix of its own, a git remote folder, runtime processes. */
export class ServiceHarness {
	readonly prefix = uniquePrefix('service');
	readonly gitBase = mkdtempSync(join(tmpdir(), 'aic-service-git-'));
	readonly processes: RuntimeProcess[] = [];
	ollama!: OllamaTestServer;

	async setUp(): Promise<void> {
		this.ollama = await OllamaTestServer.start({ models: MODELS });
	}

	env(extra: Record<string, string> = {}): Record<string, string> {
		return { KEY_PREFIX: this.prefix, OLLAMA_HOST: this.ollama.url, GIT_REMOTE_BASE: this.gitBase, ...extra };
	}

	async start(extra: Record<string, string> = {}, role: 'all' | 'api' | 'worker' = 'all'): Promise<RuntimeProcess> {
		const runtime = await RuntimeProcess.start(this.env(extra), role);
		this.processes.push(runtime);
		return runtime;
	}

	async tearDown(): Promise<void> {
		await Promise.all(this.processes.map((p) => p.stop()));
		await this.ollama?.close();
		await deleteKeysWithPrefix(this.prefix);
		// A push the killed service started may still be writing (git's receive-pack outlives it): retried.
		rmSync(this.gitBase, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
	}
}

/** Requirements and titles unique to one test: without an idempotency key, equal ones name the same project. */
export function unique(label: string): string {
	return `${label} ${randomBytes(4).toString('hex')}`;
}

/** Polls GET /api/projects/:id until its status is one of `statuses`. */
export async function waitForStatus(api: RuntimeProcess, projectId: string, statuses: string[], timeoutMs = 60_000): Promise<Record<string, any>> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { body } = await api.request<Record<string, any>>('GET', `/api/projects/${projectId}`);
		if (statuses.includes(body.status)) return body;
		if (['completed', 'failed', 'cancelled'].includes(body.status)) throw new Error(`project ${projectId} ended ${body.status} (${body.statusReason ?? ''}), not ${statuses.join(' or ')}`);
		if (Date.now() > deadline) throw new Error(`project ${projectId} is still ${body.status} (${body.statusReason ?? ''}) after ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

export interface Received {
	path: string;
	body: Record<string, any>;
	headers: Record<string, string | string[] | undefined>;
	/** The body as it came, for checking a signature over it. */
	raw: string;
}

/** A receiver for callbacks: records every POST with its parsed body. */
export class CallbackReceiver {
	readonly received: Received[] = [];

	private constructor(private readonly server: Server) {}

	static async start(): Promise<CallbackReceiver> {
		let receiver: CallbackReceiver | undefined;
		const server = createServer((req, res) => {
			const parts: Buffer[] = [];
			req.on('data', (part: Buffer) => parts.push(part));
			req.on('end', () => {
				if (req.method === 'POST') {
					const raw = Buffer.concat(parts).toString('utf8');
					let body: Record<string, any> = {};
					try {
						body = JSON.parse(raw) as Record<string, any>;
					} catch {
						body = { unparsed: raw };
					}
					receiver!.received.push({ path: req.url ?? '/', body, headers: req.headers, raw });
				}
				res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
			});
		});
		receiver = new CallbackReceiver(server);
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return receiver;
	}

	url(path: string): string {
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
	}

	on(path: string): Received[] {
		return this.received.filter((r) => r.path === path);
	}

	async waitFor(path: string, timeoutMs = 20_000): Promise<Received[]> {
		const deadline = Date.now() + timeoutMs;
		while (this.on(path).length === 0) {
			if (Date.now() > deadline) throw new Error(`no callback POST to ${path} within ${timeoutMs} ms (received: ${JSON.stringify(this.received)})`);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		return this.on(path);
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

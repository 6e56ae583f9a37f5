import { mkdtempSync, rmSync } from 'node:fs';
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
		rmSync(this.gitBase, { recursive: true, force: true });
	}
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

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

import { closedPort } from './ports';
import { testRedisOptions } from './redis';

/**
 * The built service: runtime/dist (made by `npm test`), or AIC_RUNTIME_DIST when a developer runs
 * the suites against a build of their own while runtime/dist is being rebuilt.
 */
export const RUNTIME_BIN = join(process.env.AIC_RUNTIME_DIST ?? join(__dirname, '../../runtime/dist'), 'bin/aiCompanyWorker.js');

/** The Redis URL of the tests' database (REDIS_URL, or 127.0.0.1:6379 database 11). */
export function testRedisUrl(): string {
	const o = testRedisOptions();
	const auth = o.password ? `${encodeURIComponent(o.username ?? '')}:${encodeURIComponent(o.password)}@` : '';
	return `${o.tls ? 'rediss' : 'redis'}://${auth}${o.host}:${o.port}/${o.db ?? 0}`;
}

/**
 * The real `ai-company-worker` as a child process (built by `npm test`), with short lock and backoff
 * settings so crash recovery happens in seconds. Its log lines are kept for assertions and failures.
 */
export class RuntimeProcess {
	readonly lines: string[] = [];
	private exited: Promise<number | null>;

	private constructor(
		readonly child: ChildProcess,
		readonly url: string | null,
	) {
		this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
		const keep = (chunk: Buffer) => this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
		child.stdout?.on('data', keep);
		child.stderr?.on('data', keep);
	}

	static async start(env: Record<string, string>, role: 'all' | 'api' | 'worker' = 'all'): Promise<RuntimeProcess> {
		const port = env.PORT ?? String(await closedPort());
		const child = spawn(process.execPath, [RUNTIME_BIN, '--role', role], {
			env: {
				PATH: process.env.PATH,
				REDIS_URL: testRedisUrl(),
				PORT: port,
				LOCK_DURATION_MS: '2000',
				STALLED_INTERVAL_MS: '1000',
				JOB_BACKOFF_MS: '200',
				SHUTDOWN_GRACE_MS: '500',
				LOG_LEVEL: 'info',
				// The tests' receivers (callbacks, webhooks, n8n) listen on loopback, which the service refuses by default.
				OUTBOUND_ALLOW: '127.0.0.0/8,::1',
				...env,
			},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const runtime = new RuntimeProcess(child, role === 'worker' ? null : `http://127.0.0.1:${port}`);
		await runtime.waitForLog(role === 'worker' ? 'worker started' : 'API listening', 20_000);
		return runtime;
	}

	async waitForLog(text: string, timeoutMs: number): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (!this.lines.some((l) => l.includes(text))) {
			if (this.child.exitCode !== null) throw new Error(`ai-company-worker exited (${this.child.exitCode}):\n${this.lines.join('\n')}`);
			if (Date.now() > deadline) throw new Error(`no "${text}" from ai-company-worker within ${timeoutMs} ms:\n${this.lines.join('\n')}`);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	}

	/** Parsed JSON log lines (pino). */
	logs(): Array<Record<string, unknown>> {
		return this.lines.flatMap((line) => {
			try {
				return [JSON.parse(line) as Record<string, unknown>];
			} catch {
				return [];
			}
		});
	}

	kill(signal: NodeJS.Signals): Promise<number | null> {
		if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
		return this.exited;
	}

	async stop(): Promise<void> {
		await this.kill('SIGKILL');
	}

	async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
		const response = await fetch(`${this.url}${path}`, {
			method,
			headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
			body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
		});
		const text = await response.text();
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// Prometheus text and the like stay text.
		}
		return { status: response.status, body: parsed as T };
	}
}

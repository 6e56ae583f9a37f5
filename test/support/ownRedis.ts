import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Redis } from 'ioredis';

import { closedPort } from './ports';

/**
 * A redis-server of the test's own on a free port, with the append-only file on and fsynced on every
 * write (as a production Redis for the queue should be), so it can be killed and started again
 * from its own folder without touching anyone else's Redis.
 */
export class OwnRedis {
	private child?: ChildProcess;
	readonly dir = mkdtempSync(join(tmpdir(), 'aic-own-redis-'));

	private constructor(readonly port: number) {}

	static async start(): Promise<OwnRedis> {
		const redis = new OwnRedis(await closedPort());
		await redis.up();
		return redis;
	}

	get url(): string {
		return `redis://127.0.0.1:${this.port}/0`;
	}

	async up(): Promise<void> {
		this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' });
		const deadline = Date.now() + 10_000;
		for (;;) {
			const probe = new Redis({ port: this.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
			try {
				await probe.connect();
				if ((await probe.ping()) === 'PONG') return;
			} catch {
				if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
				await new Promise((resolve) => setTimeout(resolve, 50));
			} finally {
				probe.disconnect();
			}
		}
	}

	/** Kills the server as a crash would (SIGKILL); what was written is in its append-only file. */
	async down(): Promise<void> {
		const child = this.child;
		if (!child || child.exitCode !== null) return;
		await new Promise((resolve) => {
			child.once('exit', resolve);
			child.kill('SIGKILL');
		});
	}

	async stop(): Promise<void> {
		await this.down();
		rmSync(this.dir, { recursive: true, force: true });
	}
}

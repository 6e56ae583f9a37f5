import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

import { closedPort } from '../../support/ports';
import { testRedisOptions } from '../../support/redis';
import { testRedisUrl } from '../../support/runtimeProcess';
import { argv, composeText, environmentOf, interpolate, parseCompose, readEnvFile, REPO } from './composeSupport';

// "Everything they start must also start without docker": the runtime services' command lines and
// environments, taken from docker-compose.yml (interpolated from .env.example), run with node from
// the repository (the image's /app is the repository's layout) against a real Redis. Only what
// names another container changes: Redis (the tests' database, a key prefix of this file's own),
// Ollama (a port where nothing listens: /health then says "degraded"), the port and the git folder.

const KEY_PREFIX = `aic-compose-${randomBytes(4).toString('hex')}:`;
const TOKEN = `compose-${randomBytes(12).toString('hex')}`;
const gitBase = mkdtempSync(join(tmpdir(), 'aic-compose-git-'));
const children: ChildProcess[] = [];

function serviceLaunch(name: string, overrides: Record<string, string>) {
	const example = Object.fromEntries(readEnvFile(join(REPO, '.env.example')));
	const compose = parseCompose(interpolate(composeText(), { ...example, API_TOKEN: TOKEN }));
	const service = compose.services[name];
	const [command, ...args] = argv(service.command);
	expect(command).toBe('node');
	return { args, env: { ...environmentOf(service), ...overrides } };
}

function start(args: string[], env: Record<string, string>) {
	const child = spawn(process.execPath, args, { cwd: REPO, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
	children.push(child);
	const lines: string[] = [];
	const keep = (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
	child.stdout!.on('data', keep);
	child.stderr!.on('data', keep);
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	const waitFor = async (check: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000) => {
		const deadline = Date.now() + timeoutMs;
		while (!(await check())) {
			if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before ${what}:\n${lines.join('\n')}`);
			if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms:\n${lines.join('\n')}`);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	};
	return { child, lines, exited, waitFor };
}

async function overrides(): Promise<Record<string, string>> {
	return {
		REDIS_URL: testRedisUrl(),
		KEY_PREFIX,
		OLLAMA_HOST: `http://127.0.0.1:${await closedPort()}`,
		PORT: String(await closedPort()),
		GIT_REMOTE_BASE: gitBase,
		LOG_LEVEL: 'info',
	};
}

beforeAll(() => {
	if (!existsSync(join(REPO, 'runtime/dist/bin/aiCompanyWorker.js'))) throw new Error('runtime/dist is missing: run `npm run build` first');
});

afterAll(async () => {
	for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
	rmSync(gitBase, { recursive: true, force: true });
	// Only this file's keys: never a flush.
	const redis = new Redis(testRedisOptions());
	try {
		let cursor = '0';
		do {
			const [next, keys] = await redis.scan(cursor, 'MATCH', `${KEY_PREFIX}*`, 'COUNT', 500);
			if (keys.length > 0) await redis.del(...keys);
			cursor = next;
		} while (cursor !== '0');
	} finally {
		redis.disconnect();
	}
});

describe('the services docker-compose.yml starts, started without docker', () => {
	test('runtime (--role api, HOST 0.0.0.0, the API token) answers GET /health, and /api/health only with the token', async () => {
		const { args, env } = serviceLaunch('runtime', await overrides());
		expect(args).toEqual(['runtime/dist/bin/aiCompanyWorker.js', '--role', 'api']);
		expect(env.HOST).toBe('0.0.0.0');
		const api = start(args, env);
		const base = `http://127.0.0.1:${env.PORT}`;
		let health: { status: number; body: Record<string, unknown> } | undefined;
		await api.waitFor(async () => {
			try {
				const response = await fetch(`${base}/health`);
				health = { status: response.status, body: (await response.json()) as Record<string, unknown> };
				return true;
			} catch {
				return false;
			}
		}, 'answer on /health');
		expect(health!.status).toBe(200);
		expect(health!.body).toMatchObject({ service: 'ai-company-runtime', status: 'degraded', redis: { ok: true }, ollama: { ok: false } });
		expect((await fetch(`${base}/api/health`)).status).toBe(401);
		expect((await fetch(`${base}/api/health`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
		api.child.kill('SIGTERM');
		expect(await api.exited).toBe(0);
	});

	test('runtime refuses to start on 0.0.0.0 without API_TOKEN (why the compose file requires it)', async () => {
		const { args, env } = serviceLaunch('runtime', await overrides());
		delete env.API_TOKEN;
		const api = start(args, env);
		expect(await api.exited).toBe(2);
		expect(api.lines.join('\n')).toContain('ai-company-worker: HOST: is 0.0.0.0, which is not loopback: set API_TOKEN');
	});

	test('worker (--role worker) starts its worker on the same Redis and stops on SIGTERM', async () => {
		const { args, env } = serviceLaunch('worker', await overrides());
		expect(args).toEqual(['runtime/dist/bin/aiCompanyWorker.js', '--role', 'worker']);
		const worker = start(args, env);
		await worker.waitFor(() => worker.lines.some((line) => line.includes('worker started')), '"worker started" in its log');
		worker.child.kill('SIGTERM');
		expect(await worker.exited).toBe(0);
	});
});

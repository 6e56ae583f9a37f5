// What `npm run start:local` (scripts/run-local.js) sets up: the credential the templates refer to,
// the runtime service's settings, and children (the service, n8n) that end when it ends, however it
// ends: Ctrl-C, a SIGTERM that npm does not pass on, or a SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface ServiceSettings {
	port: number;
	url: string;
	token: string;
	tokenGenerated: boolean;
	env: Record<'PORT' | 'HOST' | 'API_TOKEN' | 'REDIS_URL' | 'OLLAMA_HOST' | 'GIT_REMOTE_BASE' | 'OUTBOUND_ALLOW', string>;
}
interface RunLocalState {
	templates: Record<string, unknown>;
	serviceToken?: string;
}
// Plain CommonJS scripts without type declarations (run-local runs main() only when run itself).
const runLocal = require('../../../scripts/run-local.js') as {
	LOCAL_API_CREDENTIAL: { id: string; name: string; type: string };
	portFrom: (env: NodeJS.ProcessEnv, name: string, fallback: string) => number;
	serviceSettings: (env: NodeJS.ProcessEnv, home: string, state: RunLocalState, n8nPort: number) => ServiceSettings;
	tryLines: (n8nUrl: string, service: ServiceSettings) => string[];
	redactUrl: (url: string) => string;
};
const runtimeService = require('../../../scripts/lib/runtimeService.js') as {
	RUNTIME_BIN: string;
	startRuntime: (options: { port: number; env: Record<string, string>; logFile: string; bin?: string; timeoutMs?: number; stopGraceMs?: number }) => Promise<{
		url: string;
		pid: number;
		health: unknown;
		stop: () => Promise<void>;
		exited: () => boolean;
	}>;
};
const processGuard = require('../../../scripts/lib/processGuard.js') as {
	PARENT_ENV: string;
	guardEnv: (nodeOptions?: string) => Record<string, string>;
	guardThisProcess: () => boolean;
	ancestorsToWatch: (ppid?: number) => number[];
};
const { findFreePort, n8nEnv } = require('../../../scripts/lib/n8nInstance') as {
	findFreePort: () => Promise<number>;
	n8nEnv: (install: { nodeBinDir: string }, userFolder: string, overrides?: Record<string, string | undefined>) => NodeJS.ProcessEnv;
};

const GUARD = require.resolve('../../../scripts/lib/processGuard.js');
const RUNTIME_SERVICE = require.resolve('../../../scripts/lib/runtimeService.js');

describe('run-local: the credential', () => {
	it('is the one the templates refer to: "AI Company (local)" of the aiCompanyApi type', () => {
		expect(runLocal.LOCAL_API_CREDENTIAL).toEqual({ id: 'aicCompanyApiLocal1', name: 'AI Company (local)', type: 'aiCompanyApi' });
	});
});

describe('run-local: n8n\'s environment', () => {
	const install = { nodeBinDir: '/opt/node24/bin' };
	const saved = process.env.N8N_PAYLOAD_SIZE_MAX;
	afterEach(() => {
		if (saved === undefined) delete process.env.N8N_PAYLOAD_SIZE_MAX;
		else process.env.N8N_PAYLOAD_SIZE_MAX = saved;
	});

	it('caps the request bodies n8n reads at 1 MiB (N8N_PAYLOAD_SIZE_MAX) unless the environment says otherwise', () => {
		delete process.env.N8N_PAYLOAD_SIZE_MAX;
		expect(n8nEnv(install, '/tmp/aic-home').N8N_PAYLOAD_SIZE_MAX).toBe('1');
		process.env.N8N_PAYLOAD_SIZE_MAX = '4';
		expect(n8nEnv(install, '/tmp/aic-home').N8N_PAYLOAD_SIZE_MAX).toBe('4');
	});
});

describe('run-local: the service settings', () => {
	const home = '/home/ada/.n8n-ai-company';

	it('default to port 8000 on loopback, the local Redis and Ollama, and <AIC_HOME>/git; the token is generated once and kept', () => {
		const state: RunLocalState = { templates: {} };
		const first = runLocal.serviceSettings({}, home, state, 5678);
		expect(first).toMatchObject({ port: 8000, url: 'http://127.0.0.1:8000', tokenGenerated: true });
		expect(first.token).toMatch(/^aic_[\w-]{24}$/);
		expect(state.serviceToken).toBe(first.token);
		expect(first.env).toEqual({
			PORT: '8000',
			HOST: '127.0.0.1',
			API_TOKEN: first.token,
			REDIS_URL: 'redis://127.0.0.1:6379',
			OLLAMA_HOST: 'http://127.0.0.1:11434',
			GIT_REMOTE_BASE: join(home, 'git'),
			OUTBOUND_ALLOW: '127.0.0.1',
		});
		const again = runLocal.serviceSettings({}, home, state, 5678);
		expect(again).toMatchObject({ token: first.token, tokenGenerated: false });
		expect(runLocal.serviceSettings({}, home, { templates: {} }, 5678).token).not.toBe(first.token);
	});

	it('take RUNTIME_PORT, API_TOKEN, REDIS_URL, OLLAMA_HOST and GIT_REMOTE_BASE from the environment', () => {
		const state: RunLocalState = { templates: {}, serviceToken: 'kept' };
		const settings = runLocal.serviceSettings(
			{ RUNTIME_PORT: '8100', API_TOKEN: ' s3cret ', REDIS_URL: 'redis://cache:6380/2', OLLAMA_HOST: 'http://gpu:11434', GIT_REMOTE_BASE: '/srv/git' },
			home,
			state,
			5678,
		);
		expect(settings).toMatchObject({ port: 8100, url: 'http://127.0.0.1:8100', token: 's3cret', tokenGenerated: false });
		expect(settings.env).toMatchObject({ PORT: '8100', API_TOKEN: 's3cret', REDIS_URL: 'redis://cache:6380/2', OLLAMA_HOST: 'http://gpu:11434', GIT_REMOTE_BASE: '/srv/git' });
		expect(state.serviceToken).toBe('kept');
	});

	it("open n8n's address to the service's callbacks (127.0.0.1, and N8N_HOST when set), keeping the operator's OUTBOUND_ALLOW", () => {
		const state: RunLocalState = { templates: {}, serviceToken: 'kept' };
		expect(runLocal.serviceSettings({}, home, state, 5678).env.OUTBOUND_ALLOW).toBe('127.0.0.1');
		const settings = runLocal.serviceSettings({ N8N_HOST: 'n8n.lan', OUTBOUND_ALLOW: ' 10.0.0.0/8, *.hooks.example.com,127.0.0.1' }, home, state, 5678);
		expect(settings.env.OUTBOUND_ALLOW).toBe('127.0.0.1,n8n.lan,10.0.0.0/8,*.hooks.example.com');
	});

	it('refuse a port that is not one, the editor\'s port, and an empty API_TOKEN, naming the variable', () => {
		const state: RunLocalState = { templates: {} };
		expect(() => runLocal.serviceSettings({ RUNTIME_PORT: '80a' }, home, state, 5678)).toThrow('RUNTIME_PORT is not a port (1-65535): "80a"');
		expect(() => runLocal.serviceSettings({ RUNTIME_PORT: '70000' }, home, state, 5678)).toThrow('RUNTIME_PORT is not a port');
		expect(() => runLocal.serviceSettings({ RUNTIME_PORT: '5678' }, home, state, 5678)).toThrow('RUNTIME_PORT and N8N_PORT are both 5678');
		expect(() => runLocal.serviceSettings({ API_TOKEN: '  ' }, home, state, 5678)).toThrow('API_TOKEN is set but empty');
		expect(() => runLocal.portFrom({ N8N_PORT: '0' }, 'N8N_PORT', '5678')).toThrow('N8N_PORT is not a port');
		expect(runLocal.portFrom({}, 'N8N_PORT', '5678')).toBe(5678);
	});

	it('print URLs without their password, the intake URL, and curls for the company, status and plan webhooks and the service', () => {
		expect(runLocal.redactUrl('redis://ops:p%40ss@cache:6380/3')).toBe('redis://ops:***@cache:6380/3');
		expect(runLocal.redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
		const settings = runLocal.serviceSettings({ API_TOKEN: 'tok' }, home, { templates: {} }, 5678);
		const lines = runLocal.tryLines('http://127.0.0.1:5678', settings).join('\n');
		expect(lines).toContain("curl -s -XPOST http://127.0.0.1:5678/webhook/plan-project -H 'content-type: application/json' -d '{\"title\":\"Todo API\"");
		expect(lines).toContain("curl -s http://127.0.0.1:8000/api/projects -H 'Authorization: Bearer tok'");
		expect(lines).toContain('intake URL: http://127.0.0.1:5678/webhook/new-project');
		expect(lines).toContain("curl -s -XPOST http://127.0.0.1:5678/webhook/new-project -H 'content-type: application/json' -d '{\"title\":\"Todo API\"");
		expect(lines).toContain("curl -s 'http://127.0.0.1:5678/webhook/project-status?projectId=<projectId from the answer>&key=todo-1'");
	});
});

/** A stand-in for ai-company-worker: records its environment and signals, answers /health. */
const FAKE_SERVICE = `
const fs = require('node:fs');
const http = require('node:http');
const out = process.env.FAKE_OUT;
if (process.env.FAKE_EXIT) { console.error('ai-company-worker: PORT: must be between 0 and 65535, got 70000'); process.exit(2); }
const health = Number(process.env.FAKE_HEALTH || 200);
fs.writeFileSync(out + '.env', JSON.stringify({ argv: process.argv.slice(2), PORT: process.env.PORT, API_TOKEN: process.env.API_TOKEN, GIT_REMOTE_BASE: process.env.GIT_REMOTE_BASE, ppid: process.ppid }));
const server = http.createServer((req, res) => {
  res.writeHead(req.url === '/health' ? health : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: health === 200 ? 'ok' : 'down' }));
}).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => { fs.appendFileSync(out + '.signals', 'SIGTERM\\n'); server.close(); process.exit(0); });
`;

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

describe('run-local: the runtime service as a child', () => {
	let dir: string;
	const started: ChildProcess[] = [];
	const pids: number[] = [];
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'aic-run-local-'));
		writeFileSync(join(dir, 'fakeService.js'), FAKE_SERVICE);
	});
	afterEach(() => {
		for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
		for (const pid of pids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
		rmSync(dir, { recursive: true, force: true });
	});

	it('starts it with --role all and its variables, waits for /health, stops it with SIGTERM', async () => {
		const port = await findFreePort();
		const runtime = await runtimeService.startRuntime({
			port,
			env: { API_TOKEN: 'tok', GIT_REMOTE_BASE: join(dir, 'git'), FAKE_OUT: join(dir, 'out') },
			logFile: join(dir, 'runtime.log'),
			bin: join(dir, 'fakeService.js'),
		});
		pids.push(runtime.pid);
		expect(runtime).toMatchObject({ url: `http://127.0.0.1:${port}`, health: { status: 'ok' } });
		expect(JSON.parse(readFileSync(join(dir, 'out.env'), 'utf8'))).toEqual({
			argv: ['--role', 'all'],
			PORT: String(port),
			API_TOKEN: 'tok',
			GIT_REMOTE_BASE: join(dir, 'git'),
			ppid: process.pid,
		});
		await runtime.stop();
		expect(runtime.exited()).toBe(true);
		expect(readFileSync(join(dir, 'out.signals'), 'utf8')).toBe('SIGTERM\n');
	});

	it('fails with the end of its log when it exits during start, or never gets Redis', async () => {
		const start = (env: Record<string, string>, timeoutMs = 10_000) =>
			findFreePort().then((port) =>
				runtimeService.startRuntime({ port, env: { FAKE_OUT: join(dir, 'out'), ...env }, logFile: join(dir, 'runtime.log'), bin: join(dir, 'fakeService.js'), timeoutMs }),
			);
		await expect(start({ FAKE_EXIT: '1' })).rejects.toThrow(/exited during start \(code 2.*\n[^]*PORT: must be between 0 and 65535/);
		await expect(start({ FAKE_HEALTH: '503' }, 1_500)).rejects.toThrow(/not ready within 2 s \(last \/health: HTTP 503 .*\): it cannot reach Redis; check REDIS_URL/);
		// The one that answered 503 was stopped, not left behind.
		expect(readFileSync(join(dir, 'out.signals'), 'utf8')).toBe('SIGTERM\n');
		await expect(runtimeService.startRuntime({ port: 1, env: {}, logFile: join(dir, 'runtime.log'), bin: join(dir, 'missing.js') })).rejects.toThrow(
			'the runtime service is not built',
		);
	});

	/** The pieces of run-local as an npm script: watches its ancestors, starts the (fake) service as a guarded child. */
	function writeNpmProject(): void {
		const script = `
const fs = require('node:fs');
const { watchAncestors } = require(${JSON.stringify(GUARD)});
const { startRuntime } = require(${JSON.stringify(RUNTIME_SERVICE)});
(async () => {
  const runtime = await startRuntime({ port: Number(process.env.FAKE_PORT), env: { FAKE_OUT: process.env.FAKE_OUT }, logFile: process.env.FAKE_OUT + '.log', bin: process.env.FAKE_BIN });
  const stop = async () => { await runtime.stop(); process.exit(0); };
  process.on('SIGTERM', stop);
  watchAncestors(stop, { intervalMs: 100 });
  fs.writeFileSync(process.env.FAKE_OUT + '.pids', JSON.stringify({ runLocal: process.pid, service: runtime.pid }));
  setInterval(() => {}, 1000);
})();
`;
		writeFileSync(join(dir, 'runLocal.js'), script);
		writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fake-start-local', version: '1.0.0', private: true, scripts: { 'start:local': 'node runLocal.js' } }));
	}

	async function startUnderNpm(): Promise<{ npm: ChildProcess; runLocal: number; service: number }> {
		writeNpmProject();
		const npm = spawn('npm', ['run', 'start:local', '--silent'], {
			cwd: dir,
			env: { ...process.env, FAKE_PORT: String(await findFreePort()), FAKE_OUT: join(dir, 'out'), FAKE_BIN: join(dir, 'fakeService.js') },
			stdio: 'ignore',
		});
		started.push(npm);
		await until('the service to start under npm', () => existsSync(join(dir, 'out.pids')), 20_000);
		const { runLocal: runLocalPid, service } = JSON.parse(readFileSync(join(dir, 'out.pids'), 'utf8')) as { runLocal: number; service: number };
		pids.push(runLocalPid, service);
		return { npm, runLocal: runLocalPid, service };
	}

	it('a SIGTERM to `npm run start:local`, which npm does not pass on, still stops run-local and the service, gracefully', async () => {
		const { npm, runLocal: runLocalPid, service } = await startUnderNpm();
		npm.kill('SIGTERM');
		await until('run-local and the service to end', () => !alive(runLocalPid) && !alive(service));
		expect(readFileSync(join(dir, 'out.signals'), 'utf8')).toBe('SIGTERM\n');
	}, 30_000);

	it('a SIGKILL of run-local itself still ends the service (the guard in the child)', async () => {
		const { runLocal: runLocalPid, service } = await startUnderNpm();
		process.kill(runLocalPid, 'SIGKILL');
		await until('the service to end', () => !alive(service));
		expect(readFileSync(join(dir, 'out.signals'), 'utf8')).toBe('SIGTERM\n');
	}, 30_000);
});

describe('processGuard', () => {
	it('guards only a direct child of the pid it names (not the task runners n8n starts)', () => {
		const saved = process.env[processGuard.PARENT_ENV];
		try {
			process.env[processGuard.PARENT_ENV] = String(process.pid);
			expect(processGuard.guardThisProcess()).toBe(false);
			delete process.env[processGuard.PARENT_ENV];
			expect(processGuard.guardThisProcess()).toBe(false);
		} finally {
			if (saved === undefined) delete process.env[processGuard.PARENT_ENV];
			else process.env[processGuard.PARENT_ENV] = saved;
		}
	});

	it('puts itself in front of NODE_OPTIONS, naming this process as the parent', () => {
		expect(processGuard.guardEnv('--max-old-space-size=4096')).toEqual({
			[processGuard.PARENT_ENV]: String(process.pid),
			NODE_OPTIONS: `--require ${JSON.stringify(GUARD)} --max-old-space-size=4096`,
		});
	});

	it('watches the parent, and the parent\'s parent when the parent is a shell (npm runs scripts with sh -c)', async () => {
		// "; true" keeps sh from exec'ing node in its place.
		const child = spawn('sh', ['-c', '"$NODE" -e "console.log(JSON.stringify(require(process.env.GUARD).ancestorsToWatch()))"; true'], {
			env: { ...process.env, NODE: process.execPath, GUARD },
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		let out = '';
		child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
		await new Promise((resolve) => child.once('exit', resolve));
		expect(JSON.parse(out)).toEqual([child.pid, process.pid]);
		expect(processGuard.ancestorsToWatch(1)).toEqual([]);
	});
});

describe('the SMTP credential start:local creates for the templates', () => {
	const { smtpCredentialData } = require('../../../scripts/run-local.js') as { smtpCredentialData: (env: Record<string, string>) => Record<string, unknown> };

	it('defaults to an unauthenticated relay on 127.0.0.1:25 and takes SMTP_* when set', () => {
		expect(smtpCredentialData({})).toEqual({ host: '127.0.0.1', port: 25, user: '', password: '', secure: false });
		expect(smtpCredentialData({ SMTP_HOST: 'mail.example.com', SMTP_PORT: '465', SMTP_USER: 'ops', SMTP_PASSWORD: 'pw', SMTP_SECURE: '1' })).toEqual({
			host: 'mail.example.com',
			port: 465,
			user: 'ops',
			password: 'pw',
			secure: true,
		});
	});

	it('refuses an SMTP_PORT that is not a port, naming it', () => {
		expect(() => smtpCredentialData({ SMTP_PORT: 'smtp' })).toThrow(/^SMTP_PORT is not a port/);
	});
});

describe('the Redis start:local uses', () => {
	const { redisPlan, startLocalRedis } = require('../../../scripts/lib/localRedis.js') as {
		redisPlan: (env: Record<string, string>, isListening?: (port: number) => Promise<boolean>) => Promise<Record<string, unknown>>;
		startLocalRedis: (options: { port: number; dir: string; logFile: string; bin?: string }) => Promise<{ stop: () => Promise<void>; exited: () => boolean }>;
	};
	const home = require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'aic-local-redis-')) as string;
	afterAll(() => require('node:fs').rmSync(home, { recursive: true, force: true }));

	it('is REDIS_URL when set, else the one on 6379, else one it starts', async () => {
		expect(await redisPlan({ REDIS_URL: 'redis://cache:6380/2' }, async () => false)).toEqual({ action: 'use', url: 'redis://cache:6380/2', why: 'REDIS_URL is set' });
		expect(await redisPlan({}, async (port) => port === 6379)).toMatchObject({ action: 'use', url: 'redis://127.0.0.1:6379' });
		expect(await redisPlan({}, async () => false)).toEqual({ action: 'start', url: 'redis://127.0.0.1:6379', port: 6379 });
	});

	it('says what to install, or to set REDIS_URL, when there is no redis-server', async () => {
		await expect(startLocalRedis({ port: 1, dir: home, logFile: `${home}/redis.log`, bin: 'no-such-redis-server' })).rejects.toThrow(
			/nothing listens on 127\.0\.0\.1:1 and "no-such-redis-server" is not installed\. Install Redis .* or set REDIS_URL/,
		);
	});

	it('starts a real redis-server that keeps its data in the folder, and stops it', async () => {
		const { closedPort } = require('../../support/ports') as { closedPort: () => Promise<number> };
		const { listening } = require('../../../scripts/lib/localRedis.js') as { listening: (port: number) => Promise<boolean> };
		const port = await closedPort();
		const redis = await startLocalRedis({ port, dir: `${home}/redis-${port}`, logFile: `${home}/redis-${port}.log` });
		try {
			expect(await listening(port)).toBe(true);
			expect(require('node:fs').existsSync(`${home}/redis-${port}/appendonlydir`)).toBe(true);
		} finally {
			await redis.stop();
		}
		expect(await listening(port)).toBe(false);
	}, 30_000);
});

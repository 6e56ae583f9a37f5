import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInSandbox } from '../../../runtime/sandbox/runInSandbox';
import { pythonFor, runTests } from '../../../runtime/sandbox/runners';
import { forAnyCommand, processesWith, removeWorkspaces, SANDBOXES, workspaceWith } from './support';

afterAll(removeWorkspaces);

const SECRETS: Record<string, string> = {
	GITHUB_TOKEN: 'ghp_parentSecret0001',
	REDIS_URL: 'redis://:parentSecret0002@127.0.0.1:6379/0',
	OLLAMA_HOST: 'http://parent-secret-0003:11434',
	N8N_ENCRYPTION_KEY: 'parentSecret0004',
	MY_SERVICE_API_KEY: 'parentSecret0005',
	DB_PASSWORD: 'parentSecret0006',
};

/** Runs `script` with `node -e` in the sandbox and returns the JSON it printed last, with the result. */
async function nodeScript(sandbox: 'bubblewrap' | 'process', workspace: string, script: string, args: string[] = []) {
	const result = await runInSandbox({ cwd: workspace, command: ['node', '-e', script, ...args], timeoutMs: 10_000, maxOutputBytes: 64 * 1024, sandbox });
	const lastLine = result.output.trim().split('\n').pop() ?? '';
	return { result, printed: JSON.parse(lastLine) as Record<string, unknown> };
}

describe.each(SANDBOXES)('the %s sandbox', (sandbox) => {
	it('kills a generated test that never ends at the timeout, quickly, with status timeout', async () => {
		const { workspace } = workspaceWith({
			'hang.test.js': "const { test } = require('node:test');\ntest('waits forever', () => new Promise(() => setInterval(() => {}, 1000)));\n",
		});
		const started = Date.now();
		const report = await runTests(workspace, { techStack: ['Node.js'], timeoutMs: 1500, maxOutputBytes: 64 * 1024, sandbox });
		expect(report.status).toBe('timeout');
		expect(report.durationMs).toBeGreaterThanOrEqual(1400);
		expect(Date.now() - started).toBeLessThan(6000);
	});

	it('kills the whole process group at the timeout, SIGKILL for what ignores SIGTERM', async () => {
		const marker = `98${Math.floor(Math.random() * 9000) + 1000}.5`;
		const { workspace } = workspaceWith();
		const result = await runInSandbox({
			cwd: workspace,
			command: ['sh', '-c', `trap '' TERM; sleep ${marker} & sleep ${marker} & wait`],
			timeoutMs: 800,
			killGraceMs: 500,
			maxOutputBytes: 1024,
			sandbox: forAnyCommand(sandbox),
		});
		expect(result.timedOut).toBe(true);
		expect(result.durationMs).toBeLessThan(5000);
		let left = processesWith(marker);
		for (let i = 0; i < 20 && left.length > 0; i++) {
			await new Promise((resolve) => setTimeout(resolve, 50));
			left = processesWith(marker);
		}
		expect(left).toEqual([]);
	});

	describe('with secrets in the parent environment', () => {
		const saved: Record<string, string | undefined> = {};
		beforeAll(() => {
			for (const [name, value] of Object.entries(SECRETS)) {
				saved[name] = process.env[name];
				process.env[name] = value;
			}
		});
		afterAll(() => {
			for (const [name, value] of Object.entries(saved)) {
				if (value === undefined) delete process.env[name];
				else process.env[name] = value;
			}
		});

		it('gives a generated test none of them, nor a secret-looking variable the caller adds, and a private HOME', async () => {
			const { workspace } = workspaceWith({
				'env.test.js': [
					"const { test } = require('node:test'); const assert = require('node:assert');",
					'console.log(JSON.stringify(process.env));',
					`test('sees no secret', () => {`,
					`  for (const name of ${JSON.stringify([...Object.keys(SECRETS), 'EXTRA_TOKEN'])}) assert.strictEqual(process.env[name], undefined, name);`,
					`  assert.notStrictEqual(process.env.HOME, ${JSON.stringify(homedir())});`,
					`  assert.strictEqual(process.env.HARMLESS, 'yes');`,
					'});',
				].join('\n'),
			});
			const report = await runTests(workspace, { techStack: ['Node.js'], timeoutMs: 10_000, maxOutputBytes: 64 * 1024, sandbox, env: { EXTRA_TOKEN: 'callerSecret0007', HARMLESS: 'yes' } });
			expect(report).toMatchObject({ status: 'passed', passed: 1, failed: 0 });
			for (const value of [...Object.values(SECRETS), 'callerSecret0007']) expect(report.output).not.toContain(value);
			expect(report.output).toContain('"HARMLESS":"yes"');
		});
	});

	it('lets node write in the workspace but not next to it or elsewhere, and the files do not exist afterwards', async () => {
		const { workspace, parent } = workspaceWith();
		const elsewhere = mkdtempSync(join(tmpdir(), 'sandbox-victim-'));
		try {
			const script = [
				"const fs = require('fs'); const result = {};",
				"for (const [name, path] of [['inside', 'inside.txt'], ['parent', '../outside'], ['elsewhere', process.argv[1]]]) {",
				"  try { fs.writeFileSync(path, 'x'); result[name] = 'written'; } catch (e) { result[name] = e.code || e.message; }",
				'}',
				'console.log(JSON.stringify(result));',
			].join('\n');
			const { result, printed } = await nodeScript(sandbox, workspace, script, [join(elsewhere, 'victim.txt')]);
			expect(printed.inside).toBe('written');
			expect(printed.parent).not.toBe('written');
			expect(printed.elsewhere).not.toBe('written');
			expect(existsSync(join(workspace, 'inside.txt'))).toBe(true);
			expect(existsSync(join(parent, 'outside'))).toBe(false);
			expect(existsSync(join(elsewhere, 'victim.txt'))).toBe(false);
			expect(result.isolation.writesOutsideWorkspace).toBe(true);
		} finally {
			rmSync(elsewhere, { recursive: true, force: true });
		}
	});

	it("keeps the operator's n8n folder (its encryption key) out of a generated test's reach", async () => {
		const userFolder = mkdtempSync(join(tmpdir(), 'sandbox-n8n-'));
		mkdirSync(join(userFolder, '.n8n'));
		writeFileSync(join(userFolder, '.n8n/config'), '{"encryptionKey":"operatorSecret0008"}');
		const saved = process.env.N8N_USER_FOLDER;
		process.env.N8N_USER_FOLDER = userFolder;
		try {
			const { workspace } = workspaceWith({
				'peek.test.js': [
					"const { test } = require('node:test'); const assert = require('node:assert'); const fs = require('node:fs');",
					`test('cannot read the n8n config', () => { assert.throws(() => fs.readFileSync(${JSON.stringify(join(userFolder, '.n8n/config'))}, 'utf8')); });`,
				].join('\n'),
			});
			const report = await runTests(workspace, { techStack: ['Node.js'], timeoutMs: 10_000, maxOutputBytes: 64 * 1024, sandbox });
			expect(report).toMatchObject({ status: 'passed', passed: 1, failed: 0 });
			expect(report.output).not.toContain('operatorSecret0008');
		} finally {
			if (saved === undefined) delete process.env.N8N_USER_FOLDER;
			else process.env.N8N_USER_FOLDER = saved;
			rmSync(userFolder, { recursive: true, force: true });
		}
	});

	it('runs a generated test that tries to write ../outside, and the write fails', async () => {
		const { workspace } = workspaceWith({
			'escape.test.js': [
				"const { test } = require('node:test'); const assert = require('node:assert'); const fs = require('node:fs');",
				"test('cannot write outside', () => { assert.throws(() => fs.writeFileSync('../outside', 'x')); });",
			].join('\n'),
		});
		const report = await runTests(workspace, { techStack: ['Node.js'], timeoutMs: 10_000, maxOutputBytes: 64 * 1024, sandbox });
		expect(report).toMatchObject({ status: 'passed', passed: 1, failed: 0, isolation: { sandbox, writesOutsideWorkspace: true } });
	});

	it('cuts 10 MB of output to the cap, keeping head and tail, and marks it truncated', async () => {
		const { workspace } = workspaceWith();
		const script = "process.stdout.write('START'); const chunk = 'y'.repeat(65536); for (let i = 0; i < 160; i++) process.stdout.write(chunk); process.stdout.write('END');";
		const result = await runInSandbox({ cwd: workspace, command: ['node', '-e', script], timeoutMs: 20_000, maxOutputBytes: 64 * 1024, sandbox });
		expect(result).toMatchObject({ exitCode: 0, timedOut: false, outputTruncated: true });
		expect(result.output.length).toBeLessThan(64 * 1024 + 100);
		expect(result.output.startsWith('START')).toBe(true);
		expect(result.output.endsWith('END')).toBe(true);
		expect(result.output).toMatch(/\[… \d+ bytes of output left out …\]/);
	});

	it('still reads the summary of a generated test that prints 10 MB (the tail is kept)', async () => {
		const { workspace } = workspaceWith({
			'loud.test.js': "const { test } = require('node:test');\ntest('talks a lot', () => { const line = 'z'.repeat(1023) + '\\n'; for (let i = 0; i < 10240; i++) process.stdout.write(line); });\n",
		});
		const report = await runTests(workspace, { techStack: ['Node.js'], timeoutMs: 20_000, maxOutputBytes: 32 * 1024, sandbox });
		expect(report).toMatchObject({ status: 'passed', passed: 1, failed: 0 });
		expect(report.output.length).toBeLessThan(32 * 1024 + 100);
	});
});

describe('network', () => {
	let server: Server;
	let connections = 0;
	let port = 0;
	beforeAll(async () => {
		server = createServer((socket) => {
			connections++;
			socket.end('hello');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		port = (server.address() as { port: number }).port;
	});
	afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
	beforeEach(() => {
		connections = 0;
	});

	const connect = [
		"const net = require('net'); const socket = net.connect(Number(process.argv[1]), '127.0.0.1');",
		"socket.on('data', (d) => { console.log(JSON.stringify({ connected: String(d) })); socket.destroy(); });",
		"socket.on('error', (e) => console.log(JSON.stringify({ error: e.code || e.message })));",
	].join('\n');

	(SANDBOXES.includes('bubblewrap') ? it : it.skip)('is unreachable from bubblewrap, loopback included: the listener sees no connection', async () => {
		const { workspace } = workspaceWith();
		const { result, printed } = await nodeScript('bubblewrap', workspace, connect, [String(port)]);
		expect(printed.error).toEqual(expect.any(String));
		expect(printed.connected).toBeUndefined();
		expect(connections).toBe(0);
		expect(result.isolation.network).toBe(true);
	});

	it('is reachable from the plain process sandbox, and the report says so', async () => {
		const { workspace } = workspaceWith();
		const { result, printed } = await nodeScript('process', workspace, connect, [String(port)]);
		expect(printed.connected).toBe('hello');
		expect(connections).toBe(1);
		expect(result.isolation).toMatchObject({ sandbox: 'process', network: false, writesOutsideWorkspace: true, unconfined: false });
	});
});

describe('honest reporting without bubblewrap', () => {
	it('says writes outside are not blocked for a command that is not node, and indeed they are not', async () => {
		const python = await pythonFor('process-unconfined');
		const { workspace } = workspaceWith();
		// Open to everyone, as /tmp is: the run's own uid (as root) may write there too.
		const open = mkdtempSync(join(tmpdir(), 'sandbox-open-'));
		chmodSync(open, 0o1777);
		try {
			const target = join(open, 'outside');
			const command = python ? [python.executable, '-c', `open(${JSON.stringify(target)}, 'w').write('x')`] : ['sh', '-c', `echo x > ${target}`];
			const result = await runInSandbox({ cwd: workspace, command, timeoutMs: 10_000, maxOutputBytes: 1024, sandbox: 'process-unconfined' });
			expect(result.exitCode).toBe(0);
			expect(existsSync(target)).toBe(true);
			expect(result.isolation).toMatchObject({ sandbox: 'process', network: false, writesOutsideWorkspace: false, unconfined: true });
		} finally {
			rmSync(open, { recursive: true, force: true });
		}
	});
});

(SANDBOXES.includes('bubblewrap') ? describe : describe.skip)('bubblewrap and git', () => {
	it("keeps the workspace's .git read-only, so tests cannot plant hooks or config for the next commit", async () => {
		const { workspace } = workspaceWith();
		mkdirSync(join(workspace, '.git/hooks'), { recursive: true });
		writeFileSync(join(workspace, '.git/config'), '[core]\n');
		const result = await runInSandbox({
			cwd: workspace,
			command: ['sh', '-c', 'echo "[core] fsmonitor = evil" >> .git/config; echo evil > .git/hooks/pre-commit; echo ok > tracked.txt'],
			timeoutMs: 10_000,
			maxOutputBytes: 4096,
			sandbox: 'bubblewrap',
		});
		expect(result.output).toMatch(/Read-only file system/);
		expect(existsSync(join(workspace, '.git/hooks/pre-commit'))).toBe(false);
		expect(existsSync(join(workspace, 'tracked.txt'))).toBe(true);
	});
});

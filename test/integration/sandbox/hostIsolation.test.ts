import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { runInSandbox } from '../../../runtime/sandbox/runInSandbox';
import { runTests } from '../../../runtime/sandbox/runners';
import { forAnyCommand, processesWith, removeWorkspaces, runTestsInParentWith, SANDBOXES, workspaceWith } from './support';

afterAll(removeWorkspaces);

const root = process.getuid?.() === 0;
const withBubblewrap = SANDBOXES.includes('bubblewrap') ? describe : describe.skip;

/** Runs `script` with `node -e` in the sandbox and returns the JSON it printed last, with the result. */
async function nodeScript(sandbox: 'bubblewrap' | 'process', script: string, args: string[] = []) {
	const { workspace } = workspaceWith();
	const result = await runInSandbox({ cwd: workspace, command: ['node', '-e', script, ...args], timeoutMs: 10_000, maxOutputBytes: 64 * 1024, sandbox });
	const lastLine = result.output.trim().split('\n').pop() ?? '';
	return { result, printed: JSON.parse(lastLine) as Record<string, unknown> };
}

withBubblewrap('bubblewrap: the host behind it', () => {
	it('runs the tests as a uid that is not root: /etc/shadow and /root cannot be read, and the report names the uid', async () => {
		const script = [
			"const fs = require('fs'); const out = { uid: process.getuid(), root: fs.readdirSync('/').sort() };",
			"for (const path of ['/etc/shadow', '/root/.bashrc', '/root']) { try { fs.statSync(path).isDirectory() ? fs.readdirSync(path) : fs.readFileSync(path); out[path] = 'read'; } catch (e) { out[path] = e.code; } }",
			'console.log(JSON.stringify(out));',
		].join('\n');
		const { result, printed } = await nodeScript('bubblewrap', script);
		expect(printed.uid).not.toBe(0);
		for (const path of ['/etc/shadow', '/root/.bashrc', '/root']) expect(printed[path]).not.toBe('read');
		// The root holds the system folders and little else: no /home, /var/run sockets, /opt, /srv.
		expect(printed.root).not.toEqual(expect.arrayContaining(['home']));
		expect(result.isolation).toMatchObject({ sandbox: 'bubblewrap', uid: expect.any(Number), parentEnvironment: true, processTree: true });
		if (root) {
			expect(result.isolation.uid).not.toBe(0);
			expect(result.isolation.fallbackReason).toBeUndefined();
		}
	});

	describe('host unix sockets', () => {
		const servers: Array<{ server: Server; path: string; connections: number }> = [];
		beforeAll(async () => {
			const tag = `${process.pid}-${Date.now()}`;
			for (const path of [`/var/tmp/sandbox-test-${tag}.sock`, ...(root ? [`/run/sandbox-test-${tag}.sock`] : [])]) {
				const entry = { server: createServer(), path, connections: 0 };
				entry.server.on('connection', (socket) => {
					entry.connections++;
					socket.end('hello');
				});
				await new Promise<void>((resolve) => entry.server.listen(path, resolve));
				chmodSync(path, 0o777); // anyone may connect: only the sandbox's walls can stop it
				servers.push(entry);
			}
		});
		afterAll(async () => {
			for (const { server, path } of servers) {
				await new Promise<void>((resolve) => server.close(() => resolve()));
				rmSync(path, { force: true });
			}
		});

		it('a socket listening in /var/tmp (and /run) cannot be connected to from inside', async () => {
			const script = [
				"const net = require('net'); const out = {}; let left = process.argv.length - 1;",
				'for (const path of process.argv.slice(1)) {',
				"  const socket = net.connect(path); socket.on('data', () => { out[path] = 'connected'; socket.destroy(); if (--left === 0) console.log(JSON.stringify(out)); });",
				"  socket.on('error', (e) => { out[path] = e.code; if (--left === 0) console.log(JSON.stringify(out)); });",
				'}',
			].join('\n');
			const { printed } = await nodeScript(
				'bubblewrap',
				script,
				servers.map((s) => s.path),
			);
			for (const { path, connections } of servers) {
				expect(printed[path]).not.toBe('connected');
				expect(connections).toBe(0);
			}
		});
	});
});

const SECRETS = {
	N8N_ENCRYPTION_KEY: 'parentSecret-n8n-0001',
	DATABASE_URL: 'postgres://app:parentSecret-db-0002@db:5432/app',
	REDIS_URL: 'redis://:parentSecret-redis-0003@127.0.0.1:6379/0',
};

// Reads the environment of every ancestor, and of every other process it can see, looking for the secrets.
const READS_PARENT_ENVIRONMENT = `import os, unittest

SECRETS = ${JSON.stringify(Object.values(SECRETS))}


class ParentTest(unittest.TestCase):
    def test_cannot_read_the_parents_secrets(self):
        ancestors, pid = [], os.getppid()
        while pid > 1 and pid not in ancestors:
            ancestors.append(pid)
            try:
                with open("/proc/%d/status" % pid) as status:
                    pid = int([line for line in status if line.startswith("PPid:")][0].split()[1])
            except OSError:
                break
        readable, found = [], []
        for pid in set(ancestors) | {int(p) for p in os.listdir("/proc") if p.isdigit()}:
            try:
                with open("/proc/%d/environ" % pid, "rb") as environ:
                    data = environ.read()
            except OSError:
                continue
            if pid in ancestors:
                readable.append(pid)
            found += [secret for secret in SECRETS if secret.encode() in data]
        print("ancestors", ancestors, "readable", readable)
        self.assertEqual(found, [])
`;

describe.each(SANDBOXES.map(forAnyCommand))('the %s sandbox and the process that runs it', (sandbox) => {
	const kind = sandbox === 'bubblewrap' ? 'bubblewrap' : 'process';

	it("a Python test cannot read the parent's environment (its secrets) through /proc", async () => {
		const { workspace } = workspaceWith({ 'test_parent.py': READS_PARENT_ENVIRONMENT });
		const { report } = await runTestsInParentWith(SECRETS, workspace, { techStack: ['Python'], timeoutMs: 20_000, maxOutputBytes: 64 * 1024, sandbox });
		expect(report).toMatchObject({ status: 'passed', passed: 1, failed: 0 });
		for (const secret of Object.values(SECRETS)) expect(report.output).not.toContain(secret);
		expect(report.isolation).toMatchObject({ sandbox: kind, parentEnvironment: true });
	});

	it('a child a test started in a session of its own (setsid) does not outlive the run', async () => {
		const marker = `97${Math.floor(Math.random() * 9000) + 1000}.5`;
		const { workspace } = workspaceWith({
			'test_daemon.py': [
				'import subprocess, unittest',
				'',
				'',
				'class DaemonTest(unittest.TestCase):',
				'    def test_starts_a_daemon(self):',
				`        subprocess.Popen(["sleep", "${marker}"], start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)`,
				'',
			].join('\n'),
		});
		const report = await runTests(workspace, { techStack: ['Python'], timeoutMs: 20_000, maxOutputBytes: 64 * 1024, sandbox });
		expect(report).toMatchObject({ status: 'passed', passed: 1 });
		expect(processesWith(marker)).toEqual([]);
		expect(report.isolation).toMatchObject({ sandbox: kind, processTree: true });
	});

	it('a run with timeout T ends within T + the kill grace + a small margin, even with a setsid child that ignores SIGTERM and holds the output open', async () => {
		const marker = `96${Math.floor(Math.random() * 9000) + 1000}.5`;
		const { workspace } = workspaceWith();
		const timeoutMs = 1000;
		const killGraceMs = 500;
		const started = performance.now();
		const result = await runInSandbox({
			cwd: workspace,
			command: ['sh', '-c', `trap '' TERM; setsid sh -c "trap '' TERM; sleep ${marker}" & sleep ${marker}`],
			timeoutMs,
			killGraceMs,
			maxOutputBytes: 1024,
			sandbox,
		});
		const elapsed = performance.now() - started;
		expect(result.timedOut).toBe(true);
		expect(result.isolation.sandbox).toBe(kind);
		expect(elapsed).toBeGreaterThanOrEqual(timeoutMs);
		expect(elapsed).toBeLessThan(timeoutMs + killGraceMs + 500);
		expect(processesWith(marker)).toEqual([]);
	});

	it('enforces and reports the memory and process limits', async () => {
		const { workspace } = workspaceWith();
		// Node 24 needs about 1 GiB of RLIMIT_DATA just to start (V8 reserves its code range writable).
		const limits = { memoryBytes: 1280 * 1024 * 1024, processes: 16 };
		const memory = await runInSandbox({
			cwd: workspace,
			command: ['node', '-e', "try { const b = Buffer.alloc(2 * 1024 * 1024 * 1024 - 1); console.log('allocated', b.length); } catch (e) { console.log('refused', e.message); }"],
			timeoutMs: 10_000,
			maxOutputBytes: 4096,
			sandbox: kind,
			limits,
		});
		expect(memory.output).toMatch(/refused/);
		expect(memory.isolation).toMatchObject({ sandbox: kind, limits: { memoryBytes: 1280 * 1024 * 1024 } });
		const processes = await runInSandbox({
			cwd: workspace,
			command: ['sh', '-c', 'n=0; while [ $n -lt 40 ]; do sleep 5 & n=$((n + 1)); done 2>&1 | head -1; echo started'],
			timeoutMs: 10_000,
			maxOutputBytes: 4096,
			sandbox,
			limits,
		});
		expect(processes.output).toMatch(/fork|Resource temporarily unavailable|Cannot/i);
		if (root || sandbox === 'bubblewrap') expect(processes.isolation.limits).toMatchObject({ processes: 16 });
		expect(processes.isolation.limits?.cpuSeconds).toBe(21);
	});
});

describe('the process sandbox without the operator opting in', () => {
	it('refuses to run Python tests (they would not be confined), and says how to allow it', async () => {
		const { workspace } = workspaceWith({ 'test_a.py': 'import unittest\n\n\nclass A(unittest.TestCase):\n    def test_a(self):\n        pass\n' });
		const report = await runTests(workspace, { techStack: ['Python'], timeoutMs: 10_000, maxOutputBytes: 4096, sandbox: 'process' });
		expect(report).toMatchObject({ status: 'error', isolation: { sandbox: 'process' } });
		expect(report.output).toMatch(/process-unconfined/);
		// It names the command it refused, why it had no bubblewrap, and what only node gets.
		expect(report.output).toMatch(/refused to run "[^"]*python[^"]*" in the process sandbox \(the "process" sandbox was asked for\): without bubblewrap only node runs confined/);
	});

	it('runs node tests, under the permission model, and the report says they were confined', async () => {
		const { workspace } = workspaceWith({ 'a.test.js': "require('node:test').test('a', () => {});\n" });
		const report = await runTests(workspace, { techStack: ['Node.js'], timeoutMs: 10_000, maxOutputBytes: 4096, sandbox: 'process' });
		expect(report).toMatchObject({ status: 'passed', isolation: { sandbox: 'process', unconfined: false, parentEnvironment: true, processTree: true, writesOutsideWorkspace: true } });
		if (root) expect(report.isolation.uid).not.toBe(0);
		expect(report.isolation.fallbackReason).toMatch(/^the "process" sandbox was asked for/);
	});

	it('not root, runs node tests as this process\'s uid and says so in the fallback reason', async () => {
		const { workspace } = workspaceWith({ 'a.test.js': "require('node:test').test('a', () => {});\n" });
		// Seen as uid 1000 (running as root or not): no uid of its own is taken.
		const getuid = jest.spyOn(process, 'getuid').mockReturnValue(1000);
		try {
			const report = await runTests(workspace, { techStack: ['Node.js'], timeoutMs: 10_000, maxOutputBytes: 4096, sandbox: 'process' });
			expect(report).toMatchObject({ status: 'passed', isolation: { sandbox: 'process', uid: 1000, unconfined: false } });
			expect(report.isolation.fallbackReason).toBe('the "process" sandbox was asked for; not root: the tests run as this process\'s uid 1000');
		} finally {
			getuid.mockRestore();
		}
	});
});

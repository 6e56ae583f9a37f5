import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOXES, removeWorkspaces, workspaceWith } from './support';

// Which python3 a run uses. In the process sandbox as root the tests run as a uid of their own, so
// the interpreter, and every folder it needs, must be reachable by other uids. Each test loads
// the runners afresh (their python3 probe is cached per module) with PATH set to a fixture.

// Jest gives a test file a process.env of its own, while child processes started without an env
// get the real one: execFile is handed the test's environment, so the PATH set here is the one
// the runners' python3 probe searches, as it is in the service.
jest.mock('node:child_process', () => {
	const actual = jest.requireActual<typeof import('node:child_process')>('node:child_process');
	return {
		...actual,
		execFile: (file: string, args: string[], options: object, callback: (...results: unknown[]) => void) => actual.execFile(file, args, { env: process.env, ...options }, callback),
	};
});

type Runners = typeof import('../../../runtime/sandbox/runners') & Pick<typeof import('../../../runtime/sandbox/runInSandbox'), 'resolveSandbox'>;
function freshRunners(): Runners {
	let runners: Runners | undefined;
	jest.isolateModules(() => {
		const { resolveSandbox } = jest.requireActual<Runners>('../../../runtime/sandbox/runInSandbox');
		runners = { ...jest.requireActual<Runners>('../../../runtime/sandbox/runners'), resolveSandbox };
	});
	return runners!;
}

const root = process.getuid?.() === 0;
const systemPython = existsSync('/usr/bin/python3');
const savedPath = process.env.PATH;
const folders: string[] = [];
function folder(mode: number): string {
	const dir = mkdtempSync(join(tmpdir(), 'python-choice-'));
	chmodSync(dir, mode);
	folders.push(dir);
	return dir;
}

afterEach(() => {
	process.env.PATH = savedPath;
	for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(removeWorkspaces);

(root && systemPython ? describe : describe.skip)('pythonFor in the process sandbox as root', () => {
	it('takes a python3 on PATH whose own prefix (a virtualenv) other uids can reach, and names that prefix', async () => {
		// A virtualenv in its minimal form: pyvenv.cfg beside bin/, bin/python3 a link to the system one.
		const venv = folder(0o755);
		mkdirSync(join(venv, 'bin'));
		symlinkSync('/usr/bin/python3', join(venv, 'bin', 'python3'));
		writeFileSync(join(venv, 'pyvenv.cfg'), 'home = /usr/bin\ninclude-system-site-packages = false\n');
		process.env.PATH = `${join(venv, 'bin')}:/usr/bin:/bin`;
		const python = await freshRunners().pythonFor('process');
		expect(python).toMatchObject({ executable: join(venv, 'bin', 'python3'), prefixes: expect.arrayContaining([venv]) });
	});

	it('skips a python3 on PATH that runs an interpreter other uids cannot reach, and falls back to one they can', async () => {
		// The interpreter lives in a folder only its owner (uid 1, not the run's uid) may enter; the
		// python3 on PATH is a script anyone may run that starts it.
		const hidden = folder(0o700);
		copyFileSync('/usr/bin/python3', join(hidden, 'python3'));
		chmodSync(join(hidden, 'python3'), 0o755);
		chownSync(hidden, 1, 1);
		const bin = folder(0o755);
		writeFileSync(join(bin, 'python3'), `#!/bin/sh\nexec ${join(hidden, 'python3')} "$@"\n`, { mode: 0o755 });
		process.env.PATH = `${bin}:/usr/bin:/bin`;
		const runners = freshRunners();
		expect((await runners.detectPython())?.executable).toBe(join(hidden, 'python3'));
		const python = await runners.pythonFor('process');
		expect(python?.executable).toBe('/usr/bin/python3');
	});

	it("skips a python3 and a virtualenv in another user's private folders (uid 1 standing for that user)", async () => {
		// PATH: an interpreter only root may reach, then a python3 in a folder only uid 1 may enter
		// (it starts a virtualenv's python other uids could run), then the system one. And a
		// virtualenv that lives in a folder only uid 1 may enter, though its python links to /usr/bin.
		const hidden = folder(0o700);
		copyFileSync('/usr/bin/python3', join(hidden, 'python3'));
		const venv = folder(0o755);
		mkdirSync(join(venv, 'bin'));
		symlinkSync('/usr/bin/python3', join(venv, 'bin', 'python3'));
		writeFileSync(join(venv, 'pyvenv.cfg'), 'home = /usr/bin\n');
		const users = folder(0o700);
		chownSync(users, 1, 1);
		writeFileSync(join(users, 'python3'), `#!/bin/sh\nexec ${join(venv, 'bin', 'python3')} "$@"\n`, { mode: 0o755 });
		process.env.PATH = `${hidden}:${users}:/usr/bin:/bin`;
		expect((await freshRunners().pythonFor('process'))?.executable).toBe('/usr/bin/python3');

		const privateVenv = join(users, 'venv');
		mkdirSync(join(privateVenv, 'bin'), { recursive: true });
		symlinkSync('/usr/bin/python3', join(privateVenv, 'bin', 'python3'));
		writeFileSync(join(privateVenv, 'pyvenv.cfg'), 'home = /usr/bin\n');
		process.env.PATH = `${hidden}:${join(privateVenv, 'bin')}:/usr/bin:/bin`;
		expect((await freshRunners().pythonFor('process'))?.executable).toBe('/usr/bin/python3');
	});

	it('never takes a python3 from a relative PATH entry (it would depend on the working folder)', async () => {
		// The only python3 other uids can reach before /usr/bin is a virtualenv's, found through
		// the relative entry "venv/bin"; the one PATH finds first is out of their reach.
		const hidden = folder(0o700);
		copyFileSync('/usr/bin/python3', join(hidden, 'python3'));
		const cwd = folder(0o755);
		mkdirSync(join(cwd, 'venv', 'bin'), { recursive: true });
		symlinkSync('/usr/bin/python3', join(cwd, 'venv', 'bin', 'python3'));
		writeFileSync(join(cwd, 'venv', 'pyvenv.cfg'), 'home = /usr/bin\n');
		process.env.PATH = `${hidden}:venv/bin:/usr/bin:/bin`;
		const before = process.cwd();
		process.chdir(cwd);
		try {
			const python = await freshRunners().pythonFor('process');
			expect(python?.executable).toBe('/usr/bin/python3');
		} finally {
			process.chdir(before);
		}
	});
});

(SANDBOXES.includes('bubblewrap') ? describe : describe.skip)('without python3 on PATH', () => {
	it('ends Python tests in error with the python runner, saying python3 is not installed', async () => {
		const { workspace } = workspaceWith({ 'test_a.py': 'def test_a():\n    pass\n' });
		const runners = freshRunners();
		// bubblewrap is probed (once) with the usual PATH: it needs tools of its own.
		expect(await runners.resolveSandbox('bubblewrap')).toBe('bubblewrap');
		process.env.PATH = folder(0o755);
		const report = await runners.runTests(workspace, { techStack: ['Python'], timeoutMs: 10_000, maxOutputBytes: 4096, sandbox: 'bubblewrap' });
		expect(report).toMatchObject({ status: 'error', runner: 'python', output: 'python3 is not installed here' });
	});
});

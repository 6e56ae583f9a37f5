import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The sandboxes to test here: "process" always, "bubblewrap" wherever bwrap is installed (CI
 * installs it). Tests force the mode, so a bwrap that is installed but cannot work fails loudly.
 */
export const SANDBOXES: Array<'bubblewrap' | 'process'> = [...(bwrapInstalled() ? (['bubblewrap'] as const) : []), 'process'];

function bwrapInstalled(): boolean {
	try {
		execFileSync('sh', ['-c', 'command -v bwrap'], { stdio: 'ignore' });
		return true;
	} catch {
		console.warn('bwrap is not installed: the bubblewrap sandbox is not tested here');
		return false;
	}
}

const made: string[] = [];

/** A fresh folder `<parent>/ws` holding `files`; the parent is removed after all tests. */
export function workspaceWith(files: Record<string, string> = {}): { workspace: string; parent: string } {
	const parent = mkdtempSync(join(tmpdir(), 'sandbox-test-'));
	// Searchable by others: as root, the process sandbox runs the tests as a uid of their own.
	chmodSync(parent, 0o711);
	made.push(parent);
	const workspace = join(parent, 'ws');
	mkdirSync(workspace);
	for (const [path, content] of Object.entries(files)) {
		mkdirSync(dirname(join(workspace, path)), { recursive: true });
		writeFileSync(join(workspace, path), content);
	}
	return { workspace, parent };
}

export function removeWorkspaces(): void {
	for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Host pids of live (not zombie) processes whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
	const pids: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
		try {
			if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
		} catch {
			// gone meanwhile
		}
	}
	return pids;
}

/**
 * The sandbox value for a run of a command that is not node (python, sh): without bubblewrap the
 * operator must opt in to running it unconfined.
 */
export function forAnyCommand(sandbox: 'bubblewrap' | 'process'): 'bubblewrap' | 'process-unconfined' {
	return sandbox === 'process' ? 'process-unconfined' : sandbox;
}

/**
 * Runs `runTests(workspace, options)` in a child Node process whose environment (the one its
 * /proc/<pid>/environ shows) holds `env`: the parent a sandboxed test would try to read secrets
 * from. The runtime's TypeScript is compiled on the fly with the typescript package.
 */
export function runTestsInParentWith(env: Record<string, string>, workspace: string, options: object): Promise<{ report: Record<string, unknown>; parentPid: number }> {
	const runners = join(__dirname, '../../../runtime/sandbox/runners.ts');
	const script = [
		"const ts = require('typescript'); const fs = require('node:fs');",
		"require.extensions['.ts'] = (module, filename) => {",
		'  const { outputText } = ts.transpileModule(fs.readFileSync(filename, "utf8"), { fileName: filename, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });',
		'  module._compile(outputText, filename);',
		'};',
		`const { runTests } = require(${JSON.stringify(runners)});`,
		`runTests(${JSON.stringify(workspace)}, ${JSON.stringify(options)}).then((report) => { process.stdout.write(JSON.stringify({ report, parentPid: process.pid })); }, (error) => { console.error(error); process.exit(1); });`,
	].join('\n');
	return new Promise((resolve, reject) => {
		execFile(process.execPath, ['-e', script], { cwd: join(__dirname, '../../..'), env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
			if (error) return reject(new Error(`${error.message}\n${stderr}`));
			resolve(JSON.parse(stdout) as { report: Record<string, unknown>; parentPid: number });
		});
	});
}

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

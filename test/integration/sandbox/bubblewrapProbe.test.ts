import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOXES } from './support';

// The bubblewrap probe: what it runs bwrap with (a PATH of its own, a time limit) and what it
// reports when bwrap cannot build the sandbox. A stand-in bwrap on PATH answers --help like the
// real one and then fails as each test needs. Each test loads the sandbox modules afresh: the
// probe runs once per process.

type Isolation = typeof import('../../../runtime/sandbox/isolation');
function freshIsolation(): Isolation {
	let isolation: Isolation | undefined;
	jest.isolateModules(() => {
		isolation = jest.requireActual<Isolation>('../../../runtime/sandbox/isolation');
	});
	return isolation!;
}

const savedPath = process.env.PATH;
const folders: string[] = [];
afterEach(() => {
	if (savedPath === undefined) delete process.env.PATH;
	else process.env.PATH = savedPath;
	for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A folder (open to other uids: as root the probe runs bwrap as one) holding a bwrap that runs `whenRun` after answering --help. */
function fakeBwrap(whenRun: string): string {
	const dir = mkdtempSync(join(tmpdir(), 'fake-bwrap-'));
	chmodSync(dir, 0o755);
	folders.push(dir);
	writeFileSync(join(dir, 'bwrap'), `#!/bin/sh\nif [ "$1" = "--help" ]; then echo "usage: bwrap [--size BYTES]"; exit 0; fi\n${whenRun}\n`, { mode: 0o755 });
	return dir;
}

describe('probeBubblewrap', () => {
	it('runs bwrap with the PATH of this process only, and reports what bwrap printed when it fails', async () => {
		const dir = fakeBwrap('echo "PATH=$PATH HOME=${HOME:-none}" >&2; exit 3');
		process.env.PATH = `${dir}:/usr/bin:/bin`;
		const probe = await freshIsolation().probeBubblewrap();
		expect(probe.path).toBeNull();
		expect(probe.features).toEqual({ disableUserns: false, tmpfsSize: true });
		expect(probe.problem).toMatch(new RegExp(`^${join(dir, 'bwrap')} cannot create its sandbox here.*: PATH=${dir}:/usr/bin:/bin HOME=none$`));
	});

	it('names the exit code when bwrap fails without a word', async () => {
		const dir = fakeBwrap('exit 3');
		process.env.PATH = `${dir}:/usr/bin:/bin`;
		expect((await freshIsolation().probeBubblewrap()).problem).toMatch(/: exit code 3$/);
	});

	it('gives up on a bwrap that hangs after 10 seconds, as exit code 1', async () => {
		const dir = fakeBwrap('exec sleep 60');
		process.env.PATH = `${dir}:/usr/bin:/bin`;
		const started = Date.now();
		expect((await freshIsolation().probeBubblewrap()).problem).toMatch(/: exit code 1$/);
		expect(Date.now() - started).toBeLessThan(20_000);
	}, 30_000);

	(SANDBOXES.includes('bubblewrap') ? it : it.skip)('works without a PATH: the system folders are searched instead', async () => {
		delete process.env.PATH;
		const probe = await freshIsolation().probeBubblewrap();
		expect(probe).toMatchObject({ path: expect.stringMatching(/\/bwrap$/) });
		expect(probe.problem).toBeUndefined();
	});
});

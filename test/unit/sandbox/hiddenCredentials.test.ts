import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bubblewrapArgs, type BubblewrapLayout } from '../../../runtime/sandbox/isolation';

// Credential folders and files of the service's home (~/.ssh, ~/.netrc, ...) are hidden inside the
// sandbox when a bound folder holds them: an empty read-only tmpfs over a folder, /dev/null over
// a file. The home is a fixture here (os.homedir is pinned to it).
let mockHome = '/nonexistent';
jest.mock('node:os', () => ({ ...jest.requireActual<typeof import('node:os')>('node:os'), homedir: () => mockHome }));

const { tmpdir } = jest.requireActual<typeof import('node:os')>('node:os');

function layoutBinding(...dests: string[]): BubblewrapLayout {
	return {
		cwd: '/tmp/ws',
		binds: dests.map((dest) => ({ source: dest, dest, writable: false })),
		uid: 65534,
		gid: 65534,
		passwd: '/tmp/s/etc/passwd',
		group: '/tmp/s/etc/group',
		features: { disableUserns: true, tmpfsSize: true },
	};
}

beforeAll(() => {
	mockHome = mkdtempSync(join(tmpdir(), 'sandbox-home-'));
	mkdirSync(join(mockHome, '.ssh'));
	writeFileSync(join(mockHome, '.netrc'), 'machine example.test password x\n');
});
afterAll(() => rmSync(mockHome, { recursive: true, force: true }));

describe('bubblewrapArgs hides credentials of the home', () => {
	it('under a bound folder that holds them (among other binds): a read-only tmpfs over ~/.ssh, /dev/null over ~/.netrc', () => {
		const args = bubblewrapArgs(layoutBinding('/tmp/ws', mockHome)).join(' ');
		expect(args).toContain(`--tmpfs ${join(mockHome, '.ssh')} --remount-ro ${join(mockHome, '.ssh')}`);
		expect(args).toContain(`--ro-bind /dev/null ${join(mockHome, '.netrc')}`);
		// Those that are not there are not mentioned.
		expect(args).not.toContain(join(mockHome, '.aws'));
	});

	it('not when no bind holds them, nor for a bind that only shares the start of their name', () => {
		for (const args of [bubblewrapArgs(layoutBinding('/tmp/ws')), bubblewrapArgs(layoutBinding(`${mockHome}/.ss`))]) {
			expect(args.join(' ')).not.toContain(join(mockHome, '.ssh'));
			expect(args.join(' ')).not.toContain(join(mockHome, '.netrc'));
		}
	});
});

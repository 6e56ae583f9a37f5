import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InvalidInputError } from '../../../runtime/errors';

// materializeFiles checks every file against the disk before it writes or creates anything, and a
// folder that appears between its check and its mkdir (another writer) is used, not an error.

const realFs = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
let mkdirHook: ((path: string) => Promise<void>) | undefined;
jest.mock('node:fs/promises', () => {
	const actual = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
	return { ...actual, mkdir: (path: string, options?: object) => (mkdirHook && !options ? mkdirHook(path) : actual.mkdir(path, options)) };
});

// Imported after the mock, so it gets the hooked mkdir.
import { materializeFiles } from '../../../runtime/workspace/materialize';

const dirs: string[] = [];
afterEach(() => {
	mkdirHook = undefined;
});
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function workspace(): string {
	const dir = mkdtempSync(join(tmpdir(), 'materialize-all-or-nothing-'));
	dirs.push(dir);
	return dir;
}

describe('materializeFiles: all or nothing', () => {
	it('creates no folder for earlier files when a later file cannot be written', async () => {
		const ws = workspace();
		writeFileSync(join(ws, 'taken'), 'a file, not a folder');
		const error = await materializeFiles(ws, [
			{ path: 'fresh/deep/a.txt', content: 'a' },
			{ path: 'taken/b.txt', content: 'b' },
		]).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(InvalidInputError);
		expect((error as InvalidInputError).field).toBe('files[1].path');
		expect(existsSync(join(ws, 'fresh'))).toBe(false);
		expect(readdirSync(ws)).toEqual(['taken']);
	});

	it('uses a folder another writer created between the check and the mkdir', async () => {
		const ws = workspace();
		mkdirHook = async (path) => {
			await realFs.mkdir(path);
			const raced = Object.assign(new Error(`EEXIST: file already exists, mkdir '${path}'`), { code: 'EEXIST' });
			throw raced;
		};
		await expect(materializeFiles(ws, [{ path: 'src/lib/a.js', content: 'x' }])).resolves.toEqual(['src/lib/a.js']);
		expect(existsSync(join(ws, 'src/lib/a.js'))).toBe(true);
	});

	it('passes on any other error of mkdir', async () => {
		const ws = workspace();
		mkdirSync(join(ws, 'src'));
		const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
		mkdirHook = async () => {
			throw denied;
		};
		await expect(materializeFiles(ws, [{ path: 'src/lib/a.js', content: 'x' }])).rejects.toBe(denied);
	});
});

import { constants, type Stats } from 'node:fs';
import { chmod, lstat, mkdir, realpath, unlink, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { isGitDirName } from '../contracts/paths';
import { InvalidInputError } from '../errors';
import { checkFiles, type CheckFilesOptions } from './paths';

// Always a new file: O_EXCL fails on anything already there, a symlink (even a dangling one)
// included, and O_NOFOLLOW says so again for systems where O_EXCL alone would not.
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * Writes files a model returned into a working copy, creating folders as needed. Everything is
 * checked first (checkFiles, then each path against what is on disk), so a bad file means nothing
 * is written. Returns the normalised paths written, in order.
 *
 * The workspace may hold links someone else made (a test run in it, a cloned repository), so a
 * path is followed the way the file system would follow it: every folder on the way that is a
 * symlink is resolved to where it really is, and a path that lands outside the workspace or in a
 * ".git" folder (e.g. through `docs -> .git`) is refused. The file itself is never written through:
 * whatever is at its place (a symlink, or a hard link to a file elsewhere) is removed and a new file
 * created, keeping the old one's permissions.
 */
export async function materializeFiles(workspaceDir: string, files: unknown, options: CheckFilesOptions = {}): Promise<string[]> {
	const checked = checkFiles(files, options);
	const field = options.field ?? 'files';
	await mkdir(workspaceDir, { recursive: true });
	const root = await realpath(workspaceDir);
	for (const [i, file] of checked.entries()) await folderOnDisk(root, file.path, `${field}[${i}].path`, false);
	for (const [i, file] of checked.entries()) {
		const at = `${field}[${i}].path`;
		// Resolved again, just before writing, so the check holds for what is there now.
		const folder = (await folderOnDisk(root, file.path, at, true)) as string;
		await replaceFile(join(folder, file.path.split('/').pop() as string), file.content, file.path, at);
	}
	return checked.map((file) => file.path);
}

/**
 * The real folder (no symlinks left in it) that `path`'s file goes into, after checking every
 * folder on the way: each one a folder, and each symlink among them resolving inside `root` and
 * outside any ".git". With `create`, missing folders are made one at a time; without, returns
 * null at the first missing one (everything below it will be made fresh).
 */
async function folderOnDisk(root: string, path: string, field: string, create: boolean): Promise<string | null> {
	const segments = path.split('/');
	const name = segments.pop() as string;
	let current = root;
	for (const [i, segment] of segments.entries()) {
		const shown = segments.slice(0, i + 1).join('/');
		const next = join(current, segment);
		let stats = await lstatOrNull(next);
		if (!stats) {
			if (!create) return null;
			await mkdir(next).catch((error: NodeJS.ErrnoException) => {
				if (error.code !== 'EEXIST') throw error;
			});
			stats = await lstat(next);
		}
		current = next;
		if (stats.isSymbolicLink()) {
			const resolved = await realpath(next).catch(() => undefined);
			if (resolved === undefined) throw new InvalidInputError(field, `"${shown}" is a symlink to nothing (it could point anywhere later); refusing to write "${path}" through it`);
			const problem = placeProblem(root, resolved);
			if (problem) throw new InvalidInputError(field, `"${shown}" is a symlink pointing ${problem}; refusing to write "${path}" through it`);
			current = resolved;
			stats = await lstat(resolved);
		}
		if (!stats.isDirectory()) throw new InvalidInputError(field, `"${shown}" is a file in the workspace, not a folder`);
	}
	if (create) {
		// Once more as a whole, in case a folder on the way was swapped for a link meanwhile.
		current = await realpath(current);
		const problem = placeProblem(root, current);
		if (problem) throw new InvalidInputError(field, `the folder of "${path}" is now ${problem}; refusing to write it`);
	}
	const existing = await lstatOrNull(join(current, name));
	if (existing?.isDirectory()) throw new InvalidInputError(field, `"${path}" is a folder in the workspace, not a file`);
	return current;
}

/** Why a real path is no place to write: it is outside the workspace, or inside a ".git" folder. */
function placeProblem(root: string, real: string): string | undefined {
	const prefix = root.endsWith(sep) ? root : root + sep;
	if (real !== root && !real.startsWith(prefix)) return 'outside the workspace';
	const inside = real === root ? [] : real.slice(prefix.length).split(sep);
	if (inside.some(isGitDirName)) return `into git's own files ("${inside.join('/')}")`;
	return undefined;
}

async function replaceFile(target: string, content: string, path: string, field: string): Promise<void> {
	const old = await lstatOrNull(target);
	if (old) await unlink(target);
	try {
		await writeFile(target, content, { flag: CREATE_NEW });
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EEXIST' || code === 'ELOOP') throw new InvalidInputError(field, `"${path}" was created by someone else while it was being written; refusing to write through it`);
		throw error;
	}
	if (old?.isFile()) await chmod(target, old.mode & 0o777);
}

async function lstatOrNull(path: string): Promise<Stats | null> {
	try {
		return await lstat(path);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw error;
	}
}

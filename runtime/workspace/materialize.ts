import { constants } from 'node:fs';
import { lstat, mkdir, realpath, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { InvalidInputError } from '../errors';
import { checkFiles, type CheckFilesOptions } from './paths';

// Never write through a symlink at the file itself: replace the link instead.
const WRITE_NO_FOLLOW = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0);

/**
 * Writes files a model returned into a working copy, creating folders as needed. Everything is
 * checked first (checkFiles, then each path against what is on disk: no folder on the way that is
 * a symlink pointing outside the workspace, no file where a folder is needed), so a bad file means
 * nothing is written. Returns the normalised paths written, in order.
 */
export async function materializeFiles(workspaceDir: string, files: unknown, options: CheckFilesOptions = {}): Promise<string[]> {
	const checked = checkFiles(files, options);
	const field = options.field ?? 'files';
	await mkdir(workspaceDir, { recursive: true });
	const root = await realpath(workspaceDir);
	for (const [i, file] of checked.entries()) await checkPlaceOnDisk(root, file.path, `${field}[${i}].path`);
	for (const file of checked) {
		const target = join(root, file.path);
		await mkdir(dirname(target), { recursive: true });
		if ((await lstatOrNull(target))?.isSymbolicLink()) await unlink(target);
		await writeFile(target, file.content, { flag: WRITE_NO_FOLLOW });
	}
	return checked.map((file) => file.path);
}

async function checkPlaceOnDisk(root: string, path: string, field: string): Promise<void> {
	const segments = path.split('/');
	let current = root;
	for (const [i, segment] of segments.entries()) {
		const shown = segments.slice(0, i + 1).join('/');
		current = join(current, segment);
		const stats = await lstatOrNull(current);
		if (!stats) return; // from here on everything is created fresh
		const isLast = i === segments.length - 1;
		if (isLast) {
			if (stats.isDirectory()) throw new InvalidInputError(field, `"${path}" is a folder in the workspace, not a file`);
			return; // a file to overwrite, or a symlink to replace
		}
		if (stats.isSymbolicLink()) {
			const resolved = await realpath(current).catch(() => undefined);
			if (resolved === undefined || !isInside(root, resolved)) {
				throw new InvalidInputError(field, `"${shown}" is a symlink pointing outside the workspace; refusing to write "${path}" through it`);
			}
			current = resolved;
			if (!(await lstatOrNull(current))?.isDirectory()) throw new InvalidInputError(field, `"${shown}" is a file in the workspace, not a folder`);
		} else if (!stats.isDirectory()) {
			throw new InvalidInputError(field, `"${shown}" is a file in the workspace, not a folder`);
		}
	}
}

function isInside(root: string, path: string): boolean {
	return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function lstatOrNull(path: string) {
	try {
		return await lstat(path);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw error;
	}
}

import { posix } from 'node:path';
import { DEFAULT_STORE_LIMITS, MAX_FILE_PATH_LENGTH } from '../contracts/limits';
import { describeValue as describe, filePathProblem } from '../contracts/paths';
import type { ProducedFile } from '../contracts/project';
import { InvalidInputError } from '../errors';

/** How much a set of files written in one go may hold. */
export interface WorkspaceLimits {
	maxFiles: number;
	/** Per file, in UTF-8 bytes. */
	maxFileBytes: number;
	/** All files together, in UTF-8 bytes. */
	maxTotalBytes: number;
	/** Per path, in characters. */
	maxPathLength: number;
}

// A task's files end up in the stored project, so the store's limits bound them here too.
export const DEFAULT_WORKSPACE_LIMITS: Readonly<WorkspaceLimits> = Object.freeze({
	maxFiles: 500,
	maxFileBytes: DEFAULT_STORE_LIMITS.maxFileBytes,
	maxTotalBytes: DEFAULT_STORE_LIMITS.maxProjectBytes,
	maxPathLength: MAX_FILE_PATH_LENGTH,
});

export interface CheckFilesOptions {
	/** How the files are named in errors: `files` gives `files[2].path`. */
	field?: string;
	limits?: Partial<WorkspaceLimits>;
}

/**
 * Checks every file a model returned before anything is written: each path relative, inside the
 * workspace, without ".." or ".git" (in any spelling a file system reads as ".git": isGitDirName),
 * and the sizes within the limits. Returns the files with their paths normalised ("./src//a.ts" ->
 * "src/a.ts"); throws an InvalidInputError naming the first bad field, e.g. `files[2].path`.
 */
export function checkFiles(files: unknown, options: CheckFilesOptions = {}): ProducedFile[] {
	const field = options.field ?? 'files';
	const limits = { ...DEFAULT_WORKSPACE_LIMITS, ...options.limits };
	if (!Array.isArray(files)) throw new InvalidInputError(field, `must be a list of { path, content }, got ${describe(files)}`);
	if (files.length > limits.maxFiles) {
		throw new InvalidInputError(field, `has ${files.length} files; the limit is ${limits.maxFiles}`);
	}
	const checked: ProducedFile[] = [];
	const byPath = new Map<string, number>();
	let totalBytes = 0;
	files.forEach((file: unknown, i) => {
		const at = `${field}[${i}]`;
		if (typeof file !== 'object' || file === null) throw new InvalidInputError(at, `must be { path, content }, got ${describe(file)}`);
		const { path, content } = file as Record<string, unknown>;
		const normalised = checkFilePath(path, `${at}.path`, limits.maxPathLength);
		if (typeof content !== 'string') throw new InvalidInputError(`${at}.content`, `must be text, got ${describe(content)}`);
		const bytes = Buffer.byteLength(content, 'utf8');
		if (bytes > limits.maxFileBytes) {
			throw new InvalidInputError(`${at}.content`, `is ${bytes} bytes; the limit is ${limits.maxFileBytes} per file`);
		}
		totalBytes += bytes;
		if (totalBytes > limits.maxTotalBytes) {
			throw new InvalidInputError(field, `are over ${limits.maxTotalBytes} bytes together (the limit), counting up to ${at}`);
		}
		const earlier = byPath.get(normalised);
		if (earlier !== undefined) throw new InvalidInputError(`${at}.path`, `"${normalised}" is also ${field}[${earlier}]`);
		byPath.set(normalised, i);
		checked.push({ path: normalised, content });
	});
	// "src" as a file and "src/a.ts" cannot both exist.
	for (const [path, i] of byPath) {
		for (let parent = posix.dirname(path); parent !== '.'; parent = posix.dirname(parent)) {
			const other = byPath.get(parent);
			if (other !== undefined) {
				throw new InvalidInputError(`${field}[${i}].path`, `"${path}" needs "${parent}" to be a folder, but ${field}[${other}] is a file with that path`);
			}
		}
	}
	return checked;
}

/** One path, checked as checkFiles checks it (runtime/contracts/paths.ts); returns it normalised. */
export function checkFilePath(path: unknown, field: string, maxLength = DEFAULT_WORKSPACE_LIMITS.maxPathLength): string {
	const problem = filePathProblem(path, maxLength);
	if (problem) throw new InvalidInputError(field, problem);
	return posix.normalize(path as string);
}

import { posix } from 'node:path';
import type { ProducedFile } from '../contracts/project';
import { InvalidInputError } from '../errors';
import { DEFAULT_STORE_LIMITS } from '../state/limits';

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
	maxPathLength: 1024,
});

export interface CheckFilesOptions {
	/** How the files are named in errors: `files` gives `files[2].path`. */
	field?: string;
	limits?: Partial<WorkspaceLimits>;
}

// Longest file or folder name most file systems accept, in bytes.
const MAX_NAME_BYTES = 255;
// Characters HFS+ leaves out when it compares names (zero-width joiners, direction marks, BOM, ...):
// there ".g\u200cit" is ".git". Default_Ignorable_Code_Point holds all of them and a few more.
const IGNORED_IN_NAMES = /\p{Default_Ignorable_Code_Point}/gu;
const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/;

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

/** One path, checked as checkFiles checks it; returns it normalised. */
export function checkFilePath(path: unknown, field: string, maxLength = DEFAULT_WORKSPACE_LIMITS.maxPathLength): string {
	if (typeof path !== 'string' || path === '') throw new InvalidInputError(field, `must be a file path like "src/index.js", got ${describe(path)}`);
	const problem = pathProblem(path, maxLength);
	if (problem) throw new InvalidInputError(field, problem);
	return posix.normalize(path);
}

function pathProblem(path: string, maxLength: number): string | undefined {
	const shown = JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}…` : path);
	if (path.includes('\0')) return `must not contain a NUL character, got ${shown}`;
	if (CONTROL_CHARACTER.test(path)) return `must not contain control characters, got ${shown}`;
	if (path.length > maxLength) return `is ${path.length} characters long; the limit is ${maxLength}`;
	if (path.includes('\\')) return `must use "/" as separator, not "\\", got ${shown}`;
	if (path.startsWith('/')) return `must be relative to the workspace, not absolute, got ${shown}`;
	if (/^[A-Za-z]:/.test(path)) return `must be relative to the workspace, not start with a drive letter, got ${shown}`;
	const segments = path.split('/');
	if (segments.includes('..')) return `must not contain ".." segments, got ${shown}`;
	const git = segments.find(isGitDirName);
	if (git !== undefined) {
		const alias = git === '.git' ? '' : ` (${JSON.stringify(git)} is the same name on some file systems)`;
		return `must not touch git's own files (a ".git" segment${alias}), got ${shown}`;
	}
	if (segments.some((s) => Buffer.byteLength(s, 'utf8') > MAX_NAME_BYTES)) return `has a file or folder name over ${MAX_NAME_BYTES} bytes`;
	const normalised = posix.normalize(path);
	if (normalised === '.' || path.endsWith('/') || path.endsWith('/.')) return `must name a file, not a folder, got ${shown}`;
	return undefined;
}

/**
 * Whether one file or folder name is ".git" on some file system: in any case (".GIT", and ".g\u0131t"
 * with a dotless i, which upper-cases to "I"), with trailing dots or spaces (Windows drops them:
 * ".git. "), with an NTFS stream after a colon (".git::$INDEX_ALLOCATION" is the folder itself),
 * with characters HFS+ ignores (".g\u200cit"), or as an 8.3 short name ("GIT~1", "git~2"). Names
 * that only look alike (a Cyrillic "\u0456", full-width letters) are other names on every file
 * system and are not refused.
 */
export function isGitDirName(name: string): boolean {
	const bare = name.replace(IGNORED_IN_NAMES, '').split(':')[0].replace(/[. ]+$/, '');
	return [bare.toLowerCase(), bare.toUpperCase().toLowerCase()].some((n) => n === '.git' || /^git~\d+$/.test(n));
}

function describe(value: unknown): string {
	if (value === undefined) return 'nothing';
	const json = JSON.stringify(value);
	return json === undefined ? typeof value : json.length > 80 ? `${json.slice(0, 80)}…` : json;
}

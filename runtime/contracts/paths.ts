// The path rules of a task's files: what the store keeps and what a workspace writes are the same
// paths, so both check them here (the store before it keeps a file, the workspace before it writes one).

import { posix } from 'node:path';
import { MAX_FILE_PATH_LENGTH } from './limits';

// Longest file or folder name most file systems accept, in bytes.
const MAX_NAME_BYTES = 255;
// Characters HFS+ leaves out when it compares names (zero-width joiners, direction marks, BOM, ...):
// there ".g\u200cit" is ".git". Default_Ignorable_Code_Point holds all of them and a few more.
const IGNORED_IN_NAMES = /\p{Default_Ignorable_Code_Point}/gu;
const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/;

/**
 * What is wrong with one file path, or undefined when it is fine: relative, inside the workspace,
 * without ".." or ".git" (in any spelling a file system reads as ".git": isGitDirName), no NUL or
 * control characters, "/" as separator, at most `maxLength` characters, naming a file. The caller
 * names the field.
 */
export function filePathProblem(path: unknown, maxLength = MAX_FILE_PATH_LENGTH): string | undefined {
	if (typeof path !== 'string' || path === '') return `must be a file path like "src/index.js", got ${describeValue(path)}`;
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

/** A value as an error message quotes it: JSON, shortened to 80 characters. */
export function describeValue(value: unknown): string {
	if (value === undefined) return 'nothing';
	const json = JSON.stringify(value);
	return json === undefined ? typeof value : json.length > 80 ? `${json.slice(0, 80)}…` : json;
}

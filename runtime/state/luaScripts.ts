import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The store keeps its logic in TypeScript and asks Redis only to apply a finished change if the
// project is still at the version it was computed from (compare-and-set). Each script writes the
// project, its index entries and its events in one step, so no reader sees half a change.
// Projects never pass through Lua's cjson, which would turn an empty array into {}.

export interface LuaScript {
	readonly name: string;
	readonly source: string;
	readonly sha: string;
}

/** A script from `lua/<name>.lua` beside this file (what each one takes and returns is at its top). */
function script(name: string): LuaScript {
	const source = readFileSync(join(__dirname, 'lua', `${name}.lua`), 'utf8');
	return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * KEYS: idempotency key, project, events, then every index to add the project to.
 * ARGV: id, project JSON, index score, events MAXLEN, then the fields of the created event.
 * Returns {1, id} when created, {0, existing id} when the key was already used, {-1} when the id is taken.
 */
export const CREATE_PROJECT = script('createProject');

/**
 * KEYS: project, events, then the indexes to leave, then the indexes to be in.
 * ARGV: version read, new version, new JSON, id, index score, number of indexes to leave, number
 * to be in, events MAXLEN, number of events, then per event its field count and fields.
 * Returns {1} when written, {0, current version} when the project changed since it was read,
 * {-1} when it no longer exists.
 */
export const COMMIT_CHANGE = script('commitChange');

/**
 * KEYS: project, events. ARGV: events MAXLEN, then the event's fields.
 * Returns the new entry id, or nil when the project does not exist (no orphan log is started).
 */
export const APPEND_EVENT = script('appendEvent');

/**
 * KEYS: project, events, idempotency key, run record, then every index. ARGV: id, expected version or "".
 * The idempotency key is removed only while it still names this project.
 * Returns {1} when deleted, {0, current version} on a version mismatch, {-1} when not found.
 */
export const DELETE_PROJECT = script('deleteProject');

/**
 * KEYS: run record. ARGV: field, event id. Moves the field forward to the event id (never back),
 * only while the record exists. Returns 1 when moved, 0 otherwise.
 */
export const MOVE_CURSOR = script('moveCursor');

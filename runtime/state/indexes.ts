import type { Project } from '../contracts/project';
import type { StoreKeys } from './keys';
import { isActiveStatus } from './lifecycle';

/** The index sets a project belongs in, given its status and whether it is archived. */
export function indexesOf(project: Pick<Project, 'status' | 'archivedAt'>, keys: StoreKeys): string[] {
	if (project.archivedAt !== null) return [keys.allIndex];
	const indexes = [keys.allIndex, keys.statusIndex(project.status)];
	if (isActiveStatus(project.status)) indexes.push(keys.activeIndex);
	return indexes;
}

/**
 * What a change does to the indexes. Every index of the new state is (re)added, not only new ones:
 * ZADD of an existing member is harmless and repairs an entry lost by hand.
 */
export function indexChanges(before: Project, after: Project, keys: StoreKeys): { remove: string[]; add: string[] } {
	const add = indexesOf(after, keys);
	return { remove: indexesOf(before, keys).filter((key) => !add.includes(key)), add };
}

/** Index score: creation time in ms, so ZREVRANGE lists newest first. */
export function indexScore(project: Pick<Project, 'createdAt'>): number {
	return Date.parse(project.createdAt);
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { PublishTarget } from '../config/projectSettings';
import type { Project, RepositoryInfo } from '../contracts/project';
import { InvalidInputError } from '../errors';
import type { ProjectStore } from '../state/projectStore';
import { push } from '../workspace/git';
import { publishToGitHub } from '../workspace/github';
import { buildRepository, deliveryIsCurrent, finishedTasks } from './buildRepository';

export interface PublishedCommit {
	taskId: string;
	sha: string;
}

export interface PublishResult {
	url: string;
	htmlUrl?: string;
	branch: string;
	commit: string | null;
	/** One commit per finished task, oldest first, then the packaging commit (taskId "packaging") when there is one. */
	commits: PublishedCommit[];
}

/**
 * Builds the project's repository from the store (buildRepository.ts: a README commit, one commit
 * per finished task in the order they finished, and DevOps's packaging commit when the stored
 * delivery is current and proven) and pushes it. Commit dates come from the store, so building it
 * again gives the same commits and a re-publish is a fast-forward (or nothing) rather than a rewrite.
 */
export async function publishProject(project: Project, target: PublishTarget): Promise<PublishResult> {
	if (target.kind === 'refused') throw new InvalidInputError(target.field, target.problem);
	if (!finishedTasks(project).length) {
		throw new InvalidInputError('projectId', `project "${project.id}" has no finished task to publish yet`);
	}
	const branch = target.branch ?? 'main';
	const dir = await mkdtemp(join(tmpdir(), 'ai-company-publish-'));
	try {
		const packaging = project.delivery?.verified && deliveryIsCurrent(project) ? project.delivery : undefined;
		const commits: PublishedCommit[] = await buildRepository(dir, project, { branch, packaging });
		const head = commits.at(-1)?.sha ?? null;
		if (target.kind === 'github') {
			const published = await publishToGitHub(dir, { ...target, branch });
			return { url: published.cloneUrl, htmlUrl: published.htmlUrl, branch, commit: published.commit, commits };
		}
		await push(dir, { remote: target.url, branch, token: target.token });
		return { url: target.url, branch, commit: head, commits };
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

/** Publishes and records where the code now lives on the project. */
export async function publishStoredProject(
	store: ProjectStore,
	projectId: string,
	target: PublishTarget,
	source: string,
): Promise<{ project: Project; result: PublishResult }> {
	const result = await publishProject(await store.get(projectId), target);
	const repository: RepositoryInfo = { url: result.htmlUrl ?? result.url, branch: result.branch };
	if (result.commit) repository.lastCommit = result.commit;
	const project = await store.setRepository(projectId, repository, { source });
	return { project, result };
}

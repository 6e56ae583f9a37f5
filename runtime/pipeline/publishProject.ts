import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { PublishTarget } from '../config/projectSettings';
import type { Project, RepositoryInfo } from '../contracts/project';
import { InvalidInputError } from '../errors';
import type { ProjectStore } from '../state/projectStore';
import { commitAll, initRepository, push } from '../workspace/git';
import { publishToGitHub } from '../workspace/github';
import { materializeFiles } from '../workspace/materialize';

export interface PublishedCommit {
	taskId: string;
	sha: string;
}

export interface PublishResult {
	url: string;
	htmlUrl?: string;
	branch: string;
	commit: string | null;
	/** One commit per finished task, oldest first. */
	commits: PublishedCommit[];
}

/**
 * Builds the project's repository from the store and pushes it: a first commit with a README,
 * then one commit per finished task, in the order they finished, named after the task. Commit
 * dates come from the store, so building it again gives the same commits and a re-publish is
 * a fast-forward (or nothing) rather than a rewrite.
 */
export async function publishProject(project: Project, target: PublishTarget): Promise<PublishResult> {
	if (target.kind === 'refused') throw new InvalidInputError(target.field, target.problem);
	const finished = Object.entries(project.tasks)
		.filter(([, task]) => task.status === 'done')
		.sort(([, a], [, b]) => a.updatedAt.localeCompare(b.updatedAt));
	if (!finished.length) {
		throw new InvalidInputError('projectId', `project "${project.id}" has no finished task to publish yet`);
	}
	const branch = target.branch ?? 'main';
	const dir = await mkdtemp(join(tmpdir(), 'ai-company-publish-'));
	try {
		await initRepository(dir, { branch });
		await materializeFiles(dir, [{ path: 'README.md', content: readmeOf(project) }]);
		await commitAll(dir, `Start ${project.title}`, { date: project.createdAt });
		const commits: PublishedCommit[] = [];
		for (const [taskId, task] of finished) {
			await materializeFiles(dir, [...task.files, ...task.testFiles], { field: `tasks.${taskId}.files` });
			const title = project.plan?.tasks.find((t) => t.id === taskId)?.title ?? 'task';
			const sha = await commitAll(dir, `${taskId}: ${title}`, { date: task.updatedAt });
			if (sha) commits.push({ taskId, sha });
		}
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

function readmeOf(project: Project): string {
	const plan = project.plan;
	return [
		`# ${project.title}`,
		'',
		plan?.summary ?? '',
		'',
		plan?.techStack.length ? `Tech stack: ${plan.techStack.join(', ')}` : '',
		'',
		'Built by n8n-nodes-ai-company: one commit per finished task.',
		'',
	].join('\n');
}

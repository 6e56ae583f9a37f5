import type { Delivery, ProducedFile, Project, TaskState } from '../contracts/project';
import { commitHistory, type HistoryCommit } from '../workspace/git';

export interface BuiltCommit {
	/** The task's id, or "packaging" for DevOps's commit. */
	taskId: string;
	sha: string;
}

/** The packaging commit's files and date; absent: no packaging commit. */
export type PackagingCommit = Pick<Delivery, 'files' | 'packagedAt'>;

/** The tasks that count for the repository: finished ones, in the order they finished. */
export function finishedTasks(project: Project): Array<[string, TaskState]> {
	return Object.entries(project.tasks)
		.filter(([, task]) => task.status === 'done')
		.sort(([, a], [, b]) => a.updatedAt.localeCompare(b.updatedAt));
}

/** When the last task finished (the packaging commit's date), or null before any did. */
export function lastFinish(project: Project): string | null {
	return finishedTasks(project).at(-1)?.[1].updatedAt ?? null;
}

/** The repository's files as the finished tasks leave it: at each path, the file of the task that finished last. */
export function repositoryFiles(project: Project): ProducedFile[] {
	const byPath = new Map<string, ProducedFile>();
	for (const [, task] of finishedTasks(project)) {
		for (const file of [...task.files, ...task.testFiles]) {
			byPath.delete(file.path);
			byPath.set(file.path, file);
		}
	}
	return [...byPath.values()];
}

/**
 * Whether the stored delivery was packaged from the project as it stands (every task finished, none
 * since): only then does its packaging commit belong in the repository.
 */
export function deliveryIsCurrent(project: Project): boolean {
	const delivery = project.delivery;
	if (!delivery || !project.plan?.tasks.length) return false;
	const allDone = project.plan.tasks.every((t) => Object.hasOwn(project.tasks, t.id) && project.tasks[t.id].status === 'done');
	return allDone && delivery.packagedAt === lastFinish(project);
}

/**
 * Builds the project's repository in `dir` from the store: a first commit with a README, one
 * commit per finished task in the order they finished, named after the task, and, when given,
 * DevOps's packaging commit (`Packaging: …`) last. Every date comes from the store, so the same
 * project gives the same commits wherever and however often it is built.
 */
export async function buildRepository(dir: string, project: Project, options: { branch: string; packaging?: PackagingCommit }): Promise<BuiltCommit[]> {
	const history: Array<HistoryCommit & { taskId: string | null }> = [{ taskId: null, files: [{ path: 'README.md', content: startingReadme(project) }], message: `Start ${project.title}`, date: project.createdAt }];
	for (const [taskId, task] of finishedTasks(project)) {
		const title = project.plan?.tasks.find((t) => t.id === taskId)?.title ?? 'task';
		history.push({ taskId, files: [...task.files, ...task.testFiles], field: `tasks.${taskId}.files`, message: `${taskId}: ${title}`, date: task.updatedAt });
	}
	if (options.packaging?.files.length) {
		history.push({ taskId: 'packaging', files: options.packaging.files, field: 'delivery.files', message: packagingMessage(options.packaging.files), date: options.packaging.packagedAt });
	}
	// One git process for the commits git cannot judge differently from the files (see commitHistory), not two per commit.
	const shas = await commitHistory(dir, history, { branch: options.branch });
	return history.flatMap(({ taskId }, i) => (taskId !== null && shas[i] ? [{ taskId, sha: shas[i] }] : []));
}

/** "Packaging: package.json, README.md, .gitignore, CI, Dockerfile" */
export function packagingMessage(files: ProducedFile[]): string {
	const names = files.map((f) => (f.path === '.github/workflows/ci.yml' ? 'CI' : f.path));
	return `Packaging: ${names.join(', ')}\n\nWhat a client needs to install, run and test the project, added by DevOps after the tasks.`;
}

function startingReadme(project: Project): string {
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

import type { ProducedFile } from '../../contracts/project';

export interface ContextSelection {
	/** Files shown whole to the model, most relevant first. */
	included: ProducedFile[];
	/** Paths of the other files, so the model knows they exist (bounded, see MAX_LISTED_PATHS). */
	listedPaths: string[];
	/** Files neither shown nor listed. */
	unlistedCount: number;
	estimatedTokens: number;
}

export interface ContextRequest {
	files: readonly ProducedFile[];
	/** Token budget for whole files; the prompt's size must not grow with the project. */
	tokenBudget: number;
	/** Paths that matter most (the task's own files, what its dependencies produced), in order. */
	priorityPaths?: readonly string[];
	/** Text whose mentions of a path or file name make that file relevant (task text, test failures). */
	mentions?: string;
}

export const MAX_LISTED_PATHS = 40;

/** About four characters per token for code and English: a budget, not a bill. */
export function estimateTokens(text: string): number {
	return Math.ceil(text.length / 4);
}

/**
 * Picks the files a developer call sees: the most relevant whole files that fit the budget, then
 * a bounded list of other paths. Relevance: named as priority, then mentioned in the task or
 * failures, then small files first (more of them fit).
 */
export function selectContext(request: ContextRequest): ContextSelection {
	const priority = new Map((request.priorityPaths ?? []).map((path, index) => [path, index]));
	const mentions = request.mentions ?? '';
	const ranked = request.files
		.map((file) => ({ file, rank: rankOf(file.path, priority, mentions), tokens: estimateTokens(file.content) + estimateTokens(file.path) + 8 }))
		.sort((a, b) => a.rank - b.rank || a.tokens - b.tokens || a.file.path.localeCompare(b.file.path));
	const included: ProducedFile[] = [];
	const rest: string[] = [];
	let used = 0;
	for (const { file, tokens } of ranked) {
		if (used + tokens <= request.tokenBudget) {
			included.push(file);
			used += tokens;
		} else {
			rest.push(file.path);
		}
	}
	const listedPaths = rest.slice(0, MAX_LISTED_PATHS);
	return {
		included,
		listedPaths,
		unlistedCount: rest.length - listedPaths.length,
		estimatedTokens: used + listedPaths.reduce((sum, path) => sum + estimateTokens(path) + 1, 0),
	};
}

function rankOf(path: string, priority: Map<string, number>, mentions: string): number {
	const index = priority.get(path);
	if (index !== undefined) return index;
	const name = path.split('/').pop() ?? path;
	if (mentions.includes(path) || (name.length > 3 && mentions.includes(name))) return priority.size;
	return priority.size + 1;
}

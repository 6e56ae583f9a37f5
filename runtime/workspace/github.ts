import type { Octokit } from '@octokit/rest';
import { AiCompanyError, InvalidInputError } from '../errors';
import { headCommit, push, setRemote } from './git';

export interface GitHubRepositoryOptions {
	/** A token allowed to create repositories (classic: "repo" scope; fine-grained: Administration write + Contents write). */
	token: string;
	/** The repository's name, e.g. "acme-42-todo-api". */
	name: string;
	/** Create it in this organisation; without it, for the token's own user. */
	org?: string;
	/** Default true: a client's code is not published by default. */
	private?: boolean;
	description?: string;
	/** The REST API's base URL: https://api.github.com (default), or https://<host>/api/v3 for GitHub Enterprise. */
	baseUrl?: string;
	/** When a repository of that name exists already, use it instead of failing (for a retried publish). */
	existingOk?: boolean;
}

export interface GitHubRepository {
	owner: string;
	name: string;
	/** The page people open, e.g. https://github.com/acme/todo-api. */
	htmlUrl: string;
	/** What git pushes to, without credentials. */
	cloneUrl: string;
	/** false when existingOk found it already there. */
	created: boolean;
}

export interface PublishOptions extends GitHubRepositoryOptions {
	/** The local branch to push, to the branch of the same name; default "main". */
	branch?: string;
	timeoutMs?: number;
}

export interface PublishedRepository extends GitHubRepository {
	branch: string;
	/** The sha pushed, or null for a repository without commits (nothing was pushed). */
	commit: string | null;
}

/**
 * A refusal or failure of the GitHub API, with GitHub's HTTP status (0 when GitHub could not be
 * reached); answered 502, retried when GitHub was unreachable, failing (5xx) or limiting (429).
 */
export class GitHubError extends AiCompanyError {
	readonly status: number;

	constructor(message: string, status: number, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'GitHubError';
		this.status = status;
	}

	get kind(): string {
		return 'github';
	}

	get httpStatus(): number {
		return 502;
	}

	get retryable(): boolean {
		return this.status === 0 || this.status >= 500 || this.status === 429;
	}
}

const DEFAULT_BASE_URL = 'https://api.github.com';
const NAME_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;
const OWNER_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

/** Creates an empty repository (no README, so the first push is ours) through the REST API. */
export async function createGitHubRepository(options: GitHubRepositoryOptions): Promise<GitHubRepository> {
	const { name, org } = checkOptions(options);
	const octokit = await client(options);
	const body = { name, private: options.private ?? true, description: options.description, auto_init: false };
	try {
		const { data } = org ? await octokit.rest.repos.createInOrg({ org, ...body }) : await octokit.rest.repos.createForAuthenticatedUser(body);
		return { owner: data.owner.login, name: data.name, htmlUrl: data.html_url, cloneUrl: data.clone_url, created: true };
	} catch (error) {
		if (statusOf(error) === 422 && options.existingOk) return existingRepository(octokit, options, name, org);
		throw explain(error, options, org ? `creating repository "${org}/${name}"` : `creating repository "${name}"`);
	}
}

/**
 * Creates the GitHub repository, points the local repository's "origin" at it (no credentials in
 * .git/config) and pushes `branch` with the token.
 */
export async function publishToGitHub(dir: string, options: PublishOptions): Promise<PublishedRepository> {
	const branch = options.branch ?? 'main';
	const commit = await headCommit(dir);
	const repository = await createGitHubRepository(options);
	await setRemote(dir, repository.cloneUrl, 'origin');
	if (commit !== null) await push(dir, { remote: 'origin', branch, token: options.token, timeoutMs: options.timeoutMs });
	return { ...repository, branch, commit };
}

async function existingRepository(octokit: Octokit, options: GitHubRepositoryOptions, name: string, org?: string): Promise<GitHubRepository> {
	try {
		const owner = org ?? (await octokit.rest.users.getAuthenticated()).data.login;
		const { data } = await octokit.rest.repos.get({ owner, repo: name });
		return { owner: data.owner.login, name: data.name, htmlUrl: data.html_url, cloneUrl: data.clone_url, created: false };
	} catch (error) {
		throw explain(error, options, `reading the existing repository "${name}"`);
	}
}

function checkOptions(options: GitHubRepositoryOptions): { name: string; org?: string } {
	if (typeof options.token !== 'string' || !/^[\x21-\x7e]+$/.test(options.token)) {
		throw new InvalidInputError('token', 'must be a GitHub token (visible ASCII characters, no spaces)');
	}
	if (typeof options.name !== 'string' || !NAME_PATTERN.test(options.name) || options.name === '.' || options.name === '..') {
		throw new InvalidInputError('name', `must be 1-100 letters, digits, ".", "_" or "-", got ${JSON.stringify(options.name)}`);
	}
	if (options.org !== undefined && (typeof options.org !== 'string' || !OWNER_PATTERN.test(options.org))) {
		throw new InvalidInputError('org', `must be a GitHub organisation login, got ${JSON.stringify(options.org)}`);
	}
	if (options.baseUrl !== undefined && !/^https?:\/\/[^\s]+$/i.test(options.baseUrl)) {
		throw new InvalidInputError('baseUrl', `must be an http(s) URL like ${DEFAULT_BASE_URL}, got ${JSON.stringify(options.baseUrl)}`);
	}
	return { name: options.name, org: options.org };
}

async function client(options: GitHubRepositoryOptions): Promise<Octokit> {
	const { Octokit } = await loadOctokit();
	const quiet = () => undefined;
	return new Octokit({
		auth: options.token,
		baseUrl: (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
		userAgent: 'n8n-nodes-ai-company',
		// Failures come back as a GitHubError; octokit's own console lines would only repeat them.
		log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
	});
}

type OctokitModule = typeof import('@octokit/rest');
let octokitModule: Promise<OctokitModule> | undefined;

/**
 * @octokit/rest is ESM-only. require() loads it on Node 20.19+ / 22.12+ and under jest (which
 * compiles it to CommonJS, see jest.config.js); an older Node needs a real import().
 */
function loadOctokit(): Promise<OctokitModule> {
	octokitModule ??= (async () => {
		try {
			return require('@octokit/rest') as OctokitModule;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') throw error;
			return import('@octokit/rest');
		}
	})();
	return octokitModule;
}

function statusOf(error: unknown): number | undefined {
	const status = (error as { status?: unknown } | null)?.status;
	return typeof status === 'number' ? status : undefined;
}

function explain(error: unknown, options: GitHubRepositoryOptions, doing: string): GitHubError {
	const status = statusOf(error);
	const api = options.baseUrl ?? DEFAULT_BASE_URL;
	const said = (error as Error)?.message ?? String(error);
	// octokit reports a request that got no response at all as status 500 without a response.
	if (status === undefined || (error as { response?: unknown }).response === undefined) {
		return new GitHubError(`Cannot reach the GitHub API at ${api} while ${doing}: ${innermostMessage(error)}`, 0, { cause: error });
	}
	const hints: Record<number, string> = {
		401: 'GitHub refused the token: check that it is valid and not expired',
		403: 'the token may not do this: it needs the "repo" scope (classic) or Administration: write (fine-grained), and organisation access for an org',
		404: options.org ? `organisation "${options.org}" was not found, or the token cannot see it` : 'not found (check the API base URL)',
		422: 'a repository with this name probably exists already (pass existingOk to push to it)',
	};
	const hint = hints[status] ?? 'GitHub answered with an error';
	return new GitHubError(`GitHub API ${status} while ${doing} at ${api}: ${said}. ${hint}`, status, { cause: error });
}

function innermostMessage(error: unknown): string {
	let message = String((error as Error)?.message ?? error);
	for (let cause = (error as { cause?: unknown })?.cause, depth = 0; cause && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
		const text = (cause as Error).message;
		if (typeof text === 'string' && text !== '') message = text;
	}
	return message;
}

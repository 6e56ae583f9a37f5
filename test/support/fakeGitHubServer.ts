import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeGitHubOptions {
	/** The only token accepted, by the API (`Authorization: token …`) and by git (basic auth, user x-access-token). */
	token: string;
	/** The authenticated user's login. */
	login?: string;
	/** Organisations that exist; the token may create repositories in them. */
	orgs?: string[];
}

export interface RecordedGitHubRequest {
	method: string;
	path: string;
	authorization: string | undefined;
	userAgent?: string;
	body?: Record<string, unknown>;
}

interface FakeRepository {
	owner: string;
	name: string;
	private: boolean;
}

/**
 * A local HTTP server speaking the few GitHub REST endpoints this package uses, under `/api/v3` as
 * GitHub Enterprise does (POST /user/repos, POST /orgs/:org/repos, GET /user, GET /repos/:owner/:repo),
 * and git over HTTP for the repositories it created (`git http-backend` over a bare repository on
 * disk), both requiring the token.
 */
export class FakeGitHubServer {
	readonly requests: RecordedGitHubRequest[] = [];
	private readonly repositories = new Map<string, FakeRepository>();

	private constructor(
		private readonly server: Server,
		/** Where the bare repositories live: `<root>/<owner>/<name>.git`. */
		readonly root: string,
		private readonly options: Required<FakeGitHubOptions>,
	) {}

	static async start(options: FakeGitHubOptions): Promise<FakeGitHubServer> {
		const root = mkdtempSync(join(tmpdir(), 'fake-github-'));
		const server = createServer();
		const fake = new FakeGitHubServer(server, root, { login: 'ada', orgs: [], ...options });
		server.on('request', (request, response) => {
			fake.handle(request, response).catch((error: unknown) => {
				if (!response.headersSent) response.writeHead(500);
				response.end(String(error));
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return fake;
	}

	get url(): string {
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	/** The REST API's base URL, as for GitHub Enterprise. */
	get apiUrl(): string {
		return `${this.url}/api/v3`;
	}

	barePath(owner: string, name: string): string {
		return join(this.root, owner, `${name}.git`);
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
		rmSync(this.root, { recursive: true, force: true });
	}

	private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const url = new URL(request.url ?? '/', this.url);
		const record: RecordedGitHubRequest = { method: request.method ?? 'GET', path: url.pathname, authorization: request.headers.authorization, userAgent: request.headers['user-agent'] };
		this.requests.push(record);
		if (url.pathname.startsWith('/api/v3/')) {
			const body = await readJson(request);
			record.body = body;
			return this.api(request.method ?? 'GET', url.pathname.slice('/api/v3'.length), request.headers.authorization, body, response);
		}
		const git = /^\/([^/]+)\/([^/]+)\.git(\/.*)$/.exec(url.pathname);
		if (git) return this.git(request, response, url, git[1], git[2]);
		json(response, 404, { message: 'Not Found' });
	}

	private api(method: string, path: string, authorization: string | undefined, body: Record<string, unknown> | undefined, response: ServerResponse): void {
		const presented = /^(?:token|bearer) (.+)$/i.exec(authorization ?? '')?.[1];
		if (presented !== this.options.token) return json(response, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
		if (method === 'GET' && path === '/user') return json(response, 200, { login: this.options.login, id: 1, type: 'User' });
		const org = /^\/orgs\/([^/]+)\/repos$/.exec(path)?.[1];
		if (method === 'POST' && (path === '/user/repos' || org)) {
			if (org && !this.options.orgs.includes(org)) return json(response, 404, { message: 'Not Found' });
			const name = String(body?.name ?? '');
			if (!/^[A-Za-z0-9._-]+$/.test(name)) return json(response, 422, { message: 'Validation Failed', errors: [{ field: 'name', code: 'invalid' }] });
			const owner = org ?? this.options.login;
			if (this.repositories.has(`${owner}/${name}`)) {
				return json(response, 422, { message: 'Repository creation failed.', errors: [{ resource: 'Repository', code: 'custom', field: 'name', message: 'name already exists on this account' }] });
			}
			mkdirSync(join(this.root, owner), { recursive: true });
			execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', this.barePath(owner, name)], { env: gitEnv() });
			const repository = { owner, name, private: body?.private !== false };
			this.repositories.set(`${owner}/${name}`, repository);
			return json(response, 201, this.describe(repository));
		}
		const repo = /^\/repos\/([^/]+)\/([^/]+)$/.exec(path);
		if (method === 'GET' && repo) {
			const repository = this.repositories.get(`${repo[1]}/${repo[2]}`);
			return repository ? json(response, 200, this.describe(repository)) : json(response, 404, { message: 'Not Found' });
		}
		json(response, 404, { message: 'Not Found' });
	}

	private describe(repository: FakeRepository): Record<string, unknown> {
		const fullName = `${repository.owner}/${repository.name}`;
		return {
			id: this.repositories.size,
			name: repository.name,
			full_name: fullName,
			owner: { login: repository.owner },
			private: repository.private,
			html_url: `${this.url}/${fullName}`,
			clone_url: `${this.url}/${fullName}.git`,
			default_branch: 'main',
		};
	}

	/** git's smart HTTP protocol through `git http-backend` (CGI), for a repository created through the API, with the token. */
	private git(request: IncomingMessage, response: ServerResponse, url: URL, owner: string, name: string): void {
		const expected = `Basic ${Buffer.from(`x-access-token:${this.options.token}`).toString('base64')}`;
		if (request.headers.authorization !== expected) {
			response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="GitHub"' });
			response.end('Invalid username or token.\n');
			return;
		}
		if (!existsSync(this.barePath(owner, name))) {
			response.writeHead(404);
			response.end('Repository not found.\n');
			return;
		}
		const headers = request.headers;
		const env: Record<string, string> = {
			...gitEnv(),
			GIT_PROJECT_ROOT: this.root,
			GIT_HTTP_EXPORT_ALL: '1',
			PATH_INFO: url.pathname,
			REQUEST_METHOD: request.method ?? 'GET',
			QUERY_STRING: url.search.slice(1),
			REMOTE_USER: 'x-access-token',
			REMOTE_ADDR: '127.0.0.1',
		};
		if (headers['content-type']) env.CONTENT_TYPE = headers['content-type'];
		if (headers['content-length']) env.CONTENT_LENGTH = headers['content-length'];
		if (headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(headers['content-encoding']);
		if (headers['git-protocol']) env.HTTP_GIT_PROTOCOL = String(headers['git-protocol']);
		const backend = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
		request.pipe(backend.stdin);
		let head = Buffer.alloc(0);
		let headerDone = false;
		backend.stdout.on('data', (chunk: Buffer) => {
			if (headerDone) return void response.write(chunk);
			head = Buffer.concat([head, chunk]);
			const end = head.indexOf('\r\n\r\n');
			if (end < 0) return;
			headerDone = true;
			let status = 200;
			for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
				const [key, ...rest] = line.split(':');
				const value = rest.join(':').trim();
				if (key.toLowerCase() === 'status') status = Number.parseInt(value, 10);
				else response.setHeader(key, value);
			}
			response.writeHead(status);
			response.write(head.subarray(end + 4));
		});
		backend.on('close', () => response.end());
	}
}

function gitEnv(): Record<string, string> {
	return { PATH: process.env.PATH ?? '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: devNull };
}

function json(response: ServerResponse, status: number, body: unknown): void {
	response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
	response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown> | undefined> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	const text = Buffer.concat(chunks).toString('utf8');
	return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does for one chat request. */
export interface ScriptedReply {
	/** The assistant message content (streamed in small chunks when the client streams). */
	content?: string;
	/** Answer with this HTTP status and `{ error }` instead of a reply. */
	status?: number;
	error?: string;
	/** Wait this long before sending anything (headers included). */
	delayMs?: number;
	/** Wait between streamed chunks. */
	chunkDelayMs?: number;
	/** Never answer (the client must time out or cancel). */
	hang?: boolean;
	/** Send the headers and half the chunks, then nothing more while keeping the connection open. */
	hangMidStream?: boolean;
	/** Send the headers and half the chunks, then cut the connection (like a crashed server). */
	dropMidStream?: boolean;
	/** Send this error as a stream chunk after part of the content. */
	streamError?: string;
	doneReason?: string;
	promptTokens?: number;
	completionTokens?: number;
	/** Characters of content per streamed chunk (default 16). */
	chunkChars?: number;
	/** Stream the content over and over and never send the final done chunk, until the client goes away. */
	endless?: boolean;
	/** Send this body as it is (status `status` or 200, `contentType` or text/plain) instead of an Ollama reply. */
	body?: string;
	contentType?: string;
}

export interface RecordedRequest {
	method: string;
	path: string;
	headers: IncomingMessage['headers'];
	body: Record<string, unknown> | undefined;
	/** Date.now() when the request (with its body) had arrived. */
	receivedAt: number;
	/** Set when the connection closed before the server finished its reply (the client stopped reading). */
	closedByClient?: boolean;
}

export type Responder = (request: RecordedRequest) => ScriptedReply;

export interface TestServerOptions {
	models?: string[];
	/** When set, every request must carry `Authorization: Bearer <apiKey>`. */
	apiKey?: string;
	port?: number;
}

/**
 * A real HTTP server speaking the parts of the Ollama API this package uses (`/api/tags`,
 * `/api/version`, `/api/chat` streamed and not), with scripted replies, so tests drive the real
 * `ollama` client end to end without model weights.
 */
export class OllamaTestServer {
	readonly requests: RecordedRequest[] = [];
	models: string[];
	private readonly queue: ScriptedReply[] = [];
	private responder: Responder = () => ({ content: '{}' });
	private tagsReply: Pick<ScriptedReply, 'status' | 'error' | 'delayMs' | 'hang'> = {};
	private readonly hanging = new Set<ServerResponse>();

	private constructor(
		private readonly server: Server,
		private readonly options: TestServerOptions,
	) {
		this.models = options.models ?? ['test-model:latest'];
	}

	static async start(options: TestServerOptions = {}): Promise<OllamaTestServer> {
		let instance: OllamaTestServer | undefined;
		const server = createServer((req, res) => void instance!.handle(req, res));
		instance = new OllamaTestServer(server, options);
		await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
		return instance;
	}

	get url(): string {
		const { port } = this.server.address() as AddressInfo;
		return `http://127.0.0.1:${port}`;
	}

	/** Replies used in order, one per chat request, before the responder is asked. */
	enqueue(...replies: ScriptedReply[]): this {
		this.queue.push(...replies);
		return this;
	}

	respondWith(responder: Responder): this {
		this.responder = responder;
		return this;
	}

	/** How GET /api/tags answers from now on: `{}` lists `models`; status, delay or hang as for chat. */
	respondToTags(reply: Pick<ScriptedReply, 'status' | 'error' | 'delayMs' | 'hang'>): this {
		this.tagsReply = reply;
		return this;
	}

	chatRequests(): RecordedRequest[] {
		return this.requests.filter((r) => r.path === '/api/chat');
	}

	private hang(res: ServerResponse): void {
		this.hanging.add(res);
		res.on('close', () => this.hanging.delete(res));
	}

	async close(): Promise<void> {
		for (const res of this.hanging) res.destroy();
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const body = await readBody(req);
		const path = (req.url ?? '/').split('?')[0];
		const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body, receivedAt: Date.now() };
		this.requests.push(recorded);
		res.on('close', () => {
			if (!res.writableFinished) recorded.closedByClient = true;
		});

		if (this.options.apiKey && req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
			return sendJson(res, 401, { error: 'unauthorized' });
		}
		if (req.method === 'GET' && path === '/') return sendText(res, 200, 'Ollama is running');
		if (req.method === 'GET' && path === '/api/version') return sendJson(res, 200, { version: '0.12.6' });
		if (req.method === 'GET' && path === '/api/tags') {
			const reply = this.tagsReply;
			if (reply.hang) return this.hang(res);
			if (reply.delayMs) await sleep(reply.delayMs);
			if (reply.status) return sendJson(res, reply.status, { error: reply.error ?? `scripted HTTP ${reply.status}` });
			return sendJson(res, 200, { models: this.models.map(modelEntry) });
		}
		if (req.method === 'POST' && path === '/api/chat') return this.chat(recorded, res);
		return sendText(res, 404, '404 page not found');
	}

	private async chat(request: RecordedRequest, res: ServerResponse): Promise<void> {
		const model = String(request.body?.model ?? '');
		if (!this.models.includes(model) && !this.models.includes(`${model}:latest`)) {
			return sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` });
		}
		const reply = this.queue.shift() ?? this.responder(request);
		if (reply.hang) return this.hang(res);
		if (reply.delayMs) await sleep(reply.delayMs);
		if (reply.body !== undefined) {
			res.writeHead(reply.status ?? 200, { 'Content-Type': reply.contentType ?? 'text/plain; charset=utf-8' });
			return void res.end(reply.body);
		}
		if (reply.status) return sendJson(res, reply.status, { error: reply.error ?? `scripted HTTP ${reply.status}` });

		const content = reply.content ?? '';
		const promptTokens = reply.promptTokens ?? estimateTokens(JSON.stringify(request.body?.messages ?? []));
		const completionTokens = reply.completionTokens ?? estimateTokens(content);
		const final = {
			model,
			created_at: new Date().toISOString(),
			done: true,
			done_reason: reply.doneReason ?? 'stop',
			total_duration: 5_000_000 + completionTokens * 1_000_000,
			load_duration: 1_000_000,
			prompt_eval_count: promptTokens,
			prompt_eval_duration: 2_000_000,
			eval_count: completionTokens,
			eval_duration: completionTokens * 1_000_000,
		};
		if (request.body?.stream === false) {
			return sendJson(res, 200, { ...final, message: { role: 'assistant', content } });
		}
		res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
		const size = reply.chunkChars ?? 16;
		const chunks: string[] = [];
		for (let at = 0; at < content.length; at += size) chunks.push(content.slice(at, at + size));
		for (let index = 0; index < chunks.length || (reply.endless && chunks.length); index++) {
			if (res.destroyed) return;
			if (index === Math.floor(chunks.length / 2)) {
				if (reply.streamError) return void res.end(`${JSON.stringify({ error: reply.streamError })}\n`);
				if (reply.hangMidStream) return this.hang(res);
				if (reply.dropMidStream) return void res.socket?.destroy();
			}
			const piece = chunks[index % chunks.length];
			const line = `${JSON.stringify({ model, created_at: final.created_at, message: { role: 'assistant', content: piece }, done: false })}\n`;
			if (!res.write(line)) await drained(res);
			if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
		}
		if (res.destroyed) return;
		res.end(`${JSON.stringify({ ...final, message: { role: 'assistant', content: '' } })}\n`);
	}
}

function modelEntry(name: string) {
	return {
		name,
		model: name,
		modified_at: '2026-01-01T00:00:00Z',
		size: 4_000_000_000,
		digest: 'sha256:0000',
		details: { format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '7B', quantization_level: 'Q4_K_M' },
	};
}

function estimateTokens(text: string): number {
	return Math.max(1, Math.ceil(text.length / 4));
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
	const parts: Buffer[] = [];
	for await (const part of req) parts.push(part as Buffer);
	const text = Buffer.concat(parts).toString('utf8');
	if (!text) return undefined;
	try {
		return JSON.parse(text) as Record<string, unknown>;
	} catch {
		return { unparsed: text };
	}
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
	res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
	res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
	res.end(text);
}

/** Resolves when `res` can take more data, or has closed. */
function drained(res: ServerResponse): Promise<void> {
	return new Promise((resolve) => {
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			resolve();
		};
		res.on('drain', done);
		res.on('close', done);
	});
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

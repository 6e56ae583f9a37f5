import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { RecordedRequest } from './ollamaTestServer';

// What the OpenAI-compatible and the Anthropic test servers share: a real HTTP server on
// 127.0.0.1, every request recorded (and whether the client closed it early), scripted replies in
// order or from a responder, and the stream mechanics (chunks, hang, drop, endless).

/** What the server does for one chat request. */
export interface ScriptedReply {
	/** The reply text (OpenAI: the message content; Anthropic: the tool input, as JSON text), streamed in chunks. */
	content?: string;
	/** Answer with this HTTP status and the API's error body instead of a reply. */
	status?: number;
	/** The error body's message. */
	error?: string;
	/** Anthropic's error type (`overloaded_error`, …); OpenAI's error code. */
	errorType?: string;
	/** Sent as the Retry-After header (seconds) with an error status. */
	retryAfter?: string;
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
	/** Stream the content over and over and never finish, until the client goes away. */
	endless?: boolean;
	/** Characters of content per streamed chunk (default 16). */
	chunkChars?: number;
	/** OpenAI's finish_reason / Anthropic's stop_reason (default stop / tool_use). */
	finishReason?: string;
	promptTokens?: number;
	completionTokens?: number;
	/** Anthropic: answer in text (a text block) instead of the forced tool. */
	asText?: boolean;
}

// A request as every test model server records it: one shape, the Ollama server's.
export type { RecordedRequest };

export type Responder = (request: RecordedRequest) => ScriptedReply;

export interface ScriptedServerOptions {
	models?: string[];
	/** The key every request must carry (OpenAI: Authorization Bearer; Anthropic: x-api-key). */
	apiKey: string;
	port?: number;
}

export abstract class ScriptedApiServer {
	readonly requests: RecordedRequest[] = [];
	models: string[];
	/** Requests that were in the chat handler at once, at most (fairness and slot tests). */
	peakInFlight = 0;
	private inFlight = 0;
	private readonly queue: ScriptedReply[] = [];
	private responder: Responder = () => ({ content: '{}' });
	private readonly hanging = new Set<ServerResponse>();
	protected server!: Server;

	protected constructor(protected readonly options: ScriptedServerOptions, defaultModel: string) {
		this.models = options.models ?? [defaultModel];
	}

	protected async listen(): Promise<void> {
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server.listen(this.options.port ?? 0, '127.0.0.1', resolve));
	}

	get origin(): string {
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
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

	abstract chatPath: string;

	chatRequests(): RecordedRequest[] {
		return this.requests.filter((r) => r.path === this.chatPath);
	}

	async close(): Promise<void> {
		for (const res of this.hanging) res.destroy();
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	protected hang(res: ServerResponse): void {
		this.hanging.add(res);
		res.on('close', () => this.hanging.delete(res));
	}

	/** Whether the request carries the key, the API's way. */
	protected abstract authorized(req: IncomingMessage): boolean;
	protected abstract sendError(res: ServerResponse, status: number, message: string, type?: string, headers?: Record<string, string>): void;
	protected abstract listModels(res: ServerResponse): void;
	/** The chunks of a reply as the API streams them: the opening events, one per content piece, the closing ones. */
	protected abstract streamEvents(request: RecordedRequest, reply: ScriptedReply): { open: string[]; piece(text: string): string; close: string[] };
	protected abstract wholeReply(request: RecordedRequest, reply: ScriptedReply): unknown;
	/** A refusal the API makes before any reply (e.g. a schema it does not take); undefined when none. */
	protected refusal(_request: RecordedRequest, _reply: ScriptedReply): { status: number; message: string; type?: string } | undefined {
		return undefined;
	}
	protected abstract modelsPath: string;

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const body = await readBody(req);
		const path = (req.url ?? '/').split('?')[0];
		const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body, receivedAt: Date.now() };
		this.requests.push(recorded);
		res.on('close', () => {
			if (!res.writableFinished) recorded.closedByClient = true;
		});
		if (!this.authorized(req)) {
			// Like OpenAI, the refusal quotes the key it was given (the client must not repeat it).
			const given = String(req.headers.authorization ?? req.headers['x-api-key'] ?? '');
			return this.sendError(res, 401, `Incorrect API key provided: ${given.replace(/^Bearer /, '')}`, 'authentication_error');
		}
		if (req.method === 'GET' && path === this.modelsPath) return this.listModels(res);
		if (req.method === 'POST' && path === this.chatPath) {
			this.inFlight++;
			this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
			res.on('close', () => this.inFlight--);
			return this.chat(recorded, res);
		}
		return this.sendError(res, 404, `no route ${req.method} ${path}`, 'not_found_error');
	}

	private async chat(request: RecordedRequest, res: ServerResponse): Promise<void> {
		const model = String(request.body?.model ?? '');
		if (!this.models.includes(model)) return this.sendError(res, 404, `The model \`${model}\` does not exist`, 'not_found_error');
		const reply = this.queue.shift() ?? this.responder(request);
		if (reply.hang) return this.hang(res);
		if (reply.delayMs) await sleep(reply.delayMs);
		if (reply.status) {
			return this.sendError(res, reply.status, reply.error ?? `scripted HTTP ${reply.status}`, reply.errorType, reply.retryAfter === undefined ? {} : { 'Retry-After': reply.retryAfter });
		}
		const refused = this.refusal(request, reply);
		if (refused) return this.sendError(res, refused.status, refused.message, refused.type);
		if (request.body?.stream !== true) return sendJson(res, 200, this.wholeReply(request, reply));

		res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
		const events = this.streamEvents(request, reply);
		for (const event of events.open) res.write(event);
		const content = reply.content ?? '';
		const size = reply.chunkChars ?? 16;
		const chunks: string[] = [];
		for (let at = 0; at < content.length; at += size) chunks.push(content.slice(at, at + size));
		for (let index = 0; index < chunks.length || (reply.endless && chunks.length); index++) {
			if (res.destroyed) return;
			if (index === Math.floor(chunks.length / 2)) {
				if (reply.hangMidStream) return this.hang(res);
				if (reply.dropMidStream) return void res.socket?.destroy();
			}
			if (!res.write(events.piece(chunks[index % chunks.length]))) await drained(res);
			if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
		}
		if (res.destroyed) return;
		res.end(events.close.join(''));
	}
}

export function estimateTokens(text: string): number {
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

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
	res.end(JSON.stringify(body));
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

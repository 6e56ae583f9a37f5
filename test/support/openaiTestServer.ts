import type { IncomingMessage, ServerResponse } from 'node:http';

import { estimateTokens, ScriptedApiServer, sendJson, type RecordedRequest, type ScriptedReply, type ScriptedServerOptions } from './scriptedApiServer';

export type { RecordedRequest, ScriptedReply } from './scriptedApiServer';

/**
 * A real HTTP server speaking the parts of the OpenAI API the runtime uses (POST
 * /v1/chat/completions streamed as SSE with `data: [DONE]`, or whole; GET /v1/models), requiring
 * `Authorization: Bearer <apiKey>`, with scripted replies, so tests drive the real `openai` client
 * end to end. `refuseSchemas` makes it answer `response_format: json_schema` with a 400, as
 * servers without structured outputs do.
 */
export class OpenAiTestServer extends ScriptedApiServer {
	readonly chatPath = '/v1/chat/completions';
	protected readonly modelsPath = '/v1/models';
	refuseSchemas = false;

	static async start(options: ScriptedServerOptions & { refuseSchemas?: boolean }): Promise<OpenAiTestServer> {
		const server = new OpenAiTestServer(options);
		server.refuseSchemas = options.refuseSchemas ?? false;
		await server.listen();
		return server;
	}

	private constructor(options: ScriptedServerOptions) {
		super(options, 'gpt-test');
	}

	/** The base URL as OPENAI_BASE_URL takes it, with its /v1. */
	get url(): string {
		return `${this.origin}/v1`;
	}

	protected authorized(req: IncomingMessage): boolean {
		return req.headers.authorization === `Bearer ${this.options.apiKey}`;
	}

	protected sendError(res: ServerResponse, status: number, message: string, type?: string, headers: Record<string, string> = {}): void {
		sendJson(res, status, { error: { message, type: type ?? 'invalid_request_error', code: type ?? null, param: null } }, headers);
	}

	protected listModels(res: ServerResponse): void {
		sendJson(res, 200, { object: 'list', data: this.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'test' })) });
	}

	protected refusal(request: RecordedRequest): { status: number; message: string } | undefined {
		const format = (request.body?.response_format as { type?: string } | undefined)?.type;
		if (this.refuseSchemas && format === 'json_schema') return { status: 400, message: "response_format type 'json_schema' is not supported by this server" };
		return undefined;
	}

	private usage(request: RecordedRequest, reply: ScriptedReply) {
		const prompt = reply.promptTokens ?? estimateTokens(JSON.stringify(request.body?.messages ?? []));
		const completion = reply.completionTokens ?? estimateTokens(reply.content ?? '');
		return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
	}

	protected wholeReply(request: RecordedRequest, reply: ScriptedReply): unknown {
		return {
			id: 'chatcmpl-test',
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model: request.body?.model,
			choices: [{ index: 0, message: { role: 'assistant', content: reply.content ?? '' }, finish_reason: reply.finishReason ?? 'stop' }],
			usage: this.usage(request, reply),
		};
	}

	protected streamEvents(request: RecordedRequest, reply: ScriptedReply) {
		const base = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: request.body?.model };
		const data = (chunk: object) => `data: ${JSON.stringify({ ...base, ...chunk })}\n\n`;
		const withUsage = (request.body?.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
		return {
			open: [data({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })],
			piece: (text: string) => data({ choices: [{ index: 0, delta: { content: text }, finish_reason: null }] }),
			close: [
				data({ choices: [{ index: 0, delta: {}, finish_reason: reply.finishReason ?? 'stop' }] }),
				...(withUsage ? [data({ choices: [], usage: this.usage(request, reply) })] : []),
				'data: [DONE]\n\n',
			],
		};
	}
}

import type { IncomingMessage, ServerResponse } from 'node:http';

import { estimateTokens, ScriptedApiServer, sendJson, type RecordedRequest, type ScriptedReply, type ScriptedServerOptions } from './scriptedApiServer';

export type { RecordedRequest, ScriptedReply } from './scriptedApiServer';

/**
 * A real HTTP server speaking the parts of the Anthropic Messages API the runtime uses (POST
 * /v1/messages streamed as SSE events: message_start, content_block_start (tool_use, or text),
 * content_block_delta (input_json_delta / text_delta), content_block_stop, message_delta with the
 * usage, message_stop; GET /v1/models), requiring the key (`x-api-key` or as a Bearer token), with error bodies
 * `{type:'error', error:{type, message}}` (529 overloaded_error among them).
 */
export class AnthropicTestServer extends ScriptedApiServer {
	readonly chatPath = '/v1/messages';
	protected readonly modelsPath = '/v1/models';

	static async start(options: ScriptedServerOptions): Promise<AnthropicTestServer> {
		const server = new AnthropicTestServer(options);
		await server.listen();
		return server;
	}

	private constructor(options: ScriptedServerOptions) {
		super(options, 'claude-test');
	}

	/** The base URL as ANTHROPIC_BASE_URL takes it, without /v1. */
	get url(): string {
		return this.origin;
	}

	/** The API's `x-api-key`, or the key as a Bearer token (as @anthropic-ai/sdk 1.17 sends an apiKey). */
	protected authorized(req: IncomingMessage): boolean {
		return req.headers['x-api-key'] === this.options.apiKey || req.headers.authorization === `Bearer ${this.options.apiKey}`;
	}

	protected sendError(res: ServerResponse, status: number, message: string, type?: string, headers: Record<string, string> = {}): void {
		const named = type ?? (status === 529 ? 'overloaded_error' : status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error');
		sendJson(res, status, { type: 'error', error: { type: named, message } }, headers);
	}

	protected listModels(res: ServerResponse): void {
		const data = this.models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' }));
		sendJson(res, 200, { data, has_more: false, first_id: this.models[0] ?? null, last_id: this.models.at(-1) ?? null });
	}

	private counts(request: RecordedRequest, reply: ScriptedReply) {
		return {
			input: reply.promptTokens ?? estimateTokens(JSON.stringify(request.body?.messages ?? [])),
			output: reply.completionTokens ?? estimateTokens(reply.content ?? ''),
		};
	}

	private tool(request: RecordedRequest): string | undefined {
		const choice = request.body?.tool_choice as { type?: string; name?: string } | undefined;
		return choice?.type === 'tool' ? choice.name : undefined;
	}

	protected wholeReply(request: RecordedRequest, reply: ScriptedReply): unknown {
		const { input, output } = this.counts(request, reply);
		const tool = reply.asText ? undefined : this.tool(request);
		return {
			id: 'msg_test',
			type: 'message',
			role: 'assistant',
			model: request.body?.model,
			content: tool ? [{ type: 'tool_use', id: 'toolu_test', name: tool, input: JSON.parse(reply.content ?? '{}') as unknown }] : [{ type: 'text', text: reply.content ?? '' }],
			stop_reason: reply.finishReason ?? (tool ? 'tool_use' : 'end_turn'),
			stop_sequence: null,
			usage: { input_tokens: input, output_tokens: output },
		};
	}

	protected streamEvents(request: RecordedRequest, reply: ScriptedReply) {
		const { input, output } = this.counts(request, reply);
		const tool = reply.asText ? undefined : this.tool(request);
		const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
		const message = { id: 'msg_test', type: 'message', role: 'assistant', model: request.body?.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: input, output_tokens: 1 } };
		return {
			open: [
				event('message_start', { message }),
				event('content_block_start', { index: 0, content_block: tool ? { type: 'tool_use', id: 'toolu_test', name: tool, input: {} } : { type: 'text', text: '' } }),
				event('ping', {}),
			],
			piece: (text: string) => event('content_block_delta', { index: 0, delta: tool ? { type: 'input_json_delta', partial_json: text } : { type: 'text_delta', text } }),
			close: [
				event('content_block_stop', { index: 0 }),
				event('message_delta', { delta: { stop_reason: reply.finishReason ?? (tool ? 'tool_use' : 'end_turn'), stop_sequence: null }, usage: { output_tokens: output } }),
				event('message_stop', {}),
			],
		};
	}
}

import { callOf, companyReply, type CompanyCall } from './scriptedCompany';
import type { RecordedRequest as OllamaRequest } from './ollamaTestServer';
import type { RecordedRequest, ScriptedApiServer } from './scriptedApiServer';

/**
 * The scripted company (scriptedCompany.ts) played by an OpenAI-compatible or an Anthropic test
 * server: the request read as the Ollama one it stands for (Anthropic's top-level `system` back
 * among the messages), the reply the same JSON, as the message content or the forced tool's input.
 * Every call is recorded with its role, so a test can say which server each role reached.
 */
export function playCompanyOn(server: ScriptedApiServer, calls: CompanyCall[] = []): CompanyCall[] {
	server.respondWith((request) => {
		const asOllama = ollamaShaped(request);
		const call = callOf(asOllama);
		calls.push(call);
		const text = ((asOllama.body?.messages ?? []) as Array<{ content: string }>).map((m) => m.content).join('\n');
		return { content: JSON.stringify(companyReply(call, text)) };
	});
	return calls;
}

function ollamaShaped(request: RecordedRequest): OllamaRequest {
	const system = request.body?.system;
	const messages = (request.body?.messages ?? []) as Array<{ role: string; content: unknown }>;
	const text = messages.map((m) => ({ role: m.role, content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content) }));
	return { ...request, body: { ...request.body, messages: typeof system === 'string' ? [{ role: 'system', content: system }, ...text] : text } };
}

import type { Message } from 'ollama';

import { reviewWork, type ReviewerInput, type ReviewerSettings } from '../../../runtime/agents/reviewer';
import { reviewSchema } from '../../../runtime/contracts/review';
import { LlmOutputError } from '../../../runtime/llm/errors';
import { LlmClient } from '../../../runtime/llm/llmClient';
import { OllamaTestServer } from '../../support/ollamaTestServer';

// The review contract through the one model-call path, against a real HTTP server speaking
// Ollama's API: the schema goes out as `format`, an invalid reply is quoted back and repaired.

let server: OllamaTestServer;
let llm: LlmClient;

beforeEach(async () => {
	server = await OllamaTestServer.start({ models: ['reviewer:1b'] });
	llm = new LlmClient({ connection: { baseUrl: server.url }, timeoutMs: 5_000, retry: { retries: 0, baseDelayMs: 0, maxDelayMs: 0 } });
});

afterEach(async () => {
	await server.close();
});

const input: ReviewerInput = {
	task: { id: 'T1', title: 'Sum', description: 'src/sum.js exports sum(a, b).', dependsOn: [], acceptanceCriteria: ['sum(2, 3) is 5'], estimateHours: 1 },
	planSummary: 'A math library',
	techStack: ['Node.js'],
	files: [{ path: 'src/sum.js', content: 'exports.sum = (a, b) => a + b;\n' }],
	filesBefore: [],
	testFiles: [{ path: 'test/sum.test.js', content: "require('node:test')('adds', () => {});\n" }],
	testReport: { status: 'passed', passed: 1, failed: 0, output: 'ok 1 - adds' },
	round: 1,
};

const settings = (overrides: Partial<ReviewerSettings> = {}): ReviewerSettings => ({ model: 'reviewer:1b', maxRepairs: 2, ...overrides });
const messagesOf = (index: number) => server.chatRequests()[index].body?.messages as Message[];
const REQUEST_CHANGES = { verdict: 'request_changes', summary: 'No input check.', comments: [{ path: 'src/sum.js', line: 1, severity: 'major', message: 'Refuse non-numbers.' }] };

describe('the review contract', () => {
	it('sends the review schema as the format and returns the verdict, summary and comments with model and usage', async () => {
		server.enqueue({ content: JSON.stringify(REQUEST_CHANGES), promptTokens: 500, completionTokens: 80 });
		const output = await reviewWork(input, llm, settings());
		expect(server.chatRequests()[0].body?.format).toEqual(reviewSchema);
		expect(output).toEqual({
			review: REQUEST_CHANGES,
			model: 'reviewer:1b',
			usage: expect.objectContaining({ promptTokens: 500, completionTokens: 80, calls: 1 }),
			repairs: 0,
		});
	});

	it('repairs a reply that breaks the schema: the model sees its reply and the problem, and answers again', async () => {
		server.enqueue({ content: JSON.stringify({ verdict: 'lgtm', summary: 'ok', comments: [] }) });
		server.enqueue({ content: JSON.stringify({ verdict: 'approve', summary: 'ok', comments: [] }) });
		const output = await reviewWork(input, llm, settings());
		expect(output.review.verdict).toBe('approve');
		expect(output.repairs).toBe(1);
		const repair = messagesOf(1);
		expect(repair.at(-2)).toMatchObject({ role: 'assistant', content: expect.stringContaining('lgtm') });
		expect(repair.at(-1)?.content).toMatch(/verdict/);
	});

	it('repairs a request for changes without comments, and a comment on a file that was not reviewed', async () => {
		server.enqueue({ content: JSON.stringify({ verdict: 'request_changes', summary: 'bad', comments: [] }) });
		server.enqueue({ content: JSON.stringify({ ...REQUEST_CHANGES, comments: [{ ...REQUEST_CHANGES.comments[0], path: 'src/other.js' }] }) });
		server.enqueue({ content: JSON.stringify(REQUEST_CHANGES) });
		const output = await reviewWork(input, llm, settings());
		expect(output.repairs).toBe(2);
		expect(messagesOf(1).at(-1)?.content).toContain('needs at least one comment');
		expect(messagesOf(2).at(-1)?.content).toContain('"src/other.js" is not a file of the reviewed code');
		expect(output.review).toEqual(REQUEST_CHANGES);
	});

	it('fails with the raw reply and the model when the reply stays invalid after the repairs', async () => {
		for (let i = 0; i < 2; i++) server.enqueue({ content: '{"verdict":"maybe"}' });
		const error = await reviewWork(input, llm, settings({ maxRepairs: 1 })).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(LlmOutputError);
		expect((error as LlmOutputError).message).toContain('reviewer:1b');
		expect((error as LlmOutputError).rawReply).toContain('maybe');
		expect((error as LlmOutputError).usage?.calls).toBe(2);
	});

	it('shows a changed file with its diff against the code before the task', async () => {
		server.enqueue({ content: JSON.stringify({ verdict: 'approve', summary: 'ok', comments: [] }) });
		await reviewWork({ ...input, filesBefore: [{ path: 'src/sum.js', content: 'exports.sum = (a, b) => a - b;\n' }] }, llm, settings());
		const prompt = messagesOf(0).find((m) => m.role === 'user')!.content;
		expect(prompt).toContain('-exports.sum = (a, b) => a - b;\n+exports.sum = (a, b) => a + b;');
	});
});

import type { INodeProperties } from 'n8n-workflow';

import { AiReviewer } from '../../../nodes/AiReviewer/AiReviewer.node';
import { reviewWork, type ReviewerInput } from '../../../runtime/agents/reviewer';
import { LlmClient } from '../../../runtime/llm/llmClient';
import { shippedTemplateSource } from '../../../runtime/prompts/renderPrompt';
import { OllamaTestServer } from '../../support/ollamaTestServer';
import { hintedVariables, rootVariables } from '../../support/templateVariables';

/**
 * The AI Reviewer node's Custom Prompt Template lists the template's variables. They are read here
 * from the shipped reviewer.hbs and from what reviewWork really hands a template (through the model
 * path, against a real HTTP server speaking Ollama's API), so the hint cannot drift from either.
 */

const options = (new AiReviewer().description.properties.find((p) => p.name === 'options')?.options ?? []) as INodeProperties[];
const hint = options.find((o) => o.name === 'promptTemplate')?.description ?? '';
const { variablesPart, hintedNames } = hintedVariables(hint);

/** A template that prints every key of the root context, of each file and of the test report. */
const KEY_DUMP = '{{#each this}}root:{{@key}}\n{{/each}}{{#each files}}{{#each this}}file:{{@key}}\n{{/each}}{{/each}}{{#each testReport}}testReport:{{@key}}\n{{/each}}';

let server: OllamaTestServer;
let llm: LlmClient;

beforeEach(async () => {
	server = await OllamaTestServer.start({ models: ['reviewer:1b'] });
	llm = new LlmClient({ connection: { baseUrl: server.url }, timeoutMs: 5_000, retry: { retries: 0, baseDelayMs: 0, maxDelayMs: 0 } });
});

afterEach(async () => {
	await server.close();
});

/** The keys reviewWork hands the Custom Prompt Template for this input, by where they are. */
async function keysHanded(input: ReviewerInput): Promise<Record<string, Set<string>>> {
	server.enqueue({ content: JSON.stringify({ verdict: 'approve', summary: 'Fine.', comments: [] }) });
	await reviewWork(input, llm, { model: 'reviewer:1b', maxRepairs: 0, promptTemplate: KEY_DUMP });
	const messages = server.chatRequests()[0].body?.messages as Array<{ role: string; content: string }>;
	const prompt = messages.find((m) => m.role === 'user')?.content ?? '';
	const keys: Record<string, Set<string>> = { root: new Set(), file: new Set(), testReport: new Set() };
	for (const [, where, key] of prompt.matchAll(/^(root|file|testReport):(\w+)$/gm)) keys[where].add(key);
	keys.root.delete('fence'); // the marker of operators' `<{{fence}}>…</{{fence}}>`, described beside the list
	return keys;
}

const task = { id: 'T2', title: 'Sum', description: 'src/sum.js exports sum(a, b).', dependsOn: [], acceptanceCriteria: ['sum(2, 3) is 5'], estimateHours: 1 };
const files = [{ path: 'src/sum.js', content: 'exports.sum = (a, b) => a + b;\n' }];
const testFiles = [{ path: 'test/sum.test.js', content: "require('node:test')('adds', () => {});\n" }];

/** A task's second round: the previous round rejected the code it kept, so the prompt shows what changed since. */
const laterTaskRound: ReviewerInput = {
	task,
	planSummary: 'A math library',
	techStack: ['Node.js'],
	files,
	filesBefore: [],
	filesPreviousRound: [{ path: 'src/sum.js', content: 'exports.sum = (a, b) => a - b;\n' }],
	testFiles,
	testReport: { status: 'passed', passed: 1, failed: 0, output: 'ok 1 - adds' },
	round: 2,
	previousComments: [{ path: 'src/sum.js', line: 1, severity: 'blocker', message: 'It subtracts.' }],
};

const wholeProject: ReviewerInput = {
	tasks: [{ id: 'T1', title: 'Sum' }],
	planSummary: 'A math library',
	techStack: ['Node.js'],
	files,
	testFiles,
	testReport: null,
	round: 1,
};

describe("the AI Reviewer node's Custom Prompt Template hint lists the reviewer template's variables", () => {
	it('names every variable the shipped reviewer.hbs reads', () => {
		const used = rootVariables(shippedTemplateSource('reviewer'));
		expect(used.size).toBeGreaterThan(5);
		expect([...used].filter((name) => !hintedNames.has(name))).toEqual([]);
	});

	it('names every variable reviewWork hands a template, in a later task round and in a whole-project review, and none it does not', async () => {
		const handed = new Set([...(await keysHanded(laterTaskRound)).root, ...(await keysHanded(wholeProject)).root]);
		expect([...hintedNames].sort()).toEqual([...handed].sort());
	});

	it("names each field of a file (sincePrevious too) and of the test report that reviewWork hands a template", async () => {
		const { file, testReport } = await keysHanded(laterTaskRound);
		expect([...file].sort()).toEqual(['added', 'content', 'diff', 'path', 'sincePrevious']);
		const unnamed = [...file, ...testReport].filter((field) => !new RegExp(`\\b${field}\\b`).test(variablesPart));
		expect(unnamed).toEqual([]);
	});
});

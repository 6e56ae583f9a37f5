import { loadConfig } from '../../../runtime/config/environment';
import { parsePrices, priceOf } from '../../../runtime/config/prices';
import { effectiveSettings } from '../../../runtime/config/projectSettings';
import { costOf, emptyUsage, reportVersionOf, roundUsd, type LlmUsage } from '../../../runtime/contracts/usage';
import { InvalidInputError } from '../../../runtime/errors';
import { modelForAttempt } from '../../../runtime/pipeline/developerStep';
import { addRoleUsage } from '../../../runtime/state/changes';
import { newProject } from '../../../runtime/state/intake';
import { developerSettings } from '../../../runtime/worker/agentSettings';

function refusal(run: () => unknown): InvalidInputError {
	try {
		run();
	} catch (error) {
		if (error instanceof InvalidInputError) return error;
		throw new Error(`expected an InvalidInputError, got ${String(error)}`);
	}
	throw new Error('expected a refusal');
}

function tokens(promptTokens: number, completionTokens: number): LlmUsage {
	return { ...emptyUsage(), promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, calls: 1 };
}

describe('MODEL_PRICES', () => {
	it('reads USD per million input and output tokens by model reference', () => {
		const table = parsePrices('{"openai:gpt-4o-mini": {"input": 0.15, "output": 0.6}, "anthropic:claude-sonnet-4": {"input": 3, "output": 15}}');
		expect(priceOf(table, 'openai:gpt-4o-mini')).toEqual({ input: 0.15, output: 0.6 });
		expect(priceOf(table, 'anthropic:claude-sonnet-4')).toEqual({ input: 3, output: 15 });
		expect(priceOf(table, 'qwen2.5-coder:7b')).toBeUndefined();
		expect(priceOf(undefined, 'openai:gpt-4o-mini')).toBeUndefined();
	});

	it('takes a bare Ollama name and its ollama: reference as the same model, in the table and in a lookup', () => {
		expect(priceOf(parsePrices('{"ollama:qwen2.5-coder:32b": {"input": 0.1, "output": 0.2}}'), 'qwen2.5-coder:32b')).toEqual({ input: 0.1, output: 0.2 });
		expect(priceOf(parsePrices('{"qwen2.5-coder:32b": {"input": 0.1, "output": 0.2}}'), 'ollama:qwen2.5-coder:32b')).toEqual({ input: 0.1, output: 0.2 });
		expect(refusal(() => parsePrices('{"llama3": {"input": 1, "output": 1}, "ollama:llama3": {"input": 2, "output": 2}}')).message).toMatch(/"ollama:llama3": the model is priced twice/);
	});

	it.each([
		['not JSON', '{openai: 1}', /must be JSON/],
		['an array', '[1]', /got an array/],
		['a number for a model', '{"gpt-4o": 2.5}', /entry "gpt-4o": must be \{"input"/],
		['a missing output price', '{"gpt-4o": {"input": 2.5}}', /entry "gpt-4o": "output" must be USD per million output tokens/],
		['a price as text', '{"gpt-4o": {"input": "2.5", "output": 10}}', /entry "gpt-4o": "input" must be .* got "2.5"/],
		['a negative price', '{"gpt-4o": {"input": -1, "output": 10}}', /"input" must be .* from 0 to 10000, got -1/],
		['a price per token instead of per million (too high)', '{"gpt-4o": {"input": 2500000, "output": 10}}', /from 0 to 10000/],
		['another field', '{"gpt-4o": {"input": 1, "output": 1, "cached": 0.5}}', /only "input" and "output" are prices, not "cached"/],
		['an empty model reference', '{" ": {"input": 1, "output": 1}}', /the key must be a model reference/],
		['a prototype key', '{"__proto__": {"input": 1, "output": 1}}', /the key must be a model reference/],
	])('refuses %s at start-up, naming MODEL_PRICES and the entry', (_, value, message) => {
		const error = refusal(() => loadConfig({ MODEL_PRICES: value }));
		expect(error.field).toBe('MODEL_PRICES');
		expect(error.message).toMatch(message);
	});

	it('is optional: unset, no model has a price', () => {
		expect(loadConfig({}).modelPrices).toBeUndefined();
		expect(loadConfig({ MODEL_PRICES: '{"openai:gpt-4o": {"input": 2.5, "output": 10}}' }).modelPrices).toEqual({ 'openai:gpt-4o': { input: 2.5, output: 10 } });
	});
});

describe('cost arithmetic', () => {
	it('prices input and output tokens apart, per million, in USD rounded to a millionth', () => {
		// 1,200 prompt tokens at $2.50/M + 300 completion tokens at $10/M = 0.003 + 0.003.
		expect(costOf(tokens(1200, 300), { input: 2.5, output: 10 })).toBe(0.006);
		expect(costOf(tokens(1_000_000, 0), { input: 0.15, output: 0.6 })).toBe(0.15);
		expect(costOf(tokens(0, 1_000_000), { input: 0.15, output: 0.6 })).toBe(0.6);
		expect(costOf(tokens(7, 3), { input: 0.15, output: 0.6 })).toBe(0.000003); // 0.00000105 + 0.0000018
	});

	it('costs 0 for an unpriced model (a local one) and for usage that is not a count', () => {
		expect(costOf(tokens(5000, 5000), undefined)).toBe(0);
		expect(costOf({ ...tokens(0, 0), promptTokens: Number.NaN, completionTokens: -5 }, { input: 1, output: 1 })).toBe(0);
		expect(roundUsd(Number.POSITIVE_INFINITY)).toBe(0);
	});

	it('sums a project\'s cost by role and by model as it meters, exact to the millionth however many additions', () => {
		let project = newProject('p1', { title: 't', requirements: 'r', client: {} }, 'k', '2026-01-01T00:00:00.000Z');
		for (let i = 0; i < 1000; i++) {
			project = { ...addRoleUsage(project, i % 2 ? 'developer' : 'tester', tokens(10, 10), { model: i % 2 ? 'openai:gpt-4o' : 'llama3', cost: i % 2 ? 0.000125 : 0 })!.project, version: project.version + 1 };
		}
		expect(project.usage.cost).toEqual({ currency: 'USD', total: 0.0625, byRole: { developer: 0.0625, tester: 0 }, byModel: { 'openai:gpt-4o': 0.0625, llama3: 0 } });
		expect(project.usage.byModel).toEqual({ 'openai:gpt-4o': { ...tokens(5000, 5000), calls: 500 }, llama3: { ...tokens(5000, 5000), calls: 500 } });
		expect(project.usage.byRole.developer).toEqual(project.usage.byModel!['openai:gpt-4o']);
	});

	it('adds to a project stored before usage by model and cost were kept', () => {
		const old = newProject('p1', { title: 't', requirements: 'r', client: {} }, 'k', '2026-01-01T00:00:00.000Z');
		const stored = { ...old, usage: { total: tokens(1, 1), byRole: { planner: tokens(1, 1) } } };
		const next = addRoleUsage(stored, 'planner', tokens(2, 2), { model: 'm', cost: 0.5 })!.project;
		expect(next.usage).toMatchObject({ total: { promptTokens: 3 }, byModel: { m: { promptTokens: 2 } }, cost: { total: 0.5, byRole: { planner: 0.5 }, byModel: { m: 0.5 } } });
	});
});

describe('a client report request', () => {
	it('stands for the version its last report was written from while only that report\'s usage changed since', () => {
		expect(reportVersionOf({ version: 8, usage: { report: { from: 7, at: 8 } } })).toBe(7);
		expect(reportVersionOf({ version: 9, usage: { report: { from: 7, at: 8 } } })).toBe(9);
		expect(reportVersionOf({ version: 3, usage: {} })).toBe(3);
		const project = newProject('p1', { title: 't', requirements: 'r', client: {} }, 'k', '2026-01-01T00:00:00.000Z');
		// A report written from an older version than the one it is metered at does not stand for the project.
		expect(addRoleUsage({ ...project, version: 5 }, 'reporter', tokens(1, 1), { model: 'm', reportOf: 4 })!.project.usage.report).toBeNull();
		expect(addRoleUsage({ ...project, version: 5 }, 'reporter', tokens(1, 1), { model: 'm', reportOf: 5 })!.project.usage.report).toEqual({ from: 5, at: 6 });
	});
});

describe('escalation', () => {
	const base = loadConfig({});

	it("uses the developer's model before escalateAfterAttempts and the escalation model from it on", () => {
		const settings = { model: 'qwen2.5-coder:7b', escalation: { model: 'openai:gpt-4o', fromAttempt: 2 } };
		expect([1, 2, 3].map((attempt) => modelForAttempt(settings, attempt))).toEqual(['qwen2.5-coder:7b', 'openai:gpt-4o', 'openai:gpt-4o']);
		expect(modelForAttempt({ ...settings, escalation: { model: 'big', fromAttempt: 3 } }, 2)).toBe('qwen2.5-coder:7b');
		expect(modelForAttempt({ model: 'qwen2.5-coder:7b' }, 5)).toBe('qwen2.5-coder:7b');
	});

	it('comes from settings.models.escalation over MODEL_ESCALATION, from attempt 2 unless escalateAfterAttempts says; neither: none', () => {
		expect(effectiveSettings(base, 'p', {}).escalation).toBeUndefined();
		const config = loadConfig({ MODEL_ESCALATION: 'anthropic:claude-sonnet-4', ANTHROPIC_API_KEY: 'sk-ant-test-key' });
		expect(effectiveSettings(config, 'p', {}).escalation).toEqual({ model: 'anthropic:claude-sonnet-4', fromAttempt: 2 });
		expect(effectiveSettings(config, 'p', { models: { escalation: 'big:70b' }, escalateAfterAttempts: 3 }).escalation).toEqual({ model: 'big:70b', fromAttempt: 3 });
		expect(effectiveSettings(base, 'p', { escalateAfterAttempts: 3 }).escalation).toBeUndefined();
	});

	it("reaches the developer's step settings unless a step request names its own model", () => {
		const settings = effectiveSettings(base, 'p', { models: { escalation: 'big:70b' } });
		expect(developerSettings(settings)).toMatchObject({ model: base.models.developer, escalation: { model: 'big:70b', fromAttempt: 2 } });
		expect(developerSettings(settings, { model: 'chosen:7b' })).not.toHaveProperty('escalation');
	});
});

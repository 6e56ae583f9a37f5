import { formatModelRef, modelRefProblem, parseModelRef, type ProviderName } from '../../../runtime/llm/modelRef';

describe('a model reference', () => {
	it.each([
		['openai:gpt-4o-mini', 'openai', 'gpt-4o-mini'],
		['anthropic:claude-sonnet-4-5', 'anthropic', 'claude-sonnet-4-5'],
		['ollama:llama3.2:3b', 'ollama', 'llama3.2:3b'],
		// Text before the first ':' that names no provider: a bare Ollama name, tag and all.
		['llama3.2:3b', 'ollama', 'llama3.2:3b'],
		['qwen2.5-coder', 'ollama', 'qwen2.5-coder'],
		['hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M', 'ollama', 'hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M'],
		// A model id with colons of its own keeps them (OpenRouter's :free, vLLM paths).
		['openai:meta-llama/llama-3.3-70b-instruct:free', 'openai', 'meta-llama/llama-3.3-70b-instruct:free'],
		['OpenAI:gpt-4o', 'ollama', 'OpenAI:gpt-4o'],
	])('%s is %s model %s', (reference, provider, model) => {
		expect(parseModelRef(reference)).toEqual({ provider, model });
	});

	it.each([
		[{ provider: 'ollama', model: 'llama3.2:3b' }, 'llama3.2:3b'],
		[{ provider: 'openai', model: 'gpt-4o' }, 'openai:gpt-4o'],
		[{ provider: 'anthropic', model: 'claude-x' }, 'anthropic:claude-x'],
		// An Ollama name that would read as another provider's keeps its prefix.
		[{ provider: 'ollama', model: 'openai:thing' }, 'ollama:openai:thing'],
	] as const)('formats %j as %s, which parses back to it', (ref, reference) => {
		expect(formatModelRef(ref)).toBe(reference);
		expect(parseModelRef(reference)).toEqual(ref);
	});

	const onlyOllama = new Set<ProviderName>(['ollama']);
	it('is refused when it names a provider the service has not configured, saying which variable configures it', () => {
		expect(modelRefProblem('openai:gpt-4o', onlyOllama)).toContain('OPENAI_BASE_URL');
		expect(modelRefProblem('anthropic:claude-x', onlyOllama)).toContain('ANTHROPIC_API_KEY');
		expect(modelRefProblem('llama3.2:3b', onlyOllama)).toBeNull();
		expect(modelRefProblem('openai:gpt-4o', new Set<ProviderName>(['ollama', 'openai']))).toBeNull();
	});

	it('is refused when it names a provider but no model', () => {
		expect(modelRefProblem('openai:', new Set<ProviderName>(['openai']))).toContain('no model after the');
	});
});

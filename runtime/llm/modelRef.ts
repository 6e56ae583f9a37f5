import { PROVIDERS, type ProviderName } from '../contracts/models';

export { PROVIDERS, type ProviderName };

/** How each provider is named to people (in errors and in the model list). */
export const PROVIDER_LABELS: Record<ProviderName, string> = {
	ollama: 'Ollama',
	openai: 'the OpenAI-compatible server',
	anthropic: 'the Anthropic API',
};

/** A model on one provider: `openai:gpt-4o-mini`, `anthropic:claude-sonnet-4-5`, `qwen2.5-coder:7b` (Ollama). */
export interface ModelRef {
	provider: ProviderName;
	/** The provider's own name for it, sent as it is. */
	model: string;
}

export function isProviderName(text: string): text is ProviderName {
	return (PROVIDERS as readonly string[]).includes(text);
}

/**
 * Reads a model reference. Text before the first ':' naming a provider makes the rest that
 * provider's model; anything else is a bare Ollama name, tags and all (`llama3.2:3b`), so every
 * reference written before providers existed keeps its meaning.
 */
export function parseModelRef(reference: string): ModelRef {
	const colon = reference.indexOf(':');
	const head = colon < 0 ? '' : reference.slice(0, colon);
	if (isProviderName(head)) return { provider: head, model: reference.slice(colon + 1) };
	return { provider: 'ollama', model: reference };
}

/**
 * The reference for a model. Ollama's are bare, as they always were (its names cannot start with
 * `openai:` or `anthropic:` and mean something else); the others carry their provider.
 */
export function formatModelRef(ref: ModelRef): string {
	return ref.provider === 'ollama' && !isProviderName(ref.model.split(':')[0]) ? ref.model : `${ref.provider}:${ref.model}`;
}

/** What is wrong with `reference` given the providers this service has configured; null when nothing is. */
export function modelRefProblem(reference: string, configured: ReadonlySet<ProviderName>): string | null {
	const { provider, model } = parseModelRef(reference);
	if (!model.trim()) return `names provider "${provider}" but no model after the ':' (e.g. ${provider}:<model>)`;
	if (!configured.has(provider)) {
		const how = provider === 'openai' ? 'OPENAI_BASE_URL' : provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OLLAMA_HOST';
		return `names provider "${provider}", which this service has not configured (its operator sets ${how})`;
	}
	return null;
}

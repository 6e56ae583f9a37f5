/** The model servers the runtime speaks to: the first part of a model reference (`openai:gpt-4o-mini`). */
export const PROVIDERS = ['ollama', 'openai', 'anthropic'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** One model a provider has, as GET /api/models lists it (and the nodes' Model dropdowns show it). */
export interface ModelInfo {
	/** Its model reference: bare for Ollama's, `openai:<id>` and `anthropic:<id>` for the others'. */
	name: string;
	provider: ProviderName;
	sizeBytes?: number;
	parameterSize?: string;
	family?: string;
}

/** A configured provider that could not list its models, and why (credentials removed). */
export interface UnavailableProvider {
	provider: ProviderName;
	error: string;
}

/** GET /api/models: every configured provider's models; `unavailable` only when one could not list them. */
export interface ModelList {
	models: ModelInfo[];
	unavailable?: UnavailableProvider[];
}

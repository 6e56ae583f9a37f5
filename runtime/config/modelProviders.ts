import { InvalidInputError } from '../errors';
import { modelRefProblem, parseModelRef, PROVIDERS, type ProviderName } from '../llm/modelRef';
import type { ProviderConnection } from '../llm/providers/provider';

/** The part of ServiceConfig that says where the providers are (declared here: environment.ts imports this file). */
interface ProviderConfig {
	openaiBaseUrl?: string;
	openaiApiKey?: string;
	anthropicBaseUrl: string;
	anthropicApiKey?: string;
}

/** The providers this service can call: Ollama always; an OpenAI-compatible server when OPENAI_BASE_URL is set; Anthropic when ANTHROPIC_API_KEY is. */
export function configuredProviders(config: ProviderConfig): Set<ProviderName> {
	const providers = new Set<ProviderName>(['ollama']);
	if (config.openaiBaseUrl) providers.add('openai');
	if (config.anthropicApiKey) providers.add('anthropic');
	return providers;
}

/** The providers the roles' models (MODEL_PLANNER … MODEL_REPORTER, MODEL_ESCALATION) are on, in PROVIDERS' order: the ones the service's health depends on. */
export function rolesProviders(config: { models: Record<string, string>; escalationModel?: string }): ProviderName[] {
	const references = [...Object.values(config.models), ...(config.escalationModel ? [config.escalationModel] : [])];
	const used = new Set(references.map((reference) => parseModelRef(reference).provider));
	return PROVIDERS.filter((provider) => used.has(provider));
}

/** The connections LlmClient takes for the configured providers besides Ollama. */
export function providerConnections(config: ProviderConfig): { openai?: ProviderConnection; anthropic?: ProviderConnection } {
	return {
		...(config.openaiBaseUrl ? { openai: { baseUrl: config.openaiBaseUrl, apiKey: config.openaiApiKey } } : {}),
		...(config.anthropicApiKey ? { anthropic: { baseUrl: config.anthropicBaseUrl, apiKey: config.anthropicApiKey } } : {}),
	};
}

/** Each provider's model slots in one worker process (OLLAMA_NUM_PARALLEL, OPENAI_NUM_PARALLEL, ANTHROPIC_NUM_PARALLEL). */
export function providerSlots(config: { ollamaNumParallel: number; openaiNumParallel: number; anthropicNumParallel: number }): Record<ProviderName, number> {
	return { ollama: config.ollamaNumParallel, openai: config.openaiNumParallel, anthropic: config.anthropicNumParallel };
}

/** Variables named MODEL_* that do not hold a model reference. */
const NOT_A_MODEL = new Set(['MODEL_PRICES']);

/**
 * Every MODEL_* variable (or its default) must name a provider this service has configured: a
 * reference to another would fail every job that uses it, so start-up stops here naming the variable.
 */
export function checkModelVariables(config: ProviderConfig, values: Array<{ name: string; value: string | undefined }>): void {
	const configured = configuredProviders(config);
	for (const { name, value } of values) {
		if (!name.startsWith('MODEL_') || NOT_A_MODEL.has(name) || value === undefined) continue;
		const problem = modelRefProblem(value.trim(), configured);
		if (problem) throw new InvalidInputError(name, `"${value.trim()}" ${problem}`);
	}
}

/** A request's settings.models: each must name a configured provider (400 naming the field). */
export function checkSettingsModels(models: Record<string, string | undefined> | undefined, config: ProviderConfig, field: string): void {
	for (const [role, reference] of Object.entries(models ?? {})) checkModelReference(reference, config, `${field}.models.${role}`);
}

/** One model reference of a request (a step's `model`, a role in settings.models): it must name a configured provider (400 naming `field`). */
export function checkModelReference(reference: string | undefined, config: ProviderConfig, field: string): void {
	if (typeof reference !== 'string') return;
	const problem = modelRefProblem(reference, configuredProviders(config));
	if (problem) throw new InvalidInputError(field, `"${reference}" ${problem}`);
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { LlmClient, type GenerationOptions, type OllamaConnection } from '../../runtime/index';

/** Options every AI node shows for its model call; each one reaches the Ollama request. */
export const llmOptionProperties: INodeProperties[] = [
	{
		displayName: 'Context Size',
		name: 'contextSize',
		type: 'number',
		default: 8192,
		typeOptions: { minValue: 256 },
		description: 'Tokens the model can see at once (Ollama num_ctx). Too small cuts off the prompt or the reply.',
	},
	{
		displayName: 'Keep Alive',
		name: 'keepAlive',
		type: 'string',
		default: '5m',
		placeholder: '5m',
		description: 'How long Ollama keeps the model loaded after the call, e.g. 10m, 1h, or -1 for always',
	},
	{
		displayName: 'Max Repair Attempts',
		name: 'maxRepairAttempts',
		type: 'number',
		default: 2,
		typeOptions: { minValue: 0, maxValue: 10 },
		description: 'How many times the model is told what was wrong with an invalid reply and asked again',
	},
	{
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		default: 2,
		typeOptions: { minValue: 0, maxValue: 10 },
		description: 'Retries, with growing waits, when Ollama is unreachable, busy (503) or fails (5xx)',
	},
	{
		displayName: 'Max Tokens',
		name: 'maxTokens',
		type: 'number',
		default: -1,
		description: 'Longest reply in tokens (Ollama num_predict); -1 means no limit',
	},
	{
		displayName: 'Seed',
		name: 'seed',
		type: 'number',
		default: 0,
		description: 'Fixed seed for repeatable replies; 0 means random',
	},
	{
		displayName: 'Temperature',
		name: 'temperature',
		type: 'number',
		default: 0.2,
		typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 },
		description: 'Lower is more focused and repeatable; structured output works best low',
	},
	{
		displayName: 'Timeout (Seconds)',
		name: 'timeoutSeconds',
		type: 'number',
		default: 900,
		typeOptions: { minValue: 0 },
		description:
			'Longest wait for one model reply, retries included, however long the model takes to load and generate; 0 means no limit',
	},
];

export interface LlmCallSettings extends GenerationOptions {
	maxRepairs: number;
	timeoutMs: number;
	retries: number;
}

/** Maps the node's Options collection to what the runtime takes; absent options keep defaults. */
export function readLlmCallSettings(options: IDataObject): LlmCallSettings {
	const number = (name: string, fallback: number) => (typeof options[name] === 'number' ? (options[name] as number) : fallback);
	const ollamaOptions: GenerationOptions['options'] = {
		temperature: number('temperature', 0.2),
		num_ctx: number('contextSize', 8192),
	};
	const seed = number('seed', 0);
	if (seed !== 0) ollamaOptions.seed = seed;
	const maxTokens = number('maxTokens', -1);
	if (maxTokens > 0) ollamaOptions.num_predict = maxTokens;
	const keepAlive = typeof options.keepAlive === 'string' && options.keepAlive.trim() ? options.keepAlive.trim() : undefined;
	return {
		options: ollamaOptions,
		keepAlive: keepAlive === undefined ? undefined : /^-?\d+$/.test(keepAlive) ? Number(keepAlive) : keepAlive,
		maxRepairs: number('maxRepairAttempts', 2),
		timeoutMs: number('timeoutSeconds', 900) * 1000,
		retries: number('maxRetries', 2),
	};
}

export function createLlmClient(context: IExecuteFunctions, connection: OllamaConnection, settings: LlmCallSettings): LlmClient {
	return new LlmClient({
		connection,
		timeoutMs: settings.timeoutMs,
		retry: { retries: settings.retries, baseDelayMs: 1000, maxDelayMs: 30_000 },
		signal: context.getExecutionCancelSignal?.(),
	});
}

/**
 * The Options collection of an AI node: the model-call options every AI node has, the role's
 * Custom Prompt Template, and the role's own options; sorted by name as n8n shows options.
 */
export function agentOptionsProperty(role: string, templateVariables: string, roleOptions: INodeProperties[]): INodeProperties {
	const promptTemplate: INodeProperties = {
		displayName: 'Custom Prompt Template',
		name: 'promptTemplate',
		type: 'string',
		typeOptions: { rows: 10 },
		default: '',
		description: `A Handlebars template replacing the shipped ${role} prompt (runtime/prompts/${role}.hbs). Variables: ${templateVariables}; wrap untrusted text in {{#fence "name"}}…{{/fence}} (a random marker of its own per block; {{fence}} still gives one marker).`,
	};
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...llmOptionProperties, promptTemplate, ...roleOptions].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

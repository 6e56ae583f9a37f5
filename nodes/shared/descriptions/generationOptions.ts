import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { pick } from '../parameters';

// Literal defaults, as n8n's lint wants; test/unit/nodes/agentDefaults.test.ts keeps them equal to
// the runtime's AGENT_DEFAULTS. An option the operator does not add is not sent: the service's own
// setting applies.

/** Options every AI node shows for its model call; each one reaches the Ollama request (body `llm`). */
export const generationOptionProperties: INodeProperties[] = [
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
		displayName: 'Model Call Timeout (Seconds)',
		name: 'timeoutSeconds',
		type: 'number',
		default: 900,
		typeOptions: { minValue: 0 },
		description: 'Longest time for one model call, retries included, however long the model takes to load and generate; 0 means no limit',
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
];

const GENERATION_OPTION_NAMES = generationOptionProperties.map((p) => p.name);

/**
 * The Options collection of an AI node: the model-call options, the role's Custom Prompt
 * Template, and the role's own options, sorted by name as n8n shows options.
 */
export function agentOptionsProperty(role: string, templateVariables: string, roleOptions: INodeProperties[]): INodeProperties {
	const promptTemplate: INodeProperties = {
		displayName: 'Custom Prompt Template',
		name: 'promptTemplate',
		type: 'string',
		typeOptions: { rows: 10 },
		default: '',
		description: `A Handlebars template replacing the shipped ${role} prompt (runtime/prompts/${role}.hbs). Variables: ${templateVariables}; wrap untrusted text in {{#fence "name"}}…{{/fence}}.`,
	};
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: "How the model is called, the prompt, and the role's own settings; an option not added keeps the service's default",
		options: [...generationOptionProperties, promptTemplate, ...roleOptions].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

/** The step body's `llm` and `promptTemplate` from the Options the operator added. */
export function generationBody(options: IDataObject): IDataObject {
	const llm = pick(options, GENERATION_OPTION_NAMES);
	const body: IDataObject = {};
	if (Object.keys(llm).length) body.llm = llm;
	if (typeof options.promptTemplate === 'string' && options.promptTemplate.trim()) body.promptTemplate = options.promptTemplate;
	return body;
}

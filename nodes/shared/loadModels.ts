import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import type { ModelList } from '../../runtime/contracts/models';
import { serviceRequest } from './transport/serviceRequest';

/** Longest error text shown in an option's name; the whole text is its description. */
const NAME_ERROR_CHARS = 80;

/**
 * The Model dropdown: first the parameter's default, "" (the service's own MODEL_* setting, which
 * n8n would otherwise flag as a value not in the list), then a line for each configured provider
 * that could not list its models, then the models the service's providers have (GET /api/models).
 *
 * n8n's editor shows every option it is given (it does not grey out `disabled` ones in 2.41), so a
 * provider's line is named as a notice ("openai: unavailable (…)") and its value is the provider's
 * reference with no model (`openai:`): never a model's name, and refused by the service at intake
 * (400 naming the field) if a workflow sends it.
 */
export async function getModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const { models, unavailable = [] } = await serviceRequest<ModelList>(this, {
		method: 'GET',
		path: '/api/models',
		timeoutMs: 15_000,
	});
	const serviceDefault: INodePropertyOptions = { name: 'Service Default', value: '', description: "The service's MODEL_* setting for this role" };
	const notices = unavailable.map(
		(p): INodePropertyOptions => ({
			name: `${p.provider}: unavailable (${shortened(p.error)})`,
			value: `${p.provider}:`,
			description: `The service could not list the models of its ${p.provider} provider: ${p.error}. Pick another model, or check the service's settings for ${p.provider} and open this list again.`,
			disabled: true,
		}),
	);
	return [serviceDefault, ...notices, ...models
		.map((m) => ({
			name: m.name,
			value: m.name,
			description: [m.parameterSize, m.family, typeof m.sizeBytes === 'number' ? `${(m.sizeBytes / 1e9).toFixed(1)} GB` : ''].filter(Boolean).join(' · '),
		}))
		.sort((a, b) => a.name.localeCompare(b.name))];
}

function shortened(text: string): string {
	const line = text.replace(/\s+/g, ' ').trim() || 'no reason given';
	return line.length > NAME_ERROR_CHARS ? `${line.slice(0, NAME_ERROR_CHARS - 1)}…` : line;
}

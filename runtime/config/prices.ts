import { MAX_MODEL_REFERENCE_LENGTH, type ModelPrice, type PriceTable } from '../contracts/usage';
import { InvalidInputError } from '../errors';

/** The highest price MODEL_PRICES takes, in USD per million tokens: far above any real model's, so a typo in the unit shows. */
export const MAX_PRICE_PER_MILLION = 10_000;

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * MODEL_PRICES as a price table: a JSON object of model references, each with `input` and `output`
 * in USD per million tokens (`{"openai:gpt-4o-mini": {"input": 0.15, "output": 0.6}}`). Anything
 * else stops the service at start-up, naming the variable and the entry.
 */
export function parsePrices(text: string, name = 'MODEL_PRICES'): PriceTable {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new InvalidInputError(name, `must be JSON such as {"openai:gpt-4o-mini": {"input": 0.15, "output": 0.6}}: ${(error as Error).message}`);
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new InvalidInputError(name, `must be a JSON object of model references, each {"input": <USD per million input tokens>, "output": <per million output tokens>}; got ${kindOf(parsed)}`);
	}
	const table: PriceTable = {};
	for (const [model, price] of Object.entries(parsed)) {
		const entry = `${name} entry ${JSON.stringify(model)}`;
		const reference = model.trim();
		if (!reference || reference.length > MAX_MODEL_REFERENCE_LENGTH || PROTOTYPE_KEYS.has(reference)) {
			throw new InvalidInputError(name, `${entry}: the key must be a model reference of 1-${MAX_MODEL_REFERENCE_LENGTH} characters (provider:model or a bare Ollama name)`);
		}
		const key = withoutOllamaPrefix(reference);
		if (Object.hasOwn(table, key)) throw new InvalidInputError(name, `${entry}: the model is priced twice`);
		table[key] = checkPrice(entry, price, name);
	}
	return table;
}

function checkPrice(entry: string, price: unknown, name: string): ModelPrice {
	if (typeof price !== 'object' || price === null || Array.isArray(price)) {
		throw new InvalidInputError(name, `${entry}: must be {"input": <USD per million input tokens>, "output": <per million output tokens>}, got ${kindOf(price)}`);
	}
	const extra = Object.keys(price).filter((key) => key !== 'input' && key !== 'output');
	if (extra.length) throw new InvalidInputError(name, `${entry}: only "input" and "output" are prices, not ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
	const amount = (side: 'input' | 'output'): number => {
		const value = (price as Record<string, unknown>)[side];
		if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_PRICE_PER_MILLION) {
			throw new InvalidInputError(name, `${entry}: "${side}" must be USD per million ${side} tokens, a number from 0 to ${MAX_PRICE_PER_MILLION}, got ${JSON.stringify(value)}`);
		}
		return value;
	};
	return { input: amount('input'), output: amount('output') };
}

/**
 * The price of a model reference, or undefined (it costs 0: a local model). A bare name means
 * Ollama, so `ollama:llama3.2:3b` and `llama3.2:3b` are the same model, in the table and in a lookup.
 */
export function priceOf(table: PriceTable | undefined, model: string): ModelPrice | undefined {
	if (!table) return undefined;
	const key = withoutOllamaPrefix(model.trim());
	return Object.hasOwn(table, key) ? table[key] : undefined;
}

function withoutOllamaPrefix(reference: string): string {
	return reference.startsWith('ollama:') ? reference.slice('ollama:'.length) : reference;
}

function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

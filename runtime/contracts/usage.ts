import type { JSONSchemaType, SchemaObject } from 'ajv';

/** What LLM work cost, summed over every call (repairs and retries included). Metered per project later. */
export interface LlmUsage {
	promptTokens: number;
	completionTokens: number;
	totalTokens: number;
	/** Time the model server reports it spent (load + prompt + generation), in ms. */
	llmMs: number;
	/** Wall-clock time spent waiting on the model server, in ms. */
	wallMs: number;
	/** HTTP calls made, counting repairs and retries. */
	calls: number;
}

export function emptyUsage(): LlmUsage {
	return { promptTokens: 0, completionTokens: 0, totalTokens: 0, llmMs: 0, wallMs: 0, calls: 0 };
}

/**
 * Sums two usages, every field kept a finite count: a number that is not a count (NaN, negative)
 * adds 0, and sums stop at Number.MAX_SAFE_INTEGER. Huge numbers from a server (1e308 twice)
 * would otherwise make Infinity, which JSON stores as null and the store refuses.
 */
export function addUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
	const add = (x: number, y: number) => Math.min(Number.MAX_SAFE_INTEGER, usageCount(x) + usageCount(y));
	return {
		promptTokens: add(a.promptTokens, b.promptTokens),
		completionTokens: add(a.completionTokens, b.completionTokens),
		totalTokens: add(a.totalTokens, b.totalTokens),
		llmMs: add(a.llmMs, b.llmMs),
		wallMs: add(a.wallMs, b.wallMs),
		calls: add(a.calls, b.calls),
	};
}

/** `value` as a usage count: 0 when it is not a number, NaN or negative; at most Number.MAX_SAFE_INTEGER. */
export function usageCount(value: unknown): number {
	if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) return 0;
	return Math.min(value, Number.MAX_SAFE_INTEGER);
}

/** The longest model reference (`provider:model` or a bare Ollama name) a setting, a price or the store takes. */
export const MAX_MODEL_REFERENCE_LENGTH = 200;

/** Cost in US dollars is kept to a millionth of a dollar: finer than any price per call, coarse enough to read. */
const USD_DECIMALS = 6;

/** `value` in USD rounded to a millionth of a dollar; 0 when it is not a positive finite number. */
export function roundUsd(value: number): number {
	if (!Number.isFinite(value) || value <= 0) return 0;
	return Number(value.toFixed(USD_DECIMALS));
}

/** One model's price: US dollars per million input (prompt) tokens and per million output (completion) tokens. */
export interface ModelPrice {
	input: number;
	output: number;
}

/** MODEL_PRICES: prices by model reference (`provider:model` or a bare Ollama name). A model not listed costs 0. */
export type PriceTable = Record<string, ModelPrice>;

/** What usage cost at `price` (none: 0, a local model), in USD rounded to a millionth. */
export function costOf(usage: LlmUsage, price: ModelPrice | undefined): number {
	if (!price) return 0;
	return roundUsd((usageCount(usage.promptTokens) * price.input + usageCount(usage.completionTokens) * price.output) / 1_000_000);
}

/** What a project's model calls cost, in USD, summed as they were metered (at the prices of that moment). */
export interface UsageCost {
	currency: 'USD';
	total: number;
	/** Keyed by agent role, like usage.byRole; a role whose models are unpriced has 0. */
	byRole: Record<string, number>;
	/** Keyed by model reference, like usage.byModel. */
	byModel: Record<string, number>;
}

export function emptyCost(): UsageCost {
	return { currency: 'USD', total: 0, byRole: {}, byModel: {} };
}

/**
 * The client report whose usage was metered last: written from project version `from`, its usage
 * stored as version `at`. While the project is still at `at`, nothing but that report's own usage
 * changed, so a report request answers with that report instead of paying for the same one again.
 */
export interface MeteredReport {
	from: number;
	at: number;
}

/** A project's model usage: in all, by role and by model, and what it cost. */
export interface ProjectUsage {
	total: LlmUsage;
	/** Keyed by agent role: planner, developer, tester, reviewer, reporter, ... */
	byRole: Record<string, LlmUsage>;
	/** Keyed by model reference (`openai:gpt-4o-mini`, `qwen2.5-coder:7b`); absent on projects stored before it was kept. */
	byModel?: Record<string, LlmUsage>;
	/** Absent on projects stored before cost was kept. */
	cost?: UsageCost;
	/** Absent or null until a client report's usage was metered. */
	report?: MeteredReport | null;
}

export function emptyProjectUsage(): ProjectUsage {
	return { total: emptyUsage(), byRole: {}, byModel: {}, cost: emptyCost(), report: null };
}

/** The project version a client report request stands for: the version its last report was written from, when only that report's usage changed since. */
export function reportVersionOf(project: { version: number; usage: Pick<ProjectUsage, 'report'> }): number {
	const report = project.usage.report;
	return report && report.at === project.version ? report.from : project.version;
}

const count = { type: 'number', minimum: 0 } as const;
const usd = { type: 'number', minimum: 0 } as const;

export const llmUsageSchema: JSONSchemaType<LlmUsage> = {
	type: 'object',
	properties: {
		promptTokens: count,
		completionTokens: count,
		totalTokens: count,
		llmMs: count,
		wallMs: count,
		calls: count,
	},
	required: ['promptTokens', 'completionTokens', 'totalTokens', 'llmMs', 'wallMs', 'calls'],
};

export const modelPriceSchema: JSONSchemaType<ModelPrice> = {
	type: 'object',
	properties: { input: usd, output: usd },
	required: ['input', 'output'],
	additionalProperties: false,
};

export const usageCostSchema: JSONSchemaType<UsageCost> = {
	type: 'object',
	properties: {
		currency: { type: 'string', const: 'USD' },
		total: usd,
		byRole: { type: 'object', additionalProperties: usd, required: [] },
		byModel: { type: 'object', additionalProperties: usd, required: [] },
	},
	required: ['currency', 'total', 'byRole', 'byModel'],
	additionalProperties: false,
};

/** The stored project's `usage` (plain schema: `report` may be null, which JSONSchemaType cannot require). */
export const projectUsageSchema: SchemaObject = {
	type: 'object',
	properties: {
		total: llmUsageSchema,
		byRole: { type: 'object', additionalProperties: llmUsageSchema },
		byModel: { type: 'object', additionalProperties: llmUsageSchema },
		cost: usageCostSchema,
		report: {
			anyOf: [
				{ type: 'object', properties: { from: { type: 'integer', minimum: 1 }, at: { type: 'integer', minimum: 1 } }, required: ['from', 'at'], additionalProperties: false },
				{ type: 'null' },
			],
		},
	},
	required: ['total', 'byRole'],
};

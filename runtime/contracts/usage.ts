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

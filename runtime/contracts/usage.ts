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

export function addUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
	return {
		promptTokens: a.promptTokens + b.promptTokens,
		completionTokens: a.completionTokens + b.completionTokens,
		totalTokens: a.totalTokens + b.totalTokens,
		llmMs: a.llmMs + b.llmMs,
		wallMs: a.wallMs + b.wallMs,
		calls: a.calls + b.calls,
	};
}

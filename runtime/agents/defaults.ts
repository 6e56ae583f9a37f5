/**
 * The agents' defaults, in one place: the service's jobs use them, and the nodes show them as their
 * Options' defaults, so a project runs the same whether its steps are nodes or the service.
 */
export const AGENT_DEFAULTS = Object.freeze({
	/** Ollama num_ctx. */
	contextSize: 8192,
	keepAlive: '5m',
	/** How often the model is told what was wrong with a reply and asked again. */
	maxRepairs: 2,
	temperature: 0.2,
	testTimeoutSeconds: 120,
	maxTestOutputKb: 256,
});

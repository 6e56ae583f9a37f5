import { LlmOutputError } from '../llm/errors';
import type { ProjectStore } from '../state/projectStore';

/**
 * Runs one agent's model call for a stored project. When the model never gave usable output, the
 * calls it took were still paid for: their usage is added to the role's before the error goes on.
 */
export async function meteredAgentCall<T>(store: ProjectStore, projectId: string, role: string, source: string, call: () => Promise<T>): Promise<T> {
	try {
		return await call();
	} catch (error) {
		if (error instanceof LlmOutputError && error.usage) {
			// The model's failure is what the caller must see, not a failure to meter it.
			await store.addUsage(projectId, role, error.usage, { source }).catch(() => undefined);
		}
		throw error;
	}
}

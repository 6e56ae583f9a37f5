import { priceOf } from '../config/prices';
import type { Project } from '../contracts/project';
import { costOf, type LlmUsage, type PriceTable } from '../contracts/usage';
import { LlmOutputError } from '../llm/errors';
import type { ProjectStore } from '../state/projectStore';

/** What metering needs of a step's context: the store, who writes, and the price table (none: every model costs 0). */
export interface MeteringContext {
	store: ProjectStore;
	source: string;
	prices?: PriceTable;
}

/** What an agent's model calls used: the model (a model reference) and its usage. */
export interface MeteredWork {
	model: string;
	usage: LlmUsage;
}

/**
 * Adds an agent's usage to the project under its role and its model, with what it cost at today's
 * prices: computed now and stored as a sum, so a later change of MODEL_PRICES leaves what was
 * already spent as it was. `reportOf`: the project version a client report was written from.
 */
export async function recordUsage(context: MeteringContext, projectId: string, role: string, work: MeteredWork, reportOf?: number): Promise<Project> {
	const cost = costOfWork(context, work);
	return context.store.addUsage(projectId, role, work.usage, { source: context.source, model: work.model, cost, ...(reportOf === undefined ? {} : { reportOf }) });
}

/** What the work cost at the context's prices, in USD (0: an unpriced model). */
export function costOfWork(context: Pick<MeteringContext, 'prices'>, work: MeteredWork): number {
	return costOf(work.usage, priceOf(context.prices, work.model));
}

/**
 * Runs one agent's model call for a stored project. When the model never gave usable output, the
 * calls it took were still paid for: their usage is added to the role's (and the model's) before
 * the error goes on.
 */
export async function meteredAgentCall<T>(context: MeteringContext, projectId: string, role: string, call: () => Promise<T>): Promise<T> {
	try {
		return await call();
	} catch (error) {
		const failed = unusableOutput(error);
		// The model's failure is what the caller must see, not a failure to meter it.
		if (failed) await recordUsage(context, projectId, role, failed).catch(() => undefined);
		throw error;
	}
}

/** What the calls of a model that never gave usable output used, when the error says (LlmOutputError keeps model and usage). */
export function unusableOutput(error: unknown): MeteredWork | undefined {
	return error instanceof LlmOutputError && error.usage && error.model ? { model: error.model, usage: error.usage } : undefined;
}

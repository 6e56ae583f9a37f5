/**
 * The service's defaults, in one place beside the environment that overrides some of them
 * (environment.ts: a variable's default in ENVIRONMENT comes from here where code uses it too).
 * The nodes spell some of them out as their Options' defaults (n8n's lint wants literals there):
 * test/unit/nodes/agentDefaults.test.ts keeps the two equal, so a project runs the same whether its
 * steps are nodes or the service.
 *
 * This file imports nothing: every room on or above config's floor may read it without a cycle.
 * A module's private constants (a transport's reply cap, git's timeout, the stop watch's interval)
 * stay with their module; the shared limits (sizes, paths) are contracts (contracts/limits.ts).
 */

/** The agents' model-call and test-run defaults: the service's jobs use them, the nodes show them. */
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

/** The most tasks a plan may have (MAX_PLAN_TASKS; the AI Planner's Max Tasks). */
export const DEFAULT_MAX_TASKS = 12;

/** The AI Developer's budget, in tokens, for the existing files it is shown. */
export const DEFAULT_CONTEXT_TOKENS = 6000;

/** Starts every Redis key of the store and the queue (KEY_PREFIX). */
export const DEFAULT_KEY_PREFIX = 'aic:';

/** Model calls that fail transiently are retried this way (llm/retry.ts's RetryPolicy). */
export const DEFAULT_RETRY_POLICY = { retries: 2, baseDelayMs: 1000, maxDelayMs: 30_000 };

/**
 * The reviewer's gate (a project's settings review, reviewRounds, reviewLastRejection): reviews a
 * project's tasks get when its settings do not say (on in whole-project mode, off for step jobs), how
 * many review rounds a task gets, and what a rejection in the last round does (fail the task, or warn).
 */
export const REVIEW_DEFAULTS = Object.freeze({ rounds: 2, lastRejection: 'fail' as 'fail' | 'warn' });

/**
 * Escalation (settings.models.escalation or MODEL_ESCALATION): the task attempt from which the
 * developer writes with the escalation model (settings.escalateAfterAttempts; 1-20, runSettingsSchema).
 */
export const ESCALATION_DEFAULTS = Object.freeze({ afterAttempts: 2 });

/** Who commits, set in each repository the workspace creates (workspace/git.ts's GitIdentity). */
export const DEFAULT_GIT_IDENTITY = Object.freeze({ name: 'AI Company', email: 'ai-company@localhost' });

/** What a project's plan waits for when its settings.approval does not say: nothing ("none"). */
export const DEFAULT_APPROVAL = 'none' as 'plan' | 'none';

/**
 * The client portal's links (POST /api/projects/:id/portal-link's expiresInHours): how long one
 * lasts when the request does not say, and the shortest and longest it may ask for.
 */
export const PORTAL_LINK = Object.freeze({ defaultHours: 168, minHours: 1, maxHours: 24 * 90 });

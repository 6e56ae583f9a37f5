import { DEFAULT_CONTEXT_TOKENS } from '../agents/developer/developTask';
import type { PlannerSettings } from '../agents/planner/planProject';
import type { EffectiveSettings } from '../config/projectSettings';
import type { ServiceConfig } from '../config/environment';
import type { DeveloperStepSettings } from '../pipeline/developerStep';
import type { TesterStepSettings } from '../pipeline/testerStep';

// The agents' defaults for the service, in one place (the nodes' Options fall back to the same values).
const GENERATION = { options: { temperature: 0.2, num_ctx: 8192 }, keepAlive: '5m' } as const;
const MAX_REPAIRS = 2;

export function plannerSettings(settings: EffectiveSettings, model?: string): PlannerSettings {
	return { ...GENERATION, model: model ?? settings.models.planner, maxRepairs: MAX_REPAIRS, maxTasks: settings.maxPlanTasks };
}

export function developerSettings(settings: EffectiveSettings, model?: string): Omit<DeveloperStepSettings, 'mode'> {
	return { ...GENERATION, model: model ?? settings.models.developer, maxRepairs: MAX_REPAIRS, contextTokens: DEFAULT_CONTEXT_TOKENS };
}

export function testerSettings(config: ServiceConfig, settings: EffectiveSettings, options: { model?: string; regenerateTests?: boolean } = {}): TesterStepSettings {
	return {
		...GENERATION,
		model: options.model ?? settings.models.tester,
		maxRepairs: MAX_REPAIRS,
		regenerateTests: options.regenerateTests ?? false,
		run: { timeoutMs: config.testTimeoutMs, maxOutputBytes: 256 * 1024, sandbox: config.sandbox },
	};
}

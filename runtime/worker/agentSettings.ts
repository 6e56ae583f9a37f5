import { AGENT_DEFAULTS } from '../agents/defaults';
import { DEFAULT_CONTEXT_TOKENS } from '../agents/developer/developTask';
import type { PlannerSettings } from '../agents/planner/planProject';
import type { EffectiveSettings } from '../config/projectSettings';
import type { ServiceConfig } from '../config/environment';
import type { DeveloperStepSettings } from '../pipeline/developerStep';
import type { TesterStepSettings } from '../pipeline/testerStep';

const GENERATION = { options: { temperature: AGENT_DEFAULTS.temperature, num_ctx: AGENT_DEFAULTS.contextSize }, keepAlive: AGENT_DEFAULTS.keepAlive };
const MAX_REPAIRS = AGENT_DEFAULTS.maxRepairs;

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
		run: { timeoutMs: config.testTimeoutMs, maxOutputBytes: AGENT_DEFAULTS.maxTestOutputKb * 1024, sandbox: config.sandbox },
	};
}

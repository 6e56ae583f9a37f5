import { AGENT_DEFAULTS, DEFAULT_CONTEXT_TOKENS } from '../../../runtime/config/defaults';
import { loadConfig } from '../../../runtime/config/environment';
import { effectiveSettings } from '../../../runtime/config/projectSettings';
import { callLimitsOf, developerSettings, plannerSettings, reporterSettings, testerSettings } from '../../../runtime/worker/agentSettings';

const config = { ...loadConfig({}), testTimeoutMs: 120_000, llmTimeoutMs: 1_800_000, sandbox: 'process' as const };
const settings = effectiveSettings(config, 'p1', { maxPlanTasks: 9 });

describe("a step job's options over the project's settings over the defaults", () => {
	it('keeps the defaults for a job without options (auto mode task jobs)', () => {
		expect(plannerSettings(settings)).toEqual({
			options: { temperature: AGENT_DEFAULTS.temperature, num_ctx: AGENT_DEFAULTS.contextSize },
			keepAlive: AGENT_DEFAULTS.keepAlive,
			maxRepairs: AGENT_DEFAULTS.maxRepairs,
			model: settings.models.planner,
			maxTasks: 9,
		});
		expect(developerSettings(settings).contextTokens).toBe(DEFAULT_CONTEXT_TOKENS);
		expect(testerSettings(config, settings).run).toEqual({ timeoutMs: 120_000, maxOutputBytes: AGENT_DEFAULTS.maxTestOutputKb * 1024, sandbox: 'process' });
		expect(callLimitsOf(config)).toMatchObject({ timeoutMs: 1_800_000, retry: { retries: 0 } });
	});

	it("takes the job's maxTasks over the project's, its contextTokens, prompt template and repair count", () => {
		expect(plannerSettings(settings, { maxTasks: 2, promptTemplate: 'P', llm: { maxRepairAttempts: 0 } })).toMatchObject({ maxTasks: 2, promptTemplate: 'P', maxRepairs: 0 });
		expect(developerSettings(settings, { contextTokens: 300, model: 'm' })).toMatchObject({ contextTokens: 300, model: 'm' });
	});

	it("writes reports with MODEL_REPORTER unless the job names a model, and with the job's prompt template and generation options", () => {
		const reporterConfig = { ...config, models: { ...config.models, planner: 'env-planner', reporter: 'env-reporter' } };
		const withReporter = effectiveSettings(reporterConfig, 'p1', { models: { planner: 'project-planner' } });
		expect(reporterSettings(withReporter)).toEqual({
			options: { temperature: AGENT_DEFAULTS.temperature, num_ctx: AGENT_DEFAULTS.contextSize },
			keepAlive: AGENT_DEFAULTS.keepAlive,
			maxRepairs: AGENT_DEFAULTS.maxRepairs,
			model: 'env-reporter',
		});
		expect(reporterSettings(withReporter, { model: 'm', promptTemplate: 'R', llm: { temperature: 0.9, maxRepairAttempts: 1 } })).toMatchObject({
			model: 'm',
			promptTemplate: 'R',
			options: { temperature: 0.9 },
			maxRepairs: 1,
		});
	});

	it('splits testCommand on runs of spaces (no shell) and takes the test run limits; the sandbox stays the service\'s', () => {
		const tester = testerSettings(config, settings, { testCommand: ' python  -m pytest -q ', testTimeoutSeconds: 7, maxOutputKb: 3 });
		expect(tester.run).toEqual({ command: ['python', '-m', 'pytest', '-q'], timeoutMs: 7000, maxOutputBytes: 3072, sandbox: 'process' });
	});

	it('turns the whole-call timeout into ms (0 stays "no limit") and maxRetries into in-job retries', () => {
		expect(callLimitsOf(config, { timeoutSeconds: 0, maxRetries: 4 })).toMatchObject({ timeoutMs: 0, retry: { retries: 4 } });
		expect(callLimitsOf(config, { timeoutSeconds: 1.5 }).timeoutMs).toBe(1500);
	});

	it('sends a numeric keepAlive as a number of seconds, a duration as text', () => {
		expect(plannerSettings(settings, { llm: { keepAlive: '-1' } }).keepAlive).toBe(-1);
		expect(plannerSettings(settings, { llm: { keepAlive: '300' } }).keepAlive).toBe(300);
		expect(plannerSettings(settings, { llm: { keepAlive: '1h' } }).keepAlive).toBe('1h');
	});
});

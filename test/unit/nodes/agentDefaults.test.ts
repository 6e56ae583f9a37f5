import type { INodeProperties } from 'n8n-workflow';

import { AGENT_DEFAULTS, DEFAULT_CONTEXT_TOKENS, DEFAULT_MAX_TASKS } from '../../../runtime/config/defaults';
import { EVENT_TYPES } from '../../../runtime/contracts/webhooks';
import { TRIGGER_EVENTS } from '../../../nodes/AiCompanyTrigger/AiCompanyTrigger.node';
import { AiDeveloper } from '../../../nodes/AiDeveloper/AiDeveloper.node';
import { AiPlanner } from '../../../nodes/AiPlanner/AiPlanner.node';
import { AiTester } from '../../../nodes/AiTester/AiTester.node';
import { generationOptionProperties as llmOptionProperties } from '../../../nodes/shared/descriptions/generationOptions';

// n8n's lint wants literal defaults in node descriptions, so the nodes spell the runtime's defaults
// out; this keeps the two the same, so a project behaves alike run by nodes or by the service.
function optionDefault(options: INodeProperties[], name: string): unknown {
	const found = options.find((o) => o.name === name);
	if (!found) throw new Error(`no option "${name}"`);
	return found.default;
}

describe('the nodes show the runtime agents\' defaults', () => {
	it('model-call options: context size, keep alive, repair attempts, temperature', () => {
		expect({
			contextSize: optionDefault(llmOptionProperties, 'contextSize'),
			keepAlive: optionDefault(llmOptionProperties, 'keepAlive'),
			maxRepairs: optionDefault(llmOptionProperties, 'maxRepairAttempts'),
			temperature: optionDefault(llmOptionProperties, 'temperature'),
		}).toEqual({ contextSize: AGENT_DEFAULTS.contextSize, keepAlive: AGENT_DEFAULTS.keepAlive, maxRepairs: AGENT_DEFAULTS.maxRepairs, temperature: AGENT_DEFAULTS.temperature });
	});

	it('the AI Tester\'s test timeout and output cap', () => {
		const options = (new AiTester().description.properties.find((p) => p.name === 'options')?.options ?? []) as INodeProperties[];
		expect({ timeout: optionDefault(options, 'testTimeoutSeconds'), output: optionDefault(options, 'maxOutputKb') }).toEqual({
			timeout: AGENT_DEFAULTS.testTimeoutSeconds,
			output: AGENT_DEFAULTS.maxTestOutputKb,
		});
	});
});

describe('the nodes show the runtime\'s other defaults', () => {
	const roleOption = (node: { description: { properties: INodeProperties[] } }, name: string) =>
		optionDefault((node.description.properties.find((p) => p.name === 'options')?.options ?? []) as INodeProperties[], name);

	it('the AI Planner\'s Max Tasks and the AI Developer\'s context budget', () => {
		expect({ maxTasks: roleOption(new AiPlanner(), 'maxTasks'), contextTokens: roleOption(new AiDeveloper(), 'contextTokens') }).toEqual({
			maxTasks: DEFAULT_MAX_TASKS,
			contextTokens: DEFAULT_CONTEXT_TOKENS,
		});
	});

	it('the trigger offers exactly the events the service sends', () => {
		expect(TRIGGER_EVENTS.map((e) => e.value).sort()).toEqual([...EVENT_TYPES].sort());
	});
});

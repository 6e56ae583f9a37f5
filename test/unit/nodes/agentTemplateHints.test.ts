import type { INodeProperties, INodeType } from 'n8n-workflow';

import { AiDeveloper } from '../../../nodes/AiDeveloper/AiDeveloper.node';
import { AiPlanner } from '../../../nodes/AiPlanner/AiPlanner.node';
import { AiTester } from '../../../nodes/AiTester/AiTester.node';
import { shippedTemplateSource } from '../../../runtime/prompts/renderPrompt';
import { hintedVariables, rootVariables } from '../../support/templateVariables';

// Each AI node's Custom Prompt Template hint lists the variables an operator's template can use;
// every variable the shipped template reads must be among them, so a variable added to a role's
// prompt (a change request, a review, protected paths) cannot go unlisted. (The reviewer's hint is
// checked more closely, against what its agent hands a template: reviewerTemplateVariables.test.ts.)

const hintOf = (node: INodeType) => {
	const options = (node.description.properties.find((p) => p.name === 'options')?.options ?? []) as INodeProperties[];
	return options.find((o) => o.name === 'promptTemplate')?.description ?? '';
};

describe("the AI nodes' Custom Prompt Template hints name every variable of the shipped template", () => {
	it.each([
		['planner', new AiPlanner()],
		['developer', new AiDeveloper()],
		['tester', new AiTester()],
	] as const)('%s', (role, node) => {
		const used = rootVariables(shippedTemplateSource(role));
		expect(used.size).toBeGreaterThan(3);
		const { hintedNames } = hintedVariables(hintOf(node));
		expect([...used].filter((name) => !hintedNames.has(name)).sort()).toEqual([]);
	});
});

import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { modelProperty, projectIdProperty, serviceCredentials, taskIdProperty } from '../shared/descriptions/common';
import { executionProperties } from '../shared/descriptions/execution';
import { agentOptionsProperty } from '../shared/descriptions/generationOptions';
import { getModels } from '../shared/loadModels';
import { executeAiReviewer } from './executeAiReviewer';

export class AiReviewer implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AI Reviewer',
		name: 'aiReviewer',
		icon: { light: 'file:aiReviewer.svg', dark: 'file:aiReviewer.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"] || "service default model" }}',
		description:
			"Reviews a task whose tests passed with a local model: approves it (the task is done) or requests changes (the developer's next attempt gets the comments)",
		defaults: { name: 'AI Reviewer' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: serviceCredentials,
		properties: [
			projectIdProperty,
			{
				...taskIdProperty,
				description:
					"The task to review: one whose tests passed and that waits for its review (the AI Tester's output, with review on in the project's settings)",
			},
			modelProperty('reviews code'),
			...executionProperties('the review'),
			agentOptionsProperty(
				'reviewer',
				'{{task}} (null in the whole-project review), {{tasks}} (id and title of each, whole-project review), {{planSummary}}, {{techStack}}, {{files}} (each: path, content; in a task review also diff and added, and from its second round sincePrevious: what changed since the previous round), {{listedPaths}}, {{testFiles}}, {{testReport}} (status, passed, failed, output; null in the whole-project review), {{round}}, {{previousRound}} (the round before, when a later round of a task review shows what changed since; else null), {{previousComments}}, {{schema}}',
				[],
			),
		],
	};

	methods = { loadOptions: { getModels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executeAiReviewer.call(this);
	}
}

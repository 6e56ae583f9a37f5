import type { JSONSchemaType } from 'ajv';

/** One unit of work in a plan. `id` is what `dependsOn` of other tasks refers to. */
export interface PlanTask {
	id: string;
	title: string;
	description: string;
	dependsOn: string[];
	acceptanceCriteria: string[];
	estimateHours: number;
}

export interface PlanRisk {
	risk: string;
	mitigation: string;
}

/** The planner's reply. Field names are public: operators' expressions and custom prompts use them. */
export interface Plan {
	summary: string;
	techStack: string[];
	tasks: PlanTask[];
	risks: PlanRisk[];
}

const nonEmptyString = { type: 'string', minLength: 1 } as const;

export const planTaskSchema: JSONSchemaType<PlanTask> = {
	type: 'object',
	properties: {
		id: nonEmptyString,
		title: nonEmptyString,
		description: { type: 'string' },
		dependsOn: { type: 'array', items: { type: 'string' } },
		acceptanceCriteria: { type: 'array', items: { type: 'string' } },
		estimateHours: { type: 'number', minimum: 0 },
	},
	required: ['id', 'title', 'description', 'dependsOn', 'acceptanceCriteria', 'estimateHours'],
};

/**
 * Sent to Ollama as `format` (constrained decoding) and used to validate the reply, so the two can
 * never disagree. Kept to the JSON-schema subset Ollama turns into a grammar.
 */
export const planSchema: JSONSchemaType<Plan> = {
	type: 'object',
	properties: {
		summary: nonEmptyString,
		techStack: { type: 'array', items: { type: 'string' } },
		tasks: { type: 'array', items: planTaskSchema, minItems: 1 },
		risks: {
			type: 'array',
			items: {
				type: 'object',
				properties: { risk: { type: 'string' }, mitigation: { type: 'string' } },
				required: ['risk', 'mitigation'],
			},
		},
	},
	required: ['summary', 'techStack', 'tasks', 'risks'],
};

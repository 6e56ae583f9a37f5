import type { JSONSchemaType } from 'ajv';

/**
 * The reporter's reply: a progress report for the project's client, in plain language. Field names
 * are public: the client-report template and operators' expressions read them.
 */
export interface ProjectReport {
	/** Two or three sentences on where the project stands. */
	summary: string;
	/** What was finished, one point each. */
	done: string[];
	/** What comes next, one point each. */
	next: string[];
	/** What could delay the project or needs the client, one point each; [] when nothing does. */
	risks: string[];
}

/** How large a report may be: a daily summary, not a document. */
export const REPORT_LIMITS = Object.freeze({
	summaryChars: 1500,
	pointChars: 300,
	pointsPerList: 20,
});

const point = { type: 'string', minLength: 1, maxLength: REPORT_LIMITS.pointChars } as const;
const points = { type: 'array', items: point, maxItems: REPORT_LIMITS.pointsPerList } as const;

/**
 * Sent to Ollama as `format` (constrained decoding) and used to validate the reply, so the two can
 * never disagree. Kept to the JSON-schema subset Ollama turns into a grammar.
 */
export const projectReportSchema: JSONSchemaType<ProjectReport> = {
	type: 'object',
	properties: {
		summary: { type: 'string', minLength: 1, maxLength: REPORT_LIMITS.summaryChars },
		done: points,
		next: points,
		risks: points,
	},
	required: ['summary', 'done', 'next', 'risks'],
};

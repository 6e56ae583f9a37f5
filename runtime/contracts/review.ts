import type { JSONSchemaType, SchemaObject } from 'ajv';

/** What the reviewer decides: the work may go on (approve), or goes back to the developer. */
export const REVIEW_VERDICTS = ['approve', 'request_changes'] as const;
export type ReviewVerdict = (typeof REVIEW_VERDICTS)[number];

/**
 * How much a comment weighs: `blocker` (wrong or unsafe: must change), `major` (misses an
 * acceptance criterion or will break soon), `minor` (worth changing), `nit` (taste). Only the
 * verdict decides; severities tell the developer what to fix first.
 */
export const REVIEW_SEVERITIES = ['blocker', 'major', 'minor', 'nit'] as const;
export type ReviewSeverity = (typeof REVIEW_SEVERITIES)[number];

export interface ReviewComment {
	/** A file of the reviewed code, relative to the project root. */
	path: string;
	/** 1-based line in that file, when the comment is about one. */
	line?: number;
	severity: ReviewSeverity;
	message: string;
}

/**
 * The reviewer's reply, for one task or for the whole project. Field names are public: the
 * AI Reviewer node's output, operators' expressions and custom prompts use them.
 */
export interface Review {
	verdict: ReviewVerdict;
	/** Two or three sentences: what was reviewed and why the verdict. */
	summary: string;
	/** [] is a valid approval; a request for changes needs at least one (a role check, not the schema). */
	comments: ReviewComment[];
}

/** How large a review may be: notes for a developer, not a document. */
export const REVIEW_LIMITS = Object.freeze({
	summaryChars: 2000,
	messageChars: 2000,
	comments: 30,
	/** Characters of a rejected round's files kept on its review for the next round's diff. */
	keptFilesChars: 64_000,
});

export const reviewCommentSchema: JSONSchemaType<ReviewComment> = {
	type: 'object',
	properties: {
		path: { type: 'string', minLength: 1, maxLength: 1024 },
		line: { type: 'integer', minimum: 1, nullable: true },
		severity: { type: 'string', enum: [...REVIEW_SEVERITIES] },
		message: { type: 'string', minLength: 1, maxLength: REVIEW_LIMITS.messageChars },
	},
	required: ['path', 'severity', 'message'],
};

/**
 * Sent to Ollama as `format` (constrained decoding) and used to validate the reply, so the two can
 * never disagree. Kept to the JSON-schema subset Ollama turns into a grammar.
 */
export const reviewSchema: JSONSchemaType<Review> = {
	type: 'object',
	properties: {
		verdict: { type: 'string', enum: [...REVIEW_VERDICTS] },
		summary: { type: 'string', minLength: 1, maxLength: REVIEW_LIMITS.summaryChars },
		comments: { type: 'array', items: reviewCommentSchema, maxItems: REVIEW_LIMITS.comments },
	},
	required: ['verdict', 'summary', 'comments'],
};

/** The files a rejected review keeps for the next round's diff, or nothing when they are too large to keep. */
export function keptReviewedFiles(files: ReadonlyArray<{ path: string; content: string }>): Array<{ path: string; content: string }> | undefined {
	const chars = files.reduce((sum, f) => sum + f.path.length + f.content.length, 0);
	return chars <= REVIEW_LIMITS.keptFilesChars ? files.map(({ path, content }) => ({ path, content })) : undefined;
}

/** A review as a task keeps it: the reply plus who gave it and when in the task's life. */
export interface StoredReview extends Review {
	model: string;
	/** 1 for the task's first review, +1 for each one after. */
	round: number;
	/** The task attempt whose code was reviewed. */
	attempt: number;
	/** A last rejection let through because the project's reviewLastRejection is "warn". */
	warned?: boolean;
	/**
	 * On a task: these are the whole project's review's comments on the task's files (that review's
	 * round), which sent the finished task back to its developer.
	 */
	fromProjectReview?: number;
	/**
	 * On a request for changes: the task's files as this review read them, so the next round can show
	 * what changed in answer (left out when they are larger than REVIEW_LIMITS.keptFilesChars).
	 */
	reviewedFiles?: Array<{ path: string; content: string }>;
	at: string;
}

/** The stored shape, for the store's validation and the project's schema (more fields than the reply's). */
export const storedReviewSchema: SchemaObject = {
	type: 'object',
	properties: {
		...reviewSchema.properties,
		model: { type: 'string', minLength: 1, maxLength: 200 },
		round: { type: 'integer', minimum: 1 },
		attempt: { type: 'integer', minimum: 0 },
		warned: { type: 'boolean' },
		fromProjectReview: { type: 'integer', minimum: 1 },
		reviewedFiles: {
			type: 'array',
			items: { type: 'object', properties: { path: { type: 'string', minLength: 1, maxLength: 1024 }, content: { type: 'string' } }, required: ['path', 'content'], additionalProperties: false },
		},
		at: { type: 'string' },
	},
	required: ['verdict', 'summary', 'comments', 'model', 'round', 'attempt', 'at'],
	additionalProperties: false,
};

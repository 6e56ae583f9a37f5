/**
 * How deep any JSON we take in may nest: a model's reply and the store's input alike. Real plans,
 * files and reports stay far below it; beyond it, recursive code (validation, JSON.stringify) would
 * run out of stack.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * What a client's request (the intake) may hold, in characters: the API refuses more at its edge
 * (POST /api/projects's JSON schema) and the store refuses it again (state/intake.ts checkIntake).
 */
export const INTAKE_LIMITS = Object.freeze({
	maxTitleLength: 200,
	maxRequirementsLength: 20_000,
	maxClientNameLength: 200,
	maxClientEmailLength: 320,
});

/**
 * Size limits on what the store accepts (and, through them, what a workspace writes at once). They keep one project small enough to rewrite on every
 * change (each update sends the whole project to Redis) and stop a runaway agent from filling Redis.
 */
export interface StoreLimits {
	maxTitleLength: number;
	maxRequirementsLength: number;
	/** Per produced file, in UTF-8 bytes. */
	maxFileBytes: number;
	/** The test report of one task result, as JSON, in bytes. */
	maxTestReportBytes: number;
	maxErrorLength: number;
	maxReasonLength: number;
	/** The data of one event added with addEvent, as JSON, in bytes. */
	maxEventDataBytes: number;
	/** The whole project as stored, in UTF-8 bytes. */
	maxProjectBytes: number;
}

export const DEFAULT_STORE_LIMITS: Readonly<StoreLimits> = Object.freeze({
	maxTitleLength: INTAKE_LIMITS.maxTitleLength,
	maxRequirementsLength: INTAKE_LIMITS.maxRequirementsLength,
	maxFileBytes: 1024 * 1024,
	maxTestReportBytes: 1024 * 1024,
	maxErrorLength: 20_000,
	maxReasonLength: 2_000,
	maxEventDataBytes: 64 * 1024,
	maxProjectBytes: 8 * 1024 * 1024,
});

/** Longest file path (in characters) a task's file may have, in the store and in a workspace. */
export const MAX_FILE_PATH_LENGTH = 1024;

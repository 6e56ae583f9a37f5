import { InvalidInputError } from '../../errors';
import { checkOneLine, LINE_BREAK } from '../../state/intake';

export interface ClientInfo {
	name?: string;
	email?: string;
}

/** What a client asks for: the same shape arrives from the node, the worker and the HTTP API. */
export interface PlannerInput {
	requirements: string;
	title: string;
	projectId: string | null;
	client: ClientInfo;
}

export const DEFAULT_MAX_REQUIREMENTS_LENGTH = 20_000;
const MAX_TITLE_LENGTH = 200;
const PROJECT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Checks and normalises raw intake fields; throws InvalidInputError naming the first bad field. */
export function validatePlannerInput(
	raw: { requirements?: unknown; title?: unknown; projectId?: unknown; client?: unknown },
	maxRequirementsLength = DEFAULT_MAX_REQUIREMENTS_LENGTH,
): PlannerInput {
	if (raw.requirements === undefined || raw.requirements === null) {
		throw new InvalidInputError('requirements', 'is missing: describe what the client wants built');
	}
	if (typeof raw.requirements !== 'string') {
		throw new InvalidInputError('requirements', `must be text, got ${describeType(raw.requirements)}`);
	}
	const requirements = raw.requirements.trim();
	if (!requirements) throw new InvalidInputError('requirements', 'is empty: describe what the client wants built');
	if (requirements.length > maxRequirementsLength) {
		throw new InvalidInputError(
			'requirements',
			`is ${requirements.length} characters long; the limit is ${maxRequirementsLength} (raise "Max Requirements Length" in the options if this is intended)`,
		);
	}
	return {
		requirements,
		title: oneLineText(raw.title, 'title', MAX_TITLE_LENGTH) ?? titleFromRequirements(requirements),
		projectId: projectIdFrom(raw.projectId),
		client: clientFrom(raw.client),
	};
}

function optionalText(value: unknown, field: string, maxLength: number): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value !== 'string') throw new InvalidInputError(field, `must be text, got ${describeType(value)}`);
	const text = value.trim();
	if (text.length > maxLength) throw new InvalidInputError(field, `is ${text.length} characters long; the limit is ${maxLength}`);
	return text || undefined;
}

/** Like optionalText, for a field that must fit on one line (title, client name and email). */
function oneLineText(value: unknown, field: string, maxLength: number): string | undefined {
	const text = optionalText(value, field, maxLength);
	if (text) checkOneLine(field, text);
	return text;
}

function projectIdFrom(value: unknown): string | null {
	if (value === undefined || value === null || value === '') return null;
	const id = typeof value === 'number' ? String(value) : value;
	if (typeof id !== 'string' || !PROJECT_ID_PATTERN.test(id)) {
		throw new InvalidInputError(
			'projectId',
			`must be 1-128 letters, digits, ".", "_" or "-" starting with a letter or digit, got ${JSON.stringify(value)}`,
		);
	}
	return id;
}

function clientFrom(value: unknown): ClientInfo {
	if (value === undefined || value === null || value === '') return {};
	if (typeof value !== 'object' || Array.isArray(value)) {
		throw new InvalidInputError('client', `must be an object like { "name": "…", "email": "…" }, got ${describeType(value)}`);
	}
	const record = value as Record<string, unknown>;
	const client: ClientInfo = {};
	const name = oneLineText(record.name, 'client.name', 200);
	const email = oneLineText(record.email, 'client.email', 320);
	if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) throw new InvalidInputError('client.email', `is not an email address: "${email}"`);
	if (name) client.name = name;
	if (email) client.email = email;
	return client;
}

/** An untitled project's title: the requirements' first line, shortened. */
export function titleFromRequirements(requirements: string): string {
	// Any line break ends the line, so the title passes the one-line check of both intakes.
	const firstLine = requirements.split(LINE_BREAK, 1)[0].trim();
	return firstLine.length <= 80 ? firstLine : `${firstLine.slice(0, 77)}...`;
}

export function describeType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`.slice(0, 60);
}

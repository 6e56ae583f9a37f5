import { createHash } from 'node:crypto';
import { INTAKE_LIMITS, type StoreLimits } from '../contracts/limits';
import { projectIntakeSchema, type Project, type ProjectClient, type ProjectIntake } from '../contracts/project';
import { schemaProblems } from '../contracts/schemaValidator';
import { emptyProjectUsage } from '../contracts/usage';
import { InvalidInputError } from '../errors';
import { checkLength } from './validation';

// Line feed, carriage return, vertical tab, form feed, next line, line and paragraph separators.
export const LINE_BREAK = /[\n\r\v\f\u0085\u2028\u2029]/;

/**
 * Refuses a line break in a one-line field (title, client name and email): such a field is shown
 * to the agents on a line of its own, and a second line could pose as a new part of the prompt.
 */
export function checkOneLine(field: string, text: string): void {
	if (LINE_BREAK.test(text)) throw new InvalidInputError(field, 'must be one line; found a line break');
}

/** A request's requirements without surrounding whitespace; refuses them when nothing else is left. */
export function trimmedRequirements(requirements: string): string {
	const trimmed = requirements.trim();
	if (!trimmed) throw new InvalidInputError('requirements', 'is empty: describe what the client wants built');
	return trimmed;
}

/** An untitled project's title: the requirements' first line, shortened. */
export function titleFromRequirements(requirements: string): string {
	// Any line break ends the line, so the title passes the one-line check of the intake.
	const firstLine = requirements.split(LINE_BREAK, 1)[0].trim();
	return firstLine.length <= 80 ? firstLine : `${firstLine.slice(0, 77)}...`;
}

/** The intake with surrounding whitespace trimmed and empty client fields dropped; refuses bad input. */
export function checkIntake(value: unknown, limits: StoreLimits): ProjectIntake & { client: ProjectClient } {
	const problems = schemaProblems(projectIntakeSchema, value);
	if (problems.length) throw new InvalidInputError('intake', problems.join('; '));
	const raw = value as ProjectIntake;
	const title = raw.title.trim();
	const requirements = trimmedRequirements(raw.requirements);
	if (!title) throw new InvalidInputError('title', 'is empty: give the project a name');
	checkLength('title', title, limits.maxTitleLength);
	checkOneLine('title', title);
	checkLength('requirements', requirements, limits.maxRequirementsLength);

	const client: ProjectClient = {};
	const name = raw.client?.name?.trim();
	const email = raw.client?.email?.trim();
	if (name) {
		checkLength('client.name', name, INTAKE_LIMITS.maxClientNameLength);
		checkOneLine('client.name', name);
		client.name = name;
	}
	if (email) {
		checkLength('client.email', email, INTAKE_LIMITS.maxClientEmailLength);
		checkOneLine('client.email', email);
		if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new InvalidInputError('client.email', `is not an email address: "${email}"`);
		client.email = email;
	}
	return { title, requirements, client };
}

/**
 * The idempotency key of an intake that came without one. Whitespace and the case of the email do
 * not count, so a form submitted twice, or re-sent by a retrying webhook, maps to the same project.
 */
export function intakeIdempotencyKey(intake: ProjectIntake & { client: ProjectClient }): string {
	const text = (s: string | undefined) => (s ?? '').normalize('NFC').trim().replace(/\s+/g, ' ');
	const identity = [text(intake.title), text(intake.requirements), text(intake.client.name), text(intake.client.email).toLowerCase()];
	return `sha256:${createHash('sha256').update(JSON.stringify(identity)).digest('hex')}`;
}

export function newProject(
	id: string,
	intake: ProjectIntake & { client: ProjectClient },
	idempotencyKey: string,
	now: string,
): Project {
	return {
		id,
		title: intake.title,
		client: intake.client,
		requirements: intake.requirements,
		status: 'intake',
		resumeStatus: null,
		statusReason: null,
		plan: null,
		tasks: {},
		repository: null,
		usage: emptyProjectUsage(),
		createdAt: now,
		updatedAt: now,
		archivedAt: null,
		version: 1,
		idempotencyKey,
	};
}

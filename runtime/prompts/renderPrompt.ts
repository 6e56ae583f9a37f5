import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import Handlebars from 'handlebars';

import { InvalidInputError } from '../errors';

export type PromptRole = 'planner' | 'developer' | 'tester';

const shipped = new Map<PromptRole, HandlebarsTemplateDelegate>();

// Templates are compiled in an environment of our own, so helpers never leak into other users of Handlebars.
const handlebars = Handlebars.create();
handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
const custom = new Map<string, HandlebarsTemplateDelegate>();

/** The template shipped for a role, as a file an operator can copy and adapt. */
export function shippedTemplateSource(role: PromptRole): string {
	return readFileSync(join(__dirname, `${role}.hbs`), 'utf8');
}

/**
 * Renders a role's prompt from the shipped template or the operator's own. Values are inserted
 * as they are (no HTML escaping: this is a prompt, not a page). `fence` is a fresh random marker
 * that delimits client text, so the text cannot close its own delimiter and pose as instructions.
 */
export function renderPrompt(role: PromptRole, context: Record<string, unknown>, customTemplate?: string): string {
	const template = customTemplate?.trim() ? compileCustom(customTemplate) : compileShipped(role);
	const fence = `CLIENT_DATA_${randomBytes(6).toString('hex')}`;
	try {
		return template({ ...context, fence });
	} catch (error) {
		throw new InvalidInputError('customPromptTemplate', `the template failed to render: ${(error as Error).message}`);
	}
}

function compileShipped(role: PromptRole): HandlebarsTemplateDelegate {
	let template = shipped.get(role);
	if (!template) {
		template = handlebars.compile(shippedTemplateSource(role), { noEscape: true });
		shipped.set(role, template);
	}
	return template;
}

function compileCustom(source: string): HandlebarsTemplateDelegate {
	let template = custom.get(source);
	if (!template) {
		try {
			// Parse now so a syntax error is reported as the operator's, not at first use.
			handlebars.parse(source);
		} catch (error) {
			throw new InvalidInputError('customPromptTemplate', `not a valid Handlebars template: ${(error as Error).message}`);
		}
		template = handlebars.compile(source, { noEscape: true });
		if (custom.size > 50) custom.clear();
		custom.set(source, template);
	}
	return template;
}

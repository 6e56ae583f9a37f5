import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import Handlebars from 'handlebars';

import { InvalidInputError } from '../errors';

export type PromptRole = 'planner' | 'developer' | 'tester' | 'reviewer' | 'reporter';

const shipped = new Map<PromptRole, { source: string; template: HandlebarsTemplateDelegate }>();

// Templates are compiled in an environment of our own, so helpers never leak into other users of Handlebars.
const handlebars = Handlebars.create();
handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
const custom = new Map<string, HandlebarsTemplateDelegate>();

const MARKER_PREFIX = 'CLIENT_DATA_';
// Anything that reads as an opening or closing marker of our form: "<CLIENT_DATA_…", "</client_data…", "< / CLIENT_DATA…".
const MARKER_LOOKALIKE = /<(?=\s*\/?\s*client_data)/gi;

/** The template shipped for a role, as a file an operator can copy and adapt. */
export function shippedTemplateSource(role: PromptRole): string {
	return readFileSync(join(__dirname, `${role}.hbs`), 'utf8');
}

/**
 * Renders a role's prompt from the shipped template or the operator's own. Values are inserted
 * as they are (no HTML escaping: this is a prompt, not a page), except that anything in them that
 * looks like a fence marker ("<CLIENT_DATA_…", "</CLIENT_DATA_…", any case) has its "<" written as
 * "&lt;", so no value can open or close a fence.
 *
 * Untrusted text is fenced with the `fence` helper, which draws a fresh random marker
 * (CLIENT_DATA_ and 12 hex digits) per render, never one that occurs in the values or the template:
 * - `{{#fence "task"}}…{{/fence}}` puts the block between `<marker>` and `</marker>` (on lines of
 *   their own when the block spans lines); `{{fence "task"}}` is that block's marker, for telling
 *   the model where it is. Each name has its own marker; a block without a name gets a marker of
 *   its own too (for blocks inside `{{#each}}`).
 * - `{{fence}}`, also a plain variable, is one more marker for operators' templates written as
 *   `<{{fence}}>{{requirements}}</{{fence}}>`.
 */
export function renderPrompt(role: PromptRole, context: Record<string, unknown>, customTemplate?: string): string {
	const { source, template } = customTemplate?.trim() ? { source: customTemplate, template: compileCustom(customTemplate) } : compileShipped(role);
	const values = neutralise(context, new Map()) as Record<string, unknown>;
	const markers = new Markers(`${source}\n${stringsOf(values, new WeakSet()).join('\n')}`);
	try {
		return template({ ...values, fence: markers.legacy }, { helpers: { fence: fenceHelper(markers) } });
	} catch (error) {
		throw new InvalidInputError('customPromptTemplate', `the template failed to render: ${(error as Error).message}`);
	}
}

/** The random markers of one render: each distinct, none found in the text they delimit. */
class Markers {
	private readonly haystack: string;
	private readonly byName = new Map<string, string>();
	private readonly drawn = new Set<string>();
	/** The marker of the `fence` variable, for operators' templates. */
	readonly legacy: string;

	/** `haystack`: the template and every value, which no marker may occur in. */
	constructor(haystack: string) {
		this.haystack = haystack.toLowerCase();
		this.legacy = this.fresh('');
	}

	/** The marker of the block `name`, as the template writes it out to announce the block. */
	write(name: string): string {
		let marker = this.byName.get(name);
		if (!marker) {
			marker = this.fresh('');
			this.byName.set(name, marker);
		}
		return marker;
	}

	/**
	 * The marker of a rendered block: a fresh one that the block does not contain, unless the block's
	 * name was written out already. That one stays: the block may contain it only bare (spelled by
	 * values side by side), never with the "<" or "</" that would open or close a fence (see neutraliseText).
	 */
	forBlock(name: string | undefined, block: string): string {
		const written = name === undefined ? undefined : this.byName.get(name);
		if (written) return written;
		const marker = this.fresh(block);
		if (name !== undefined) this.byName.set(name, marker);
		return marker;
	}

	/** A marker not drawn before in this render and found neither in the haystack nor in `block`. */
	private fresh(block: string): string {
		for (;;) {
			const marker = `${MARKER_PREFIX}${randomBytes(6).toString('hex')}`;
			if (!this.drawn.has(marker) && !this.haystack.includes(marker.toLowerCase()) && !contains(block, marker)) {
				this.drawn.add(marker);
				return marker;
			}
		}
	}
}

function contains(text: string, marker: string): boolean {
	return text.toLowerCase().includes(marker.toLowerCase());
}

function fenceHelper(markers: Markers) {
	return function fence(this: unknown, ...args: unknown[]): string {
		const options = args.pop() as Handlebars.HelperOptions;
		const name = args.length ? String(args[0]) : undefined;
		// {{fence}} and {{fence "name"}}: a marker, for the template to write out or announce.
		if (typeof options.fn !== 'function') return name === undefined ? markers.legacy : markers.write(name);
		// The block is checked as rendered: template text and values side by side could still spell a marker.
		const block = neutraliseText(options.fn(this));
		const marker = markers.forBlock(name, block);
		if (!block.includes('\n')) return `<${marker}>${block}</${marker}>`;
		return `<${marker}>\n${block}${block.endsWith('\n') ? '' : '\n'}</${marker}>\n`;
	};
}

function neutraliseText(text: string): string {
	return text.replace(MARKER_LOOKALIKE, '&lt;');
}

/** The context with every string, however deep in plain objects and lists, neutralised (a copy). */
function neutralise(value: unknown, copies: Map<object, unknown>): unknown {
	if (typeof value === 'string') return neutraliseText(value);
	if (!Array.isArray(value) && !isPlainObject(value)) return value;
	const earlier = copies.get(value);
	if (earlier) return earlier;
	const copy: object = Array.isArray(value) ? [] : {};
	copies.set(value, copy);
	for (const [key, item] of Object.entries(value)) {
		// Defined, not assigned, so a key "__proto__" stays a key.
		Object.defineProperty(copy, key, { value: neutralise(item, copies), enumerable: true, writable: true, configurable: true });
	}
	return copy;
}

function stringsOf(value: unknown, seen: WeakSet<object>): string[] {
	if (typeof value === 'string') return [value];
	if (typeof value !== 'object' || value === null || seen.has(value)) return [];
	seen.add(value);
	return Object.values(value).flatMap((item) => stringsOf(item, seen));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null) return false;
	const prototype = Object.getPrototypeOf(value) as unknown;
	return prototype === Object.prototype || prototype === null;
}

function compileShipped(role: PromptRole): { source: string; template: HandlebarsTemplateDelegate } {
	let entry = shipped.get(role);
	if (!entry) {
		const source = shippedTemplateSource(role);
		entry = { source, template: handlebars.compile(source, { noEscape: true }) };
		shipped.set(role, entry);
	}
	return entry;
}

/** Refuses, naming `field`, a template that is not valid Handlebars: before a job is queued with it. */
export function checkPromptTemplate(source: string, field: string): void {
	try {
		compileCustom(source);
	} catch (error) {
		throw new InvalidInputError(field, (error as InvalidInputError).message.replace(/^customPromptTemplate: /, ''));
	}
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

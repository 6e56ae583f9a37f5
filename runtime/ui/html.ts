/**
 * The pages' HTML, built so that nothing a client or a model wrote can become markup: every value
 * put into the `html` template is escaped unless it is itself `Html` made by this module. Pages
 * carry no inline script or style; the Content-Security-Policy below forbids them anyway.
 */

/** HTML that is safe to put into a page as it is: made only by `html`, `join` or `trusted`. */
export class Html {
	constructor(readonly text: string) {}

	toString(): string {
		return this.text;
	}
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text for an element's content or a quoted attribute value: & < > " ' ` escaped. */
export function escapeHtml(value: unknown): string {
	return String(value ?? '').replace(/[&<>"'`]/g, (c) => ESCAPES[c]);
}

/**
 * A URL for an href: only http(s), mailto and same-site paths pass; anything else (javascript:,
 * data:, a scheme hidden by control characters) becomes "#". The result still goes through the
 * `html` template's escaping.
 */
export function safeUrl(value: unknown): string {
	const url = String(value ?? '').trim();
	if (/^\/(?!\/)/.test(url)) return url;
	return /^(https?:\/\/|mailto:)[^\s\x00-\x1f]*$/i.test(url) ? url : '#';
}


type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
	if (part === null || part === undefined || part === false) return '';
	if (part instanceof Html) return part.text;
	if (Array.isArray(part)) return (part as readonly Part[]).map(render).join('');
	return escapeHtml(part);
}

/** The template every page is written with: `${value}` is escaped, `${html`…`}` is kept, arrays are joined, null/false/undefined vanish. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
	let out = strings[0];
	values.forEach((value, i) => {
		out += render(value) + strings[i + 1];
	});
	return new Html(out);
}

/** Markup this module cannot check (a constant of the page's own); never for anything read from a project. */
export function trusted(markup: string): Html {
	return new Html(markup);
}

/**
 * The policy of every /ui and /portal page: scripts, styles, fonts and connections from this
 * origin only, no inline script or style, no framing, forms posting only here. Bull Board
 * (/ui/queues) gets its own, see `BULL_BOARD_CSP`.
 */
export const CONTENT_SECURITY_POLICY = [
	"default-src 'self'",
	"script-src 'self'",
	"style-src 'self'",
	"img-src 'self' data:",
	"connect-src 'self'",
	"frame-ancestors 'none'",
	"form-action 'self'",
	"base-uri 'none'",
].join('; ');

/**
 * The headers every /ui and /portal answer carries beside the policy. Referrer-Policy same-origin:
 * no address (a portal link's token) leaves for another site, while the browser's own form posts
 * keep their Origin header (with no-referrer, Chromium sends "Origin: null", which the post check refuses).
 */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
	'content-security-policy': CONTENT_SECURITY_POLICY,
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'same-origin',
	'x-frame-options': 'DENY',
	'cross-origin-opener-policy': 'same-origin',
};

/** Where the pages' static files are served from (runtime/ui/static, and htmx from node_modules). */
export const STATIC_PREFIX = '/ui/static/';

export interface PageShell {
	title: string;
	body: Html;
	/** Static scripts by file name under /ui/static/ (never inline). */
	scripts?: readonly string[];
	/** The stylesheet under /ui/static/; default the dashboard's. */
	stylesheet?: string;
	/** A class on <body>, e.g. "portal". */
	bodyClass?: string;
}

/** A whole page: doctype, language, title, one stylesheet, the body, scripts from static files only. */
export function page(shell: PageShell): string {
	const scripts = (shell.scripts ?? []).map((name) => html`<script src="${STATIC_PREFIX}${staticName(name)}" defer></script>`);
	return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<link rel="icon" href="data:,">
<title>${shell.title}</title>
<link rel="stylesheet" href="${STATIC_PREFIX}${staticName(shell.stylesheet ?? 'dashboard.css')}">
${scripts}
</head>
<body${shell.bodyClass ? html` class="${shell.bodyClass}"` : ''}>
${shell.body}
</body>
</html>
`.text;
}

/** A static file's name: letters, digits, dots, dashes and slashes, no "..". */
function staticName(name: string): string {
	if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(name) || name.includes('..')) throw new Error(`not a static file name: ${JSON.stringify(name)}`);
	return name;
}

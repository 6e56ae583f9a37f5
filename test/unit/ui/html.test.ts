import { CONTENT_SECURITY_POLICY, escapeHtml, html, page, safeUrl, trusted } from '../../../runtime/ui/html';
import { sameOrigin } from '../../../runtime/ui/requestChecks';

describe('the pages escape everything a client or a model wrote', () => {
	it('escapes & < > " \' ` in text and attribute values', () => {
		expect(escapeHtml(`<img src=x onerror=alert(1)> & "q" 'a' \`b\``)).toBe('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot; &#39;a&#39; &#96;b&#96;');
		expect(escapeHtml(null)).toBe('');
		expect(escapeHtml(42)).toBe('42');
	});

	it('the html template escapes every value, keeps nested html, joins arrays and drops null/false', () => {
		const title = '<script>alert(1)</script>';
		const out = html`<h1 title="${title}">${title}</h1>${[html`<b>${'a&b'}</b>`, '<i>']}${null}${false}${undefined}`;
		expect(out.text).toBe('<h1 title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;</h1><b>a&amp;b</b>&lt;i&gt;');
		expect(html`${trusted('<hr>')}`.text).toBe('<hr>');
	});

	it('an attribute value cannot be closed by a quote', () => {
		expect(html`<a href="${'x" onclick="alert(1)'}">`.text).toBe('<a href="x&quot; onclick=&quot;alert(1)">');
		expect(html`<a href='${"x' onclick='alert(1)"}'>`.text).toBe("<a href='x&#39; onclick=&#39;alert(1)'>");
	});

	it('a link takes only http(s), mailto and same-site paths', () => {
		expect(safeUrl('https://github.com/a/b')).toBe('https://github.com/a/b');
		expect(safeUrl('/ui/projects/1')).toBe('/ui/projects/1');
		expect(safeUrl('javascript:alert(1)')).toBe('#');
		expect(safeUrl(' JavaScript:alert(1)')).toBe('#');
		expect(safeUrl('//evil.example/x')).toBe('#');
		expect(safeUrl('data:text/html,<script>')).toBe('#');
		expect(safeUrl('https://a.b/\u0000x')).toBe('#');
	});
});

describe('the page shell', () => {
	it('has a doctype, a language, the escaped title, one stylesheet and scripts only from static files', () => {
		const out = page({ title: '<b>Projects</b>', body: html`<main>hi</main>`, scripts: ['dashboard.js'] });
		expect(out.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
		expect(out).toContain('<title>&lt;b&gt;Projects&lt;/b&gt;</title>');
		expect(out.match(/<link rel="stylesheet"/g)).toHaveLength(1);
		expect(out).toContain('<link rel="stylesheet" href="/ui/static/dashboard.css">');
		expect(out).toContain('<script src="/ui/static/dashboard.js" defer></script>');
		// No inline script or style anywhere.
		expect(out).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
		expect(out).not.toMatch(/<style|\sstyle=/);
	});

	it('refuses a script name that would leave the static folder or the origin', () => {
		expect(() => page({ title: 't', body: html``, scripts: ['../secret.js'] })).toThrow('not a static file name');
		expect(() => page({ title: 't', body: html``, scripts: ['//cdn.example/x.js'] })).toThrow('not a static file name');
	});
});

describe('the Content-Security-Policy', () => {
	it('allows this origin only, no inline script or style, no framing, no <base>', () => {
		const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
		expect(directives).toEqual({
			'default-src': "'self'",
			'script-src': "'self'",
			'style-src': "'self'",
			'img-src': "'self' data:",
			'connect-src': "'self'",
			'frame-ancestors': "'none'",
			'form-action': "'self'",
			'base-uri': "'none'",
		});
	});
});

describe('a form post is accepted only from a page of the same origin', () => {
	it('compares Origin (or Referer without it) with the Host', () => {
		expect(sameOrigin({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' })).toBe(true);
		expect(sameOrigin({ host: '127.0.0.1:8080', referer: 'http://127.0.0.1:8080/ui/projects/1' })).toBe(true);
		expect(sameOrigin({ host: '127.0.0.1:8080', origin: 'http://evil.example' })).toBe(false);
		expect(sameOrigin({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8081' })).toBe(false);
		expect(sameOrigin({ host: '127.0.0.1:8080', origin: 'null' })).toBe(false);
		expect(sameOrigin({ host: '127.0.0.1:8080' })).toBe(false);
		expect(sameOrigin({ origin: 'http://127.0.0.1:8080' })).toBe(false);
		expect(sameOrigin({ host: '127.0.0.1:8080', origin: 'file://127.0.0.1:8080' })).toBe(false);
	});
});

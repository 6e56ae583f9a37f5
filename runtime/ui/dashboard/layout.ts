import { html, page, type Html } from '../html';

export interface DashboardChrome {
	/** Whether the service has an API token, so there is a sign-in to end. */
	signedIn: boolean;
	/** Which navigation entry is the current page. */
	current?: 'projects' | 'queues';
}

/** A dashboard page: the top bar (projects, queues, sign out) and the page's main content. */
export function dashboardPage(title: string, chrome: DashboardChrome, main: Html, scripts: readonly string[] = ['dashboard.js']): string {
	const current = (name: DashboardChrome['current']) => (chrome.current === name ? html` aria-current="page"` : '');
	return page({
		title: `${title} · AI Company`,
		scripts,
		body: html`<header class="top">
<strong>AI Company</strong>
<nav aria-label="Dashboard"><a href="/ui/"${current('projects')}>Projects</a><a href="/ui/queues"${current('queues')}>Queue (Bull Board)</a></nav>
${chrome.signedIn ? html`<form method="post" action="/ui/sign-out"><button type="submit" class="secondary">Sign out</button></form>` : ''}
</header>
<main id="main">
${main}
</main>`,
	});
}

/** A short page for a refused or failed action: what happened, and the way back. */
export function messagePage(title: string, chrome: DashboardChrome, message: string, back = '/ui/'): string {
	return dashboardPage(title, chrome, html`<h1>${title}</h1><p class="error" role="alert">${message}</p><p><a href="${back}">Back</a></p>`, []);
}

import { html, page } from '../html';

/** The sign-in form: the service's API token, sent once by POST and never shown again. */
export function signInPage(options: { error?: string; next?: string } = {}): string {
	return page({
		title: 'Sign in · AI Company',
		body: html`<main class="signin">
<h1>AI Company dashboard</h1>
<form method="post" action="/ui/sign-in" class="card">
${options.error ? html`<p class="error" role="alert" id="sign-in-error">${options.error}</p>` : ''}
<label for="token">API token</label>
<input type="password" id="token" name="token" required autocomplete="current-password" autofocus${options.error ? html` aria-describedby="sign-in-error" aria-invalid="true"` : ''}>
<p class="muted">The service's <code>API_TOKEN</code>. You stay signed in until you close the browser or sign out.</p>
${options.next ? html`<input type="hidden" name="next" value="${options.next}">` : ''}
<button type="submit">Sign in</button>
</form>
</main>`,
	});
}

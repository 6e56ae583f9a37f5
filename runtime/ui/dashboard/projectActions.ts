import type { Project } from '../../contracts/project';
import { html, type Html } from '../html';

/**
 * The operator's part in the plan approval (settings.approval "plan"): approve, or ask for changes
 * with a comment; and a portal link for the client, made on request.
 */
export function approvalActions(project: Project): Html {
	const id = encodeURIComponent(project.id);
	const portal = html`<form method="post" action="/ui/projects/${id}/portal-link"><button type="submit" class="secondary">Create a portal link</button></form>`;
	if (project.status !== 'awaiting_approval') return portal;
	return html`<form method="post" action="/ui/projects/${id}/approval"><input type="hidden" name="decision" value="approve"><button type="submit">Approve the plan</button></form>
<form method="post" action="/ui/projects/${id}/approval" class="changes">
<input type="hidden" name="decision" value="request_changes">
<div><label for="approval-comment">What should change</label><textarea id="approval-comment" name="comment" rows="2" cols="40" required maxlength="4000"></textarea></div>
<button type="submit" class="secondary">Request changes</button>
</form>
${portal}`;
}

/** The link just made, to copy and pass on; it is shown once and kept nowhere in the dashboard. */
export function portalLinkPage(project: Project, url: string, expiresAt: string): Html {
	return html`<h1>Portal link for ${project.title}</h1>
<p>Send this link to the client. It shows this project only and works until ${expiresAt.slice(0, 16).replace('T', ' ')} UTC; revoke every link of the project with <code>DELETE /api/projects/:id/portal-link</code>.</p>
<label for="portal-link">Portal link</label>
<input type="text" id="portal-link" readonly value="${url}">
<p><a href="/ui/projects/${encodeURIComponent(project.id)}">Back to the project</a></p>`;
}

import type { Project, TaskState } from '../../contracts/project';
import { withoutUrlCredentials } from '../../contracts/credentials';
import { html, safeUrl, type Html } from '../html';

/** A status as a badge; the class carries the status (its colour), the text says it. */
export function statusBadge(status: string): Html {
	return html`<span class="status status-${status.replace(/[^a-z_]/g, '')}">${status.replace(/_/g, ' ')}</span>`;
}

/** The project's tasks in plan order (tasks without a plan entry last). */
export function orderedTasks(project: Project): Array<[string, TaskState, string]> {
	const titles = new Map((project.plan?.tasks ?? []).map((t) => [t.id, t.title]));
	const ids = [...titles.keys(), ...Object.keys(project.tasks).filter((id) => !titles.has(id))];
	return ids.filter((id) => project.tasks[id] !== undefined).map((id) => [id, project.tasks[id], titles.get(id) ?? id]);
}

/** One square per task, coloured by its status, with the counts beside for screen readers and eyes. */
export function taskBars(project: Project): Html {
	const tasks = orderedTasks(project);
	if (!tasks.length) return html`<span class="muted">no plan yet</span>`;
	const done = tasks.filter(([, t]) => t.status === 'done').length;
	const failed = tasks.filter(([, t]) => t.status === 'failed').length;
	return html`<div class="tasks-mini" role="img" aria-label="${done} of ${tasks.length} tasks done${failed ? `, ${failed} failed` : ''}">${tasks.map(
		([id, t, title]) => html`<span class="${t.status}" title="${id} ${title}: ${t.status}"></span>`,
	)}</div><span class="muted">${done}/${tasks.length} done${failed ? html`, ${failed} failed` : ''}</span>`;
}

/** The whole project's progress as one bar: done, failed and in-progress shares. */
export function progressBar(project: Project): Html {
	const tasks = Object.values(project.tasks);
	if (!tasks.length) return html``;
	const share = (status: string) => Math.round((100 * tasks.filter((t) => t.status === status).length) / tasks.length);
	return html`<meter class="progress" min="0" max="${tasks.length}" value="${tasks.filter((t) => t.status === 'done').length}" title="${share('done')}% done">${share('done')}%</meter>`;
}

export function attemptsOf(project: Project): number {
	return Object.values(project.tasks).reduce((sum, t) => sum + (t.attempts ?? 0), 0);
}

/** The reviewer's verdicts on the tasks (approve / request changes), and the whole project's review. */
export function verdicts(project: Project): Html {
	const reviews = Object.values(project.tasks).flatMap((t) => (t.review ? [t.review.verdict] : []));
	const approved = reviews.filter((v) => v === 'approve').length;
	const changes = reviews.length - approved;
	const whole = project.review ? html` · project: ${statusBadge(project.review.verdict)}` : '';
	if (!reviews.length && !whole) return html`<span class="muted">—</span>`;
	return html`${approved} approved${changes ? html`, ${changes} changes requested` : ''}${whole}`;
}

const number = new Intl.NumberFormat('en-US');

/** Tokens and model calls, and the cost in USD when the project keeps one. */
export function usageText(project: Project): Html {
	const total = project.usage?.total;
	const cost = project.usage?.cost;
	if (!total) return html`<span class="muted">—</span>`;
	return html`${number.format(total.totalTokens)} tokens<br><span class="muted">${number.format(total.calls)} calls${cost && cost.total > 0 ? html` · $${cost.total.toFixed(4)}` : ''}</span>`;
}

export function repositoryLink(project: Project): Html {
	// A user and password in the URL stay on the server: the link and its text go without them.
	const url = project.repository?.url === undefined ? undefined : withoutUrlCredentials(project.repository.url);
	if (!url) return html`<span class="muted">—</span>`;
	return html`<a href="${safeUrl(url)}" rel="noreferrer noopener">${url.replace(/^https?:\/\//, '')}</a>`;
}

export function clientText(project: Project): Html {
	const { name, email } = project.client ?? {};
	if (!name && !email) return html`<span class="muted">—</span>`;
	return html`${name ?? ''}${name && email ? html`<br>` : ''}${email ? html`<span class="muted">${email}</span>` : ''}`;
}

/** A time as "2026-01-02 13:04:05 UTC". */
export function when(iso: string | undefined | null): string {
	if (!iso) return '';
	return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

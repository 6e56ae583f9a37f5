import { APPROVAL_LIMITS } from '../../contracts/approval';
import type { PlanTask } from '../../contracts/plan';
import type { Project, ProjectStatus, TaskState } from '../../contracts/project';
import type { ProjectReport } from '../../contracts/report';
import type { StoredReview } from '../../contracts/review';
import { withoutUrlCredentials } from '../../contracts/credentials';
import { html, page, safeUrl, type Html } from '../html';

// The client's view of one project: what they asked for and how it goes, in their words. Nothing
// of other projects, nothing of the operator's (usage, costs, models, job or event ids, failure
// details, the API), and never the link's token: it lives in an HttpOnly cookie, not in the page.

/** What the client reads for each status. */
const STATUS_WORDS: Record<ProjectStatus, string> = {
	intake: 'Received',
	planning: 'Being planned',
	planned: 'Planned',
	awaiting_approval: 'Waiting for your approval',
	development: 'In development',
	testing: 'Being tested',
	review: 'In review',
	deployment: 'Being delivered',
	completed: 'Delivered',
	failed: 'Paused: our team is looking into it',
	cancelled: 'Cancelled',
	on_hold: 'On hold',
};

const TASK_WORDS: Record<TaskState['status'], string> = { pending: 'Not started', in_progress: 'In progress', done: 'Done', failed: 'Being reworked' };

export interface PortalView {
	project: Project;
	/** The latest progress report written for the client, if any. */
	report?: ProjectReport | null;
	/** A message after a decision was sent (role=status), or a refusal of it (role=alert). */
	notice?: { kind: 'status' | 'alert'; text: string };
}

/** The whole portal page of one project, its approval form while the plan awaits approval. */
export function portalPage(view: PortalView): string {
	const { project } = view;
	const action = `/portal/${encodeURIComponent(project.id)}/approval`;
	return page({
		title: `${project.title}: project portal`,
		bodyClass: 'portal',
		body: html`<header class="top"><span>Project portal</span></header>
<main>
<h1>${project.title}</h1>
<p>Status: <span class="status status-${project.status}" id="project-status">${STATUS_WORDS[project.status]}</span></p>
${view.notice ? html`<p class="${view.notice.kind === 'alert' ? 'error' : 'notice'}" role="${view.notice.kind}">${view.notice.text}</p>` : ''}
${project.status === 'awaiting_approval' ? approvalForm(project, action) : previousDecision(project)}
${planSection(project)}
${reviewSection(project.review ?? null)}
${deliverySection(project)}
${reportSection(view.report ?? null)}
</main>`,
	});
}

/** The page that opens nothing: a refused, expired or revoked link. */
export function refusedPage(): string {
	return page({
		title: 'Project portal',
		bodyClass: 'portal',
		body: html`<main class="signin"><h1>This link does not open a project</h1>
<p>It may have expired or been replaced by a newer one. Ask your contact for a new link.</p></main>`,
	});
}

function approvalForm(project: Project, action: string): Html {
	const earlier = project.approval?.decision === 'request_changes' ? html`<p class="muted approval-earlier">This plan was made again after your request: “${project.approval.comment ?? ''}”.</p>` : '';
	return html`<section class="card" aria-labelledby="approval-heading">
<h2 id="approval-heading">Your approval</h2>
<p>Please read the plan below. Approve it and development starts; or tell us what to change and the plan is made again.</p>
${earlier}
<form method="post" action="${action}" class="approval">
<label for="comment">Comment (needed when you request changes)</label>
<textarea id="comment" name="comment" rows="4" maxlength="${APPROVAL_LIMITS.maxCommentLength}"></textarea>
<p class="actions">
<button type="submit" name="decision" value="approve" id="approve">Approve the plan</button>
<button type="submit" name="decision" value="request_changes" id="request-changes" class="secondary">Request changes</button>
</p>
</form>
</section>`;
}

function previousDecision(project: Project): Html | string {
	const approval = project.approval;
	if (!approval) return '';
	if (approval.decision === 'approve') return html`<p class="notice">The plan was approved on ${day(approval.at)}.</p>`;
	return html`<p class="notice">You asked for changes on ${day(approval.at)}: “${approval.comment ?? ''}”. The plan is being made again.</p>`;
}

function planSection(project: Project): Html {
	const plan = project.plan;
	if (!plan) return html`<section class="card"><h2>Plan</h2><p class="muted">The plan is being written.</p></section>`;
	const tasks = plan.tasks;
	const done = tasks.filter((t) => taskOf(project, t.id)?.status === 'done').length;
	const hours = tasks.reduce((sum, t) => sum + (Number.isFinite(t.estimateHours) ? t.estimateHours : 0), 0);
	return html`<section class="card" aria-labelledby="plan-heading">
<h2 id="plan-heading">Plan</h2>
<p id="plan-summary">${plan.summary}</p>
<dl class="facts">
<dt>Built with</dt><dd>${plan.techStack.join(', ')}</dd>
<dt>Estimate</dt><dd id="estimate">${formatHours(hours)}</dd>
<dt>Progress</dt><dd><progress id="progress" max="${tasks.length}" value="${done}" aria-label="Tasks done">${done} of ${tasks.length}</progress> ${done} of ${tasks.length} tasks done</dd>
</dl>
<h3>Tasks</h3>
<ol class="portal-tasks">${tasks.map((task) => taskItem(task, taskOf(project, task.id)))}</ol>
${plan.risks.length ? html`<h3>Risks</h3><ul>${plan.risks.map((r) => html`<li>${r.risk}: ${r.mitigation}</li>`)}</ul>` : ''}
</section>`;
}

function taskItem(task: PlanTask, state: TaskState | undefined): Html {
	const status = state?.status ?? 'pending';
	return html`<li data-task="${task.id}">
<strong>${task.title}</strong> <span class="status status-${status}">${TASK_WORDS[status]}</span> <span class="muted">${formatHours(task.estimateHours)}</span>
<p>${task.description}</p>
${task.acceptanceCriteria.length ? html`<details><summary>Done when</summary><ul>${task.acceptanceCriteria.map((c) => html`<li>${c}</li>`)}</ul></details>` : ''}
${state?.review ? html`<p class="muted">Code review: ${verdictWords(state.review)}</p>` : ''}
</li>`;
}

function reviewSection(review: StoredReview | null): Html | string {
	if (!review) return '';
	return html`<section class="card"><h2>Review of the whole project</h2><p>${verdictWords(review)}</p></section>`;
}

function deliverySection(project: Project): Html | string {
	// A user and token in the URL stay on the server, as on the dashboard.
	const url = project.repository?.url === undefined ? undefined : withoutUrlCredentials(project.repository.url);
	if (project.status !== 'completed' || !url) return '';
	const link = safeUrl(url);
	// A folder or file:// remote lives on the service's machine: its path means nothing to the
	// client and tells them about the server, so the page says who gives access instead.
	const onServer = /^(\/|file:)/i.test(url);
	const where = onServer
		? html`<p id="repository-elsewhere">The repository is kept by the team that built it: they will give you access.</p>`
		: html`<p>Repository: ${link === '#' ? html`<code>${url}</code>` : html`<a href="${link}" id="repository" rel="noopener noreferrer">${url}</a>`}</p>`;
	return html`<section class="card" aria-labelledby="delivery-heading"><h2 id="delivery-heading">Delivery</h2>
${where}
${project.delivery ? html`<p class="muted">Run its tests with <code>${project.delivery.testCommand}</code>${project.delivery.verified ? ': they passed in a fresh copy before delivery.' : '.'}</p>` : ''}
</section>`;
}

function reportSection(report: ProjectReport | null): Html | string {
	if (!report) return '';
	const list = (title: string, points: string[]) => (points.length ? html`<h3>${title}</h3><ul>${points.map((p) => html`<li>${p}</li>`)}</ul>` : '');
	return html`<section class="card" aria-labelledby="report-heading"><h2 id="report-heading">Progress report</h2>
<p>${report.summary}</p>${list('Done', report.done)}${list('Next', report.next)}${list('Risks', report.risks)}</section>`;
}

function verdictWords(review: StoredReview): string {
	return `${review.verdict === 'approve' ? 'approved' : 'changes requested'}${review.summary ? `: ${review.summary}` : ''}`;
}

function taskOf(project: Project, id: string): TaskState | undefined {
	return Object.hasOwn(project.tasks, id) ? project.tasks[id] : undefined;
}

function formatHours(hours: number): string {
	const rounded = Math.round(hours * 10) / 10;
	return `${rounded} ${rounded === 1 ? 'hour' : 'hours'}`;
}

function day(iso: string): string {
	return iso.slice(0, 10);
}

import type { Project, ProjectEvent, TaskState } from '../../contracts/project';
import { html, type Html } from '../html';
import { dashboardPage, type DashboardChrome } from './layout';
import { attemptsOf, clientText, orderedTasks, repositoryLink, statusBadge, taskBars, usageText, verdicts, when } from './parts';
import { truncate } from './projectList';

export interface ProjectView {
	project: Project;
	/** The last events of the log, oldest first; the page streams the ones after them. */
	events: ProjectEvent[];
	/** Whether the project's run has ended (completed, failed, cancelled): deleting needs no force. */
	ended: boolean;
	notice?: string;
	/** Actions other pieces add (the plan approval, a portal link), rendered in the actions bar. */
	extraActions?: Html;
}

/** A project: what it is, its live part (status and tasks), its plan, its event log streaming. */
export function projectPage(view: ProjectView, chrome: DashboardChrome): string {
	const { project } = view;
	const id = encodeURIComponent(project.id);
	const after = view.events.at(-1)?.id ?? '0-0';
	const main = html`${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ''}
<p class="muted"><a href="/ui/">Projects</a> ›</p>
<h1>${project.title}</h1>
<div id="live" data-live="/ui/projects/${id}/live" aria-live="polite">
${projectLive(project)}
</div>
<h2>Actions</h2>
<div class="actions">
${project.status !== 'failed' && !view.ended ? html`<form method="post" action="/ui/projects/${id}/cancel"><button type="submit" class="secondary">Cancel project</button></form>` : ''}
${project.status === 'failed' ? html`<form method="post" action="/ui/projects/${id}/retry"><button type="submit">Retry from where it failed</button></form>` : ''}
${view.extraActions ?? ''}
<form method="post" action="/ui/projects/${id}/delete" data-confirm="Delete this project, its event log and run record?">
${view.ended ? '' : html`<input type="hidden" name="force" value="true">`}
<button type="submit" class="danger">Delete${view.ended ? '' : ' (its run has not ended)'}</button></form>
</div>
<h2 id="requirements-heading">Requirements</h2>
<pre id="requirements" aria-labelledby="requirements-heading">${project.requirements}</pre>
${planSection(project)}
<h2 id="events-heading">Event log <span id="live-state" class="live" role="status">connecting…</span></h2>
<ol id="events" class="events" aria-labelledby="events-heading" data-stream="/ui/projects/${id}/events?after=${after}">
${view.events.map(eventItem)}
</ol>`;
	return dashboardPage(project.title, chrome, main);
}

/** The parts of the page that change while a project runs; the page fetches them again after an event. */
export function projectLive(project: Project): Html {
	return html`<dl class="facts card">
<dt>Status</dt><dd>${statusBadge(project.status)}${project.statusReason ? html` <span class="muted">${project.statusReason}</span>` : ''}</dd>
<dt>Client</dt><dd>${clientText(project)}</dd>
<dt>Tasks</dt><dd>${taskBars(project)}</dd>
<dt>Attempts</dt><dd>${attemptsOf(project)}</dd>
<dt>Review</dt><dd>${verdicts(project)}</dd>
<dt>Usage</dt><dd>${usageText(project)}${usageBreakdown(project)}</dd>
<dt>Repository</dt><dd>${repositoryLink(project)}${project.repository?.lastCommit ? html` <span class="muted">at ${project.repository.lastCommit.slice(0, 12)}</span>` : ''}</dd>
<dt>Delivery</dt><dd>${project.delivery ? html`${project.delivery.stack}, ${project.delivery.verified ? 'verified' : 'not verified'} (<code>${project.delivery.testCommand}</code>)` : html`<span class="muted">—</span>`}</dd>
<dt>Created</dt><dd>${when(project.createdAt)} <span class="muted">updated ${when(project.updatedAt)}, version ${project.version}</span></dd>
</dl>
<h2>Tasks</h2>
${tasksTable(project)}`;
}

function usageBreakdown(project: Project): Html {
	const byModel = project.usage?.byModel ?? {};
	const cost = project.usage?.cost;
	const models = Object.entries(byModel);
	if (!models.length) return html``;
	return html`<details><summary>by model</summary><table><thead><tr><th scope="col">Model</th><th scope="col" class="num">Tokens</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Cost (USD)</th></tr></thead><tbody>${models.map(
		([model, usage]) =>
			html`<tr><td>${model}</td><td class="num">${usage.totalTokens}</td><td class="num">${usage.calls}</td><td class="num">${cost?.byModel?.[model] !== undefined ? cost.byModel[model].toFixed(6) : '—'}</td></tr>`,
	)}</tbody></table></details>`;
}

function tasksTable(project: Project): Html {
	const tasks = orderedTasks(project);
	if (!tasks.length) return html`<p class="muted">No tasks yet: the plan is not made.</p>`;
	return html`<table id="tasks"><thead><tr><th scope="col">Task</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col">Review</th><th scope="col">Work</th></tr></thead><tbody>
${tasks.map(([taskId, task, title]) => taskRow(taskId, task, title))}
</tbody></table>`;
}

function taskRow(taskId: string, task: TaskState, title: string): Html {
	const models = (task.attemptModels ?? []).map((m) => `#${m.attempt} ${m.model}`).join(', ');
	return html`<tr data-task="${taskId}">
<td><strong>${taskId}</strong> ${title}</td>
<td class="task-status">${statusBadge(task.status)}${task.error ? html`<br><span class="muted">${truncate(task.error, 300)}</span>` : ''}</td>
<td class="num">${task.attempts}${models ? html`<br><span class="muted">${models}</span>` : ''}</td>
<td>${task.review ? html`${statusBadge(task.review.verdict)} <span class="muted">round ${task.review.round}</span><br>${task.review.summary}${task.review.comments.length ? html`<ul>${task.review.comments.map((c) => html`<li><code>${c.path}${c.line ? `:${c.line}` : ''}</code> ${c.severity}: ${c.message}</li>`)}</ul>` : ''}` : html`<span class="muted">—</span>`}</td>
<td>${workDetails(task)}</td>
</tr>`;
}

/** Files and the test report; a report's output is text in a <pre>, whatever it contains. */
function workDetails(task: TaskState): Html {
	const files = [...task.files.map((f) => f.path), ...task.testFiles.map((f) => f.path)];
	const report = task.testReport;
	const { output, ...facts } = report ?? {};
	return html`${files.length ? html`<details><summary>${files.length} files</summary><ul>${files.map((p) => html`<li><code>${p}</code></li>`)}</ul></details>` : ''}
${report ? html`<details><summary>Test report${typeof facts.status === 'string' ? html`: ${facts.status}` : ''}${typeof facts.passed === 'number' ? html`, ${facts.passed} passed` : ''}${typeof facts.failed === 'number' ? html`, ${facts.failed} failed` : ''}</summary><pre>${JSON.stringify(facts, null, 2)}</pre>${output !== undefined ? html`<pre class="output">${typeof output === 'string' ? output : JSON.stringify(output, null, 2)}</pre>` : ''}</details>` : ''}`;
}

function planSection(project: Project): Html {
	const plan = project.plan;
	if (!plan) return html`<h2>Plan</h2><p class="muted">Not planned yet.</p>`;
	return html`<h2>Plan</h2>
<div class="card">
<p>${plan.summary}</p>
${plan.techStack.length ? html`<p><strong>Stack:</strong> ${plan.techStack.join(', ')}</p>` : ''}
<ol>${plan.tasks.map((t) => html`<li><strong>${t.id}</strong> ${t.title} <span class="muted">${t.estimateHours} h${t.dependsOn.length ? html`, after ${t.dependsOn.join(', ')}` : ''}</span><br>${t.description}${t.acceptanceCriteria.length ? html`<ul>${t.acceptanceCriteria.map((c) => html`<li>${c}</li>`)}</ul>` : ''}</li>`)}</ol>
${plan.risks.length ? html`<details><summary>${plan.risks.length} risks</summary><ul>${plan.risks.map((r) => html`<li>${r.risk} <span class="muted">${r.mitigation}</span></li>`)}</ul></details>` : ''}
</div>`;
}

/** One entry of the event log; the browser builds the same from the stream (dashboard.js). */
export function eventItem(event: ProjectEvent): Html {
	return html`<li data-event="${event.id}"><time datetime="${event.time}">${event.time.slice(11, 19)}</time><span>${event.type} <span class="muted">${event.source}</span></span><span class="data">${truncate(JSON.stringify(event.data), 400)}</span></li>`;
}

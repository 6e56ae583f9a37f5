import { PROJECT_STATUSES, type Project, type ProjectStatus } from '../../contracts/project';
import { html, type Html } from '../html';
import { companyGlance, type CompanyGlance } from './company';
import { dashboardPage, type DashboardChrome } from './layout';
import { attemptsOf, clientText, repositoryLink, statusBadge, taskBars, usageText, verdicts, when } from './parts';

export interface ProjectListView {
	projects: Project[];
	total: number;
	offset: number;
	limit: number;
	/** undefined: the active projects. */
	status?: ProjectStatus;
	/** How many projects each status holds (the filters' counts). */
	counts: Partial<Record<ProjectStatus, number>>;
	glance: CompanyGlance;
	notice?: string;
}

/** The projects, newest first, a page at a time, filtered by status; the company at a glance above. */
export function projectListPage(view: ProjectListView, chrome: DashboardChrome): string {
	const link = (status: ProjectStatus | undefined, offset = 0) => {
		const query = new URLSearchParams();
		if (status) query.set('status', status);
		if (offset) query.set('offset', String(offset));
		const text = query.toString();
		return `/ui/${text ? `?${text}` : ''}`;
	};
	const filter = (status: ProjectStatus | undefined, label: string, count?: number) =>
		html`<a href="${link(status)}"${view.status === status ? html` aria-current="page"` : ''}>${label}${count === undefined ? '' : html` (${count})`}</a>`;
	const first = view.total === 0 ? 0 : view.offset + 1;
	const last = Math.min(view.offset + view.projects.length, view.total);
	const main = html`${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ''}
<h1>The company at a glance</h1>
${companyGlance(view.glance)}
<h2 id="projects-heading">Projects</h2>
<nav class="filters" aria-label="Filter by status">${filter(undefined, 'Active')}${PROJECT_STATUSES.map((s) => filter(s, s.replace(/_/g, ' '), view.counts[s] ?? 0))}</nav>
<table aria-labelledby="projects-heading">
<thead><tr><th scope="col">Project</th><th scope="col">Status</th><th scope="col">Client</th><th scope="col">Tasks</th><th scope="col" class="num">Attempts</th><th scope="col">Review</th><th scope="col">Usage</th><th scope="col">Repository</th></tr></thead>
<tbody>
${view.projects.length ? view.projects.map(projectRow) : html`<tr><td colspan="8" class="muted">No projects here.</td></tr>`}
</tbody>
</table>
<nav class="pager" aria-label="Pages">
<span>${first}–${last} of ${view.total}</span>
${view.offset > 0 ? html`<a href="${link(view.status, Math.max(0, view.offset - view.limit))}" rel="prev">Newer</a>` : ''}
${view.offset + view.limit < view.total ? html`<a href="${link(view.status, view.offset + view.limit)}" rel="next">Older</a>` : ''}
</nav>`;
	return dashboardPage('Projects', { ...chrome, current: 'projects' }, main);
}

function projectRow(project: Project): Html {
	return html`<tr data-project="${project.id}">
<td><a href="/ui/projects/${encodeURIComponent(project.id)}">${project.title}</a><br><span class="muted">${when(project.createdAt)}</span></td>
<td>${statusBadge(project.status)}${project.statusReason ? html`<br><span class="muted">${truncate(project.statusReason, 120)}</span>` : ''}</td>
<td>${clientText(project)}</td>
<td>${taskBars(project)}</td>
<td class="num">${attemptsOf(project)}</td>
<td>${verdicts(project)}</td>
<td>${usageText(project)}</td>
<td>${repositoryLink(project)}</td>
</tr>`;
}

export function truncate(text: string, length: number): string {
	return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

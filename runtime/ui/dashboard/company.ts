import { html, type Html } from '../html';

/** What the service counts right now: the basis of the dashboard's "company at a glance". */
export interface CompanyGlance {
	/** Model calls in flight per provider in this process, out of its slots when it has a limit. */
	modelSlots: Array<{ provider: string; busy: number; slots?: number; waiting?: number }>;
	/** Jobs waiting or running, by job kind (plan, develop, test, review, advance, …) and state. */
	queue: Array<{ kind: string; waiting: number; active: number; delayed: number }>;
	testSlots: { busy: number; slots: number; waiting: number };
	/** Jobs that failed for good in the last hour, newest first (at most a few shown). */
	failures: { lastHour: number; recent: Array<{ kind: string; projectId?: string; reason: string; at: string }> };
	/** Job errors counted since this process started, by kind (aic_errors_total). */
	errorsSinceStart: number;
}

export function companyGlance(glance: CompanyGlance): Html {
	return html`<section class="cards" aria-label="The company at a glance">
<div class="card"><h2>Model slots busy</h2>
${glance.modelSlots.length ? html`<dl class="facts">${glance.modelSlots.map(
		(s) => html`<dt>${s.provider}</dt><dd>${s.busy}${s.slots ? html` of ${s.slots}` : ''}${s.waiting ? html` (${s.waiting} waiting)` : ''}</dd>`,
	)}</dl>` : html`<p class="muted">no model calls in this process</p>`}
</div>
<div class="card"><h2>Queue by job kind</h2>
${glance.queue.length ? html`<table><thead><tr><th scope="col">Kind</th><th scope="col" class="num">Waiting</th><th scope="col" class="num">Running</th><th scope="col" class="num">Delayed</th></tr></thead><tbody>${glance.queue.map(
		(q) => html`<tr><td>${q.kind}</td><td class="num">${q.waiting}</td><td class="num">${q.active}</td><td class="num">${q.delayed}</td></tr>`,
	)}</tbody></table>` : html`<p class="muted">empty</p>`}
</div>
<div class="card"><h2>Test slots</h2><p>${glance.testSlots.busy} of ${glance.testSlots.slots} busy${glance.testSlots.waiting ? html`, ${glance.testSlots.waiting} waiting` : ''}</p></div>
<div class="card"><h2>Failures in the last hour</h2><p><strong>${glance.failures.lastHour}</strong> jobs failed for good <span class="muted">(${glance.errorsSinceStart} job errors since start, retries included)</span></p>
${glance.failures.recent.length ? html`<ul>${glance.failures.recent.map(
		(f) => html`<li>${f.kind}${f.projectId ? html` · <a href="/ui/projects/${encodeURIComponent(f.projectId)}">project</a>` : ''}: <span class="muted">${f.reason}</span></li>`,
	)}</ul>` : ''}
</div>
</section>`;
}

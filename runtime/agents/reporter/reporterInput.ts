import type { Project, ProjectStatus, TaskStatus } from '../../contracts/project';
import { reviewBrief, type ReviewBrief } from '../../contracts/outcome';
import type { LlmUsage, UsageCost } from '../../contracts/usage';

/** One task as the report sees it: no code, no test output, only how it went. */
export interface ReporterTask {
	id: string;
	title: string;
	status: TaskStatus;
	attempts: number;
	/** Why the task failed last (a failed task only), shortened. */
	lastFailure?: string;
	/** Its latest review (absent before one): verdict, the reviewer's summary shortened, rounds, warned. */
	review?: ReviewBrief;
}

/** What the reporter is told about a project: the facts a client report is written from. */
export interface ReporterInput {
	title: string;
	client: { name?: string };
	status: ProjectStatus;
	/** Why the project has its status (a failed or paused one), shortened. */
	statusReason?: string;
	/** The start of the client's requirements. */
	requirementsExcerpt: string;
	/** The plan's summary; null before the project is planned. */
	planSummary: string | null;
	/** In plan order. */
	tasks: ReporterTask[];
	usage: LlmUsage;
	/** What that usage cost in USD, in all and by role; absent when nothing was priced (local models cost 0). */
	cost?: Pick<UsageCost, 'currency' | 'total' | 'byRole'>;
	/** The whole project's latest review (absent before one). */
	review?: ReviewBrief;
	/** What DevOps delivered (absent before packaging): the test command, whether it passed in a clean clone, the files it added. */
	delivery?: { testCommand: string; verified: boolean; files: string[]; rounds: number };
}

/** Characters of the requirements the reporter sees: enough to say what the project is about. */
export const REQUIREMENTS_EXCERPT_CHARS = 1500;
/** Characters of a failure message or status reason the reporter sees. */
export const FAILURE_EXCERPT_CHARS = 500;

/** The reporter's input from a stored project: every long text shortened, no code, no test output. */
export function reporterInputOf(project: Project): ReporterInput {
	const tasks = (project.plan?.tasks ?? []).map((planTask): ReporterTask => {
		const state = project.tasks[planTask.id];
		const task: ReporterTask = { id: planTask.id, title: planTask.title, status: state?.status ?? 'pending', attempts: state?.attempts ?? 0 };
		if (state?.status === 'failed' && state.error) task.lastFailure = shorten(state.error, FAILURE_EXCERPT_CHARS);
		const review = shortReview(state?.review);
		if (review) task.review = review;
		return task;
	});
	return {
		title: project.title,
		client: project.client.name ? { name: project.client.name } : {},
		status: project.status,
		...(project.statusReason ? { statusReason: shorten(project.statusReason, FAILURE_EXCERPT_CHARS) } : {}),
		requirementsExcerpt: shorten(project.requirements, REQUIREMENTS_EXCERPT_CHARS),
		planSummary: project.plan?.summary ?? null,
		tasks,
		usage: project.usage.total,
		...(project.usage.cost && project.usage.cost.total > 0 ? { cost: { currency: project.usage.cost.currency, total: project.usage.cost.total, byRole: project.usage.cost.byRole } } : {}),
		...(project.review ? { review: shortReview(project.review)! } : {}),
		...(project.delivery ? { delivery: { testCommand: project.delivery.testCommand, verified: project.delivery.verified, files: project.delivery.files.map((f) => f.path), rounds: project.delivery.rounds } } : {}),
	};
}

function shortReview(review: Parameters<typeof reviewBrief>[0]): ReviewBrief | undefined {
	const brief = reviewBrief(review);
	return brief ? { ...brief, summary: shorten(brief.summary, FAILURE_EXCERPT_CHARS) } : undefined;
}

/** `text` cut to `max` characters (an ellipsis included), never inside a surrogate pair. */
function shorten(text: string, max: number): string {
	const trimmed = text.trim();
	if (trimmed.length <= max) return trimmed;
	let end = max - 1;
	const code = trimmed.charCodeAt(end - 1);
	if (code >= 0xd800 && code <= 0xdbff) end--;
	return `${trimmed.slice(0, end)}…`;
}

import { deliveryBrief, reviewBrief, type ProjectOutcome } from '../contracts/outcome';
import type { Project } from '../contracts/project';

/** What a project's end callback and its webhooks carry: enough for the next n8n node, not the whole project. */
export function projectOutcome(project: Project): ProjectOutcome {
	const tasks = Object.entries(project.tasks).map(([id, task]) => ({ id, status: task.status, attempts: task.attempts, review: reviewBrief(task.review) }));
	return {
		projectId: project.id,
		title: project.title,
		status: project.status,
		reason: project.statusReason,
		repository: project.repository,
		client: project.client,
		tasks,
		review: reviewBrief(project.review),
		delivery: deliveryBrief(project.delivery),
		usage: project.usage.total,
		cost: project.usage.cost ?? null,
	};
}

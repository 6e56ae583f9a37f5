import type { IDataObject } from 'n8n-workflow';

import type { DeliveryBrief, ProjectOutcome, ReviewBrief } from '../../runtime/contracts/outcome';
import type { Project } from '../../runtime/contracts/project';

/** The parts of GET /api/projects/:id (the service's Project) that the outcome is made of, as n8n data. */
export type ProjectView = Pick<Project, 'id' | 'title' | 'status' | 'statusReason' | 'repository' | 'client' | 'tasks' | 'usage' | 'review' | 'delivery'> & IDataObject;

/**
 * The service's ProjectOutcome, as its end callback and the trigger's `project` carry it (runtime
 * driver/projectOutcome.ts), so a workflow reads the end alike from all three. Written here again
 * because the compiled node may require only n8n-workflow and packed files;
 * test/unit/nodes/projectOutcome.test.ts keeps the two equal. The `??` fallbacks keep an answer
 * without those fields (a service of an earlier version) readable.
 */
export function projectOutcome(project: ProjectView): ProjectOutcome {
	return {
		projectId: project.id,
		title: project.title,
		status: project.status,
		reason: project.statusReason ?? null,
		repository: project.repository ?? null,
		client: project.client ?? {},
		tasks: Object.entries(project.tasks).map(([id, task]) => ({ id, status: task.status, attempts: task.attempts, review: reviewBrief(task.review) })),
		review: reviewBrief(project.review),
		delivery: deliveryBrief(project.delivery),
		usage: project.usage?.total ?? null,
		cost: project.usage?.cost ?? null,
	};
}

/** runtime/contracts/outcome.ts's reviewBrief, again (the node requires no runtime code). */
function reviewBrief(review: Project['review']): ReviewBrief | null {
	return review ? { verdict: review.verdict, summary: review.summary, rounds: review.round, warned: review.warned === true } : null;
}

/** runtime/contracts/outcome.ts's deliveryBrief, again. */
function deliveryBrief(delivery: Project['delivery']): DeliveryBrief | null {
	return delivery ? { testCommand: delivery.testCommand, verified: delivery.verified, files: delivery.files.map((f) => f.path) } : null;
}

import { PROJECT_EVENT_TYPES, type Project, type ProjectEvent } from '../contracts/project';
import type { CallbackJobData } from '../contracts/service';
import type { WebhookDelivery, WebhookEventType } from '../contracts/webhooks';
import { jobIds } from '../queue/jobIds';
import { ProjectNotFoundError } from '../state/errors';
import type { DriverServices } from './driverServices';
import { projectOutcome } from './projectOutcome';

const PAGE = 500;
const ANNOUNCED_STATUSES = new Set(['planned', 'awaiting_approval', 'completed', 'failed', 'cancelled']);

/** The webhook event a logged change is, if any: a status move to planned, to awaiting_approval or an end, a task's result or review. */
export function webhookEventOf(event: ProjectEvent): { type: WebhookEventType; taskId?: string } | null {
	if (event.type === PROJECT_EVENT_TYPES.statusChanged) {
		const to = String(event.data.to);
		return ANNOUNCED_STATUSES.has(to) ? { type: `project.${to}` as WebhookEventType } : null;
	}
	if (event.type === PROJECT_EVENT_TYPES.taskDone || event.type === PROJECT_EVENT_TYPES.taskFailed || event.type === PROJECT_EVENT_TYPES.taskReviewed) {
		return { type: event.type, taskId: String(event.data.taskId) };
	}
	return null;
}

/**
 * Queues a webhook delivery (a `callback` job) for every change in the project's event log since
 * the last call that a subscription asks for. The log holds every change, whoever made it (auto
 * mode jobs, step jobs, the API), each once: the job id (subscription + log entry) makes a
 * delivery happen once however many callers see the same entry, and the cursor in the run record
 * spares them reading the log from the start. A subscription gets only what happened after it was made.
 */
export async function announceWebhookEvents(services: DriverServices, project: Project): Promise<void> {
	const subscriptions = (await services.webhooks.list()).filter((s) => s.projectId === undefined || s.projectId === project.id);
	if (!subscriptions.length) return;
	let after = await services.runs.webhookCursor(project.id);
	for (;;) {
		let events: ProjectEvent[];
		try {
			events = await services.store.events(project.id, { after, count: PAGE });
		} catch (error) {
			if (error instanceof ProjectNotFoundError) return;
			throw error;
		}
		for (const event of events) {
			const announced = webhookEventOf(event);
			if (!announced) continue;
			for (const subscription of subscriptions) {
				if (!subscription.events.includes(announced.type) || event.time < subscription.createdAt) continue;
				const body: WebhookDelivery = { event: announced.type, projectId: project.id, ...(announced.taskId === undefined ? {} : { taskId: announced.taskId }), at: event.time, project: projectOutcome(project) };
				const data: CallbackJobData = { url: subscription.url, projectId: project.id, webhookId: subscription.webhookId, body: { ...body } };
				await services.queue.add('callback', data, { jobId: jobIds.callback(project.id, `hook-${subscription.webhookId}-${event.id}`), priority: 1 });
			}
		}
		if (!events.length) return;
		after = events[events.length - 1].id;
		await services.runs.moveWebhookCursor(project.id, after);
		if (events.length < PAGE) return;
	}
}

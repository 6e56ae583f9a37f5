import type { FastifyInstance } from 'fastify';

import { isJobId } from '../../queue/jobIds';
import { ProjectNotFoundError } from '../../state/errors';
import type { Services } from '../../service/services';
import { longPoll } from '../longPoll';

const FINISHED = new Set(['completed', 'failed']);

class JobNotFoundError extends ProjectNotFoundError {
	constructor(jobId: string) {
		super(jobId);
		this.message = `Job "${jobId}" not found (unknown, or removed after it finished)`;
	}
}

/** A job's state and result; `wait` holds the answer up to that many seconds until it finishes, so clients wait with short requests. */
export function jobRoutes(app: FastifyInstance, services: Services): void {
	app.get<{ Params: { jobId: string }; Querystring: { wait: number } }>(
		'/api/jobs/:jobId',
		{
			schema: {
				summary: "A job's state, progress and result (waits up to ?wait=SECONDS, at most 60, for it to finish)",
				tags: ['jobs'],
				params: { type: 'object', required: ['jobId'], properties: { jobId: { type: 'string', minLength: 1, maxLength: 500 } } },
				querystring: { type: 'object', additionalProperties: false, properties: { wait: { type: 'number', minimum: 0, maximum: 60, default: 0 } } },
			},
		},
		async (request) => {
			// Only ids of our shape reach the queue: `meta` or `events` would read BullMQ's own keys.
			if (!isJobId(request.params.jobId)) throw new JobNotFoundError(request.params.jobId);
			return longPoll(
				request,
				request.query.wait,
				async () => {
					const view = await services.queue.view(request.params.jobId);
					if (!view) throw new JobNotFoundError(request.params.jobId);
					return view;
				},
				(view) => FINISHED.has(view.state),
			);
		},
	);
}

import { Job } from 'bullmq';

import type { DriverServices } from './driverServices';
import { sendStepCallbacks } from './stepCallbacks';

/** The jobs a workflow queues one step at a time. */
export type StepJobName = 'plan' | 'develop' | 'test' | 'review' | 'publish' | 'report';

/**
 * Queues one step job under its id (a request sent twice finds the job already there) and registers
 * the caller's callback URL for its result. Asked again after the job ended (a re-run workflow),
 * this caller's callback goes out now. The URL is checked by the caller before.
 */
export async function queueStep(
	services: DriverServices,
	name: StepJobName,
	jobId: string,
	data: Record<string, unknown>,
	callbackUrl: string | undefined,
): Promise<{ jobId: string; state: string }> {
	const { queue } = services;
	if (callbackUrl !== undefined) await queue.addCallback(jobId, callbackUrl);
	const job = await queue.add(name, data, { jobId });
	const state = await job.getState();
	if (callbackUrl !== undefined && (state === 'completed' || state === 'failed')) {
		await sendStepCallbacks(services, (await Job.fromId(queue.queue, jobId)) ?? job, state);
	}
	return { jobId: job.id!, state };
}

import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { serviceRequest } from './serviceRequest';

/** One long poll holds at most this long, so no proxy or n8n request timeout cuts it. */
const LONGEST_POLL_SECONDS = 30;
const REQUEST_SLACK_MS = 15_000;

export interface LongPoll<T> {
	/** A service route that takes `?wait=SECONDS` and answers early when there is news. */
	path: string;
	/** 0: no limit. */
	timeoutSeconds: number;
	itemIndex: number;
	isDone: (answer: T) => boolean;
	/** What the operator is told when the timeout passes or the execution is cancelled. */
	waitingFor: string;
	stillGoing: (answer: T) => string;
	timeoutHint: string;
}

/**
 * Waits with a series of short long-polls instead of one long request, so waits of hours work and
 * no timer is needed in n8n (the service holds each answer until there is news or `wait` passes).
 */
export async function longPoll<T extends IDataObject>(context: IExecuteFunctions, poll: LongPoll<T>): Promise<T> {
	const deadline = poll.timeoutSeconds > 0 ? Date.now() + poll.timeoutSeconds * 1000 : Number.POSITIVE_INFINITY;
	for (;;) {
		if (context.getExecutionCancelSignal()?.aborted) {
			throw new NodeOperationError(context.getNode(), `Stopped waiting for ${poll.waitingFor}: the execution was cancelled (it goes on in the service)`, {
				itemIndex: poll.itemIndex,
			});
		}
		const wait = Math.max(0, Math.min(LONGEST_POLL_SECONDS, Math.ceil((deadline - Date.now()) / 1000)));
		const answer = await serviceRequest<T>(context, { method: 'GET', path: poll.path, qs: { wait }, itemIndex: poll.itemIndex, timeoutMs: wait * 1000 + REQUEST_SLACK_MS });
		if (poll.isDone(answer)) return answer;
		if (Date.now() >= deadline) {
			throw new NodeOperationError(context.getNode(), `${poll.waitingFor} did not finish within ${poll.timeoutSeconds} s (${poll.stillGoing(answer)})`, {
				itemIndex: poll.itemIndex,
				description: `It goes on in the service. ${poll.timeoutHint}`,
			});
		}
	}
}

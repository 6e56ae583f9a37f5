import type { FastifyRequest } from 'fastify';

const POLL_MS = 250;

/**
 * Reads until `finished` says yes, `waitSeconds` have passed, or the client has gone away (its
 * connection closed), and answers the last read. Lets clients wait for long work with short
 * requests, at one store read every 250 ms per waiting client.
 */
export async function longPoll<T>(request: FastifyRequest, waitSeconds: number, read: () => Promise<T>, finished: (value: T) => boolean): Promise<T> {
	const deadline = Date.now() + waitSeconds * 1000;
	const gone = new AbortController();
	const socket = request.raw.socket as FastifyRequest['raw']['socket'] | null;
	const onClose = () => gone.abort();
	socket?.once('close', onClose);
	try {
		for (;;) {
			const value = await read();
			if (finished(value) || Date.now() >= deadline || gone.signal.aborted || request.raw.destroyed) return value;
			await sleep(Math.min(POLL_MS, deadline - Date.now()), gone.signal);
		}
	} finally {
		socket?.off('close', onClose);
	}
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		const timer = setTimeout(done, ms);
		function done() {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		}
		signal.addEventListener('abort', done, { once: true });
	});
}

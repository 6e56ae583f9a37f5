import { EventEmitter } from 'node:events';

import type { FastifyRequest } from 'fastify';

import { longPoll } from '../../../runtime/api/longPoll';

/** A request whose connection the test can close, as a client that goes away does. */
function requestWithSocket(): { request: FastifyRequest; socket: EventEmitter } {
	const socket = new EventEmitter();
	return { request: { raw: { socket, destroyed: false } } as unknown as FastifyRequest, socket };
}

describe('longPoll: reads until done, the wait is over, or the client has gone', () => {
	it('answers as soon as a read is finished', async () => {
		const { request } = requestWithSocket();
		let reads = 0;
		const value = await longPoll(request, 10, async () => ++reads, (n) => n === 3);
		expect(value).toBe(3);
		expect(reads).toBe(3);
	});

	it('reads every 250 ms or so, not harder, and answers the last read when the wait is over', async () => {
		const { request } = requestWithSocket();
		let reads = 0;
		const started = Date.now();
		await longPoll(request, 1, async () => ++reads, () => false);
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(reads).toBeGreaterThanOrEqual(3);
		expect(reads).toBeLessThanOrEqual(6);
	});

	it('stops reading at once when the client closes its connection, and lets go of the socket', async () => {
		const { request, socket } = requestWithSocket();
		let reads = 0;
		const started = Date.now();
		setTimeout(() => socket.emit('close'), 300);
		await longPoll(request, 30, async () => ++reads, () => false);
		expect(Date.now() - started).toBeLessThan(1000);
		const afterClose = reads;
		await new Promise((resolve) => setTimeout(resolve, 600));
		expect(reads).toBe(afterClose);
		expect(socket.listenerCount('close')).toBe(0);
	});
});

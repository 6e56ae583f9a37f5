import { connect } from 'node:net';

import type { Redis } from 'ioredis';

import { ProjectStore } from '../../../runtime/state/projectStore';
import { testRedisClient } from '../../support/redis';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { ServiceHarness } from '../service/support';

// The project page's live log is a server-sent event stream holding a Redis connection of its own,
// at most 100 at once. A browser that goes away while its stream is being set up must give both
// back: otherwise anyone able to open the stream leaks them until the live log answers 503 for good.

const harness = new ServiceHarness();
let service: RuntimeProcess;
let redis: Redis;
let projectId: string;

beforeAll(async () => {
	await harness.setUp();
	redis = testRedisClient();
	service = await harness.start({}, 'api');
	const store = new ProjectStore(redis, { prefix: harness.prefix, source: 'test' });
	projectId = (await store.create({ title: 'Live stream limits', requirements: 'A project whose live log is opened and dropped many times.' })).project.id;
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
	redis?.disconnect();
});

/** Asks for the stream and hangs up at once, before the service has answered. */
function openAndDrop(port: number, path: string): Promise<void> {
	return new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1', () => {
			socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);
			setImmediate(() => {
				socket.destroy();
				resolve();
			});
		});
		socket.on('error', () => resolve());
	});
}

describe("the project page's live stream", () => {
	it('gives its slot back when the browser hangs up while it is being set up: 150 dropped streams later a new one opens', async () => {
		const port = Number(new URL(service.url!).port);
		const path = `/ui/projects/${encodeURIComponent(projectId)}/events`;
		await Promise.all(Array.from({ length: 150 }, () => openAndDrop(port, path)));
		// Past one keep-alive round (5 s), when a stream still open would notice nothing.
		await new Promise((resolve) => setTimeout(resolve, 6000));
		const controller = new AbortController();
		const response = await fetch(`${service.url}${path}`, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
		controller.abort();
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toContain('text/event-stream');
	}, 30_000);
});

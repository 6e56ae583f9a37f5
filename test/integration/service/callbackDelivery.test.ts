import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { RuntimeProcess } from '../../support/runtimeProcess';
import { playCompany } from '../../support/scriptedCompany';
import { ServiceHarness } from './support';

/** A callback receiver answering each POST with the next status of `statuses` (the last one repeats). */
class ScriptedReceiver {
	readonly bodies: Array<Record<string, any>> = [];
	private constructor(private readonly server: Server) {}

	static async start(statuses: number[]): Promise<ScriptedReceiver> {
		let receiver: ScriptedReceiver | undefined;
		const server = createServer((req, res) => {
			const parts: Buffer[] = [];
			req.on('data', (part: Buffer) => parts.push(part));
			req.on('end', () => {
				receiver!.bodies.push(JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, any>);
				res.writeHead(statuses[Math.min(receiver!.bodies.length, statuses.length) - 1]).end();
			});
		});
		receiver = new ScriptedReceiver(server);
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return receiver;
	}

	get url(): string {
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/resume`;
	}

	close(): Promise<void> {
		this.server.closeAllConnections();
		return new Promise((resolve) => this.server.close(() => resolve()));
	}
}

const harness = new ServiceHarness();
let service: RuntimeProcess;

beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama);
	service = await harness.start({ JOB_BACKOFF_MS: '100', JOB_ATTEMPTS: '5' });
}, 30_000);

afterAll(() => harness.tearDown());

async function planWithCallback(requirements: string, url: string): Promise<string> {
	const { body: created } = await service.request<{ projectId: string }>('POST', '/api/projects', { requirements, start: false });
	const { body: job } = await service.request<{ jobId: string }>('POST', `/api/projects/${created.projectId}/plan`, { callbackUrl: url });
	return job.jobId;
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
	for (const deadline = Date.now() + timeoutMs; !check(); ) {
		if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

describe('step callbacks to a URL that is not ready yet', () => {
	it('an n8n resume URL answering 409 (execution still running) and 404 (not saved yet) is tried again until it takes the result', async () => {
		const receiver = await ScriptedReceiver.start([409, 404, 200]);
		try {
			const jobId = await planWithCallback('tasks=2 (callback early)', receiver.url);
			await until('three POSTs', () => receiver.bodies.length >= 3);
			expect(receiver.bodies.map((b) => [b.jobId, b.state])).toEqual([
				[jobId, 'completed'],
				[jobId, 'completed'],
				[jobId, 'completed'],
			]);
			await new Promise((resolve) => setTimeout(resolve, 1000));
			expect(receiver.bodies).toHaveLength(3);
		} finally {
			await receiver.close();
		}
	}, 30_000);

	it('a URL that refuses with another 4xx is not tried again', async () => {
		const receiver = await ScriptedReceiver.start([400]);
		try {
			await planWithCallback('tasks=2 (callback refused)', receiver.url);
			await until('the POST', () => receiver.bodies.length >= 1);
			await new Promise((resolve) => setTimeout(resolve, 1500));
			expect(receiver.bodies).toHaveLength(1);
		} finally {
			await receiver.close();
		}
	}, 30_000);
});

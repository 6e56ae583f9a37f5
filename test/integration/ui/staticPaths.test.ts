import { request } from 'node:http';

import type { RuntimeProcess } from '../../support/runtimeProcess';
import { ServiceHarness } from '../service/support';

// The pages' static files (/ui/static/) are served by @fastify/static from runtime/ui/static alone.
// A path that climbs out of that folder ("..", encoded or not) is refused as what it is, a 403, not
// a 500 "internal" with an error in the log that anyone could write without signing in.

const harness = new ServiceHarness();
let service: RuntimeProcess;

beforeAll(async () => {
	await harness.setUp();
	service = await harness.start({ API_TOKEN: 'static-paths-token-71c2' }, 'api');
}, 30_000);

afterAll(() => harness.tearDown());

/** GET with the path sent exactly as written (fetch and URL would resolve the dots first). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
	const { hostname, port } = new URL(service.url!);
	return new Promise((resolve, reject) => {
		const req = request({ hostname, port, path, method: 'GET' }, (res) => {
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (chunk: string) => (body += chunk));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
		});
		req.on('error', reject);
		req.end();
	});
}

describe('static files of the pages', () => {
	it('serves the stylesheet, and refuses a path out of its folder with 403 and no error logged', async () => {
		expect((await rawGet('/ui/static/dashboard.css')).status).toBe(200);
		const logged = service.lines.length;
		for (const path of ['/ui/static/../../package.json', '/ui/static/%2e%2e/%2e%2e/package.json', '/ui/static/..%2f..%2fpackage.json']) {
			const answer = await rawGet(path);
			expect({ path, status: answer.status }).toEqual({ path, status: 403 });
			expect(answer.body).not.toContain('"name"');
		}
		expect(service.lines.slice(logged).filter((line) => line.includes('"level":50'))).toEqual([]);
	});
});

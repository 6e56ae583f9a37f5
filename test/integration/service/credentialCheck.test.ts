import type { RuntimeProcess } from '../../support/runtimeProcess';
import { closedPort } from '../../support/ports';
import { ServiceHarness } from './support';

// The n8n credential's Test button reads this route's answer with rules on its body (token,
// status); every finding must come back as a 200 for those rules to see it.
const harness = new ServiceHarness();
let service: RuntimeProcess;
let withoutOllama: RuntimeProcess;

beforeAll(async () => {
	await harness.setUp();
	service = await harness.start({ API_TOKEN: 'check-token' });
	withoutOllama = await harness.start({ API_TOKEN: 'check-token', OLLAMA_HOST: `http://127.0.0.1:${await closedPort()}` }, 'api');
}, 30_000);

afterAll(() => harness.tearDown());

const check = (runtime: RuntimeProcess, token?: string) =>
	runtime.request<Record<string, any>>('GET', '/api/credential-check', undefined, token === undefined ? {} : { authorization: `Bearer ${token}` });

describe('GET /api/credential-check', () => {
	it('with the right token: 200, token accepted, status ok, what Redis and Ollama answered', async () => {
		const { status, body } = await check(service, 'check-token');
		expect(status).toBe(200);
		expect(body).toMatchObject({ service: 'ai-company-runtime', token: 'accepted', status: 'ok', redis: { ok: true }, ollama: { ok: true } });
	});

	it('with a wrong or missing token: 200 saying refused, and nothing about what is behind the service', async () => {
		for (const token of ['wrong', undefined]) {
			const { status, body } = await check(service, token);
			expect(status).toBe(200);
			expect(body).toEqual({ service: 'ai-company-runtime', token: 'refused' });
		}
	});

	it('with Ollama unreachable: 200 with status degraded, so the Test button can say so', async () => {
		const { status, body } = await check(withoutOllama, 'check-token');
		expect(status).toBe(200);
		expect(body).toMatchObject({ token: 'accepted', status: 'degraded', ollama: { ok: false } });
	});

	it('leaves every other route behind the token', async () => {
		expect((await service.request('GET', '/api/health')).status).toBe(401);
		expect((await service.request('GET', '/api/health', undefined, { authorization: 'Bearer check-token' })).status).toBe(200);
	});
});

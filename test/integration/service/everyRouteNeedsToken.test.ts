import type { RuntimeProcess } from '../../support/runtimeProcess';
import { ServiceHarness } from './support';

const TOKEN = 'every-route-token-7f3a';
/**
 * What answers without the token, as the README says: `/health` (load balancers, docker health
 * checks) and `/api/credential-check` (the n8n credential's Test button; it judges the token itself
 * and tells a refused one nothing more).
 */
const OPEN_ROUTES = ['/health', '/api/credential-check'];
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const harness = new ServiceHarness();
let guarded: RuntimeProcess;

beforeAll(async () => {
	await harness.setUp();
	guarded = await harness.start({ API_TOKEN: TOKEN }, 'api');
}, 30_000);
afterAll(() => harness.tearDown());

interface Route {
	method: string;
	/** As the OpenAPI document names it, `/api/projects/{id}`. */
	route: string;
	/** With placeholders for its path parameters. */
	path: string;
}

/** Every route and method of the service's OpenAPI document, and the document's own route. */
async function documentedRoutes(): Promise<Route[]> {
	const { status, body } = await guarded.request<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json', undefined, { authorization: `Bearer ${TOKEN}` });
	expect(status).toBe(200);
	const routes = Object.entries(body.paths).flatMap(([route, operations]) =>
		METHODS.filter((method) => operations[method] !== undefined).map((method) => ({
			method: method.toUpperCase(),
			route,
			path: route.replace(/\{(\w+)\}/g, (_match, name: string) => `placeholder-${name}`),
		})),
	);
	return [...routes, { method: 'GET', route: '/openapi.json', path: '/openapi.json' }];
}

function send(route: Route, authorization?: string): Promise<{ status: number; body: unknown }> {
	const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined;
	return guarded.request(route.method, route.path, body, authorization === undefined ? {} : { authorization });
}

describe('with API_TOKEN set, every route but the open ones needs the token', () => {
	it('each route and method of the OpenAPI document answers 401 without the token and with a wrong one; only /health and /api/credential-check answer', async () => {
		const routes = await documentedRoutes();
		// The walk covers the API, not a handful of routes.
		expect(routes.length).toBeGreaterThanOrEqual(20);
		expect(routes.map((r) => `${r.method} ${r.route}`)).toEqual(expect.arrayContaining(['GET /api/models', 'POST /api/projects', 'GET /metrics', ...OPEN_ROUTES.map((r) => `GET ${r}`)]));

		const answered: Record<string, Record<string, number>> = {};
		for (const route of routes) {
			const key = `${route.method} ${route.route}`;
			const statuses = {
				none: (await send(route)).status,
				wrong: (await send(route, `Bearer ${TOKEN}x`)).status,
				bare: (await send(route, TOKEN)).status,
			};
			if (Object.values(statuses).some((status) => status !== 401)) answered[key] = statuses;
		}
		// Each open route answers 200 without a token, and nothing else answers at all.
		expect(answered).toEqual(Object.fromEntries(OPEN_ROUTES.map((route) => [`GET ${route}`, { none: 200, wrong: 200, bare: 200 }])));
		const refused = await guarded.request('GET', '/api/credential-check');
		expect(refused.body).toEqual({ service: 'ai-company-runtime', token: 'refused' });
	}, 60_000);

	it('with the token, each of those routes reaches its handler (the 401s above came from the guard, not from a path that matched no route)', async () => {
		const unmatched: string[] = [];
		for (const route of await documentedRoutes()) {
			const { status, body } = await send(route, `Bearer ${TOKEN}`);
			// fastify's own "Route GET:/x not found" when no route matched; a handler's 404 names its kind.
			const routeNotFound = status === 404 && /^Route \w+:\S+ not found$/.test(String((body as { message?: unknown }).message));
			if (status === 401 || routeNotFound) unmatched.push(`${route.method} ${route.path}: ${status} ${JSON.stringify(body)}`);
		}
		expect(unmatched).toEqual([]);
	}, 60_000);
});

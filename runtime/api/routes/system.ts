import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { withoutUrlCredentials as withoutCredentials } from '../../contracts/credentials';
import type { ModelInfo, ModelList, UnavailableProvider } from '../../contracts/models';
import { PROJECT_STATUSES } from '../../contracts/project';
import { providerConnections, rolesProviders } from '../../config/modelProviders';
import { LlmClient } from '../../llm/llmClient';
import { PROVIDER_LABELS, type ProviderName } from '../../llm/modelRef';
import { probeOllama } from '../../llm/probeOllama';
import type { Services } from '../../service/services';
import { StoreKeys } from '../../state/keys';
import { tokenVerdict } from '../auth';

const HEALTH_TIMEOUT_MS = 3000;

/** Health, the model list for the nodes' dropdowns, and Prometheus metrics. */
export function systemRoutes(app: FastifyInstance, services: Services): void {
	const { config, redis, queue, metrics } = services;
	const connection = { baseUrl: config.ollamaHost, apiKey: config.ollamaApiKey };

	// Behind the token the model server's address is shown, never the user and password it may carry.
	const ollamaUrl = withoutCredentials(config.ollamaHost);
	const llm = () => new LlmClient({ connection, providers: providerConnections(config), timeoutMs: 10_000 });
	/** Each configured provider besides Ollama: its models, or why they could not be listed. Never throws. */
	const listOthers = (timeoutMs: number) => {
		const client = new LlmClient({ connection, providers: providerConnections(config), timeoutMs });
		const others = client.configuredProviders().filter((p): p is Exclude<ProviderName, 'ollama'> => p !== 'ollama');
		return Promise.all(
			others.map((provider) =>
				client.listModels(provider).then(
					(models) => ({ provider, ok: true as const, models }),
					(error: Error) => ({ provider, ok: false as const, error: withoutCredentials(error.message) }),
				),
			),
		);
	};
	// The OpenAI-compatible server's and Anthropic's state, for the credential check: reachable, key accepted, how many models.
	const providerChecks = async () => {
		const found = await listOthers(HEALTH_TIMEOUT_MS);
		return Object.fromEntries(
			found.map((p) => [p.provider, p.ok ? { ok: true, label: PROVIDER_LABELS[p.provider], models: p.models.length } : { ok: false, label: PROVIDER_LABELS[p.provider], error: p.error }]),
		);
	};
	// The providers the service's roles call (MODEL_*): only their state makes the service degraded.
	// A provider no role uses (Ollama beside a cloud API) is still shown, without changing the status.
	const roleProviders = rolesProviders(config);
	const checks = async () => {
		const [redisCheck, ollamaCheck, providers] = await Promise.all([
			withTimeout(redis.ping()).then(
				async () => ({ ok: true as const, queue: await withTimeout(queue.counts()) }),
				(error: Error) => ({ ok: false as const, error: withoutCredentials(error.message) }),
			),
			probeOllama(connection, HEALTH_TIMEOUT_MS).then(
				(probe) => ({ ok: true as const, url: ollamaUrl, version: probe.version, models: probe.models.length }),
				(error: Error) => ({ ok: false as const, url: ollamaUrl, error: withoutCredentials(error.message) }),
			),
			providerChecks(),
		]);
		const reachable = (provider: ProviderName) => (provider === 'ollama' ? ollamaCheck.ok : providers[provider]?.ok === true);
		const status = !redisCheck.ok ? 'down' : roleProviders.every(reachable) ? 'ok' : 'degraded';
		return { status, service: 'ai-company-runtime', redis: redisCheck, ollama: ollamaCheck, providers, roleProviders, llmSlots: config.ollamaNumParallel };
	};
	const health = async (_request: FastifyRequest, reply: FastifyReply) => {
		const body = await checks();
		reply.code(body.status === 'down' ? 503 : 200);
		return body;
	};
	// Open to anyone who reaches the port: whether each part is up, no address and no error text (which names addresses).
	const openHealth = async (request: FastifyRequest, reply: FastifyReply) => {
		const body = await health(request, reply);
		return {
			...body,
			redis: body.redis.ok ? { ok: true, queue: body.redis.queue } : { ok: false },
			ollama: body.ollama.ok ? { ok: true, version: body.ollama.version, models: body.ollama.models } : { ok: false },
			providers: Object.fromEntries(Object.entries(body.providers).map(([name, p]) => [name, { ok: p.ok }])),
		};
	};
	app.get('/health', { schema: { summary: "Redis and each model provider's reachability, queue depth: degraded when a provider the roles use is unreachable, 503 when Redis is down; needs no token, shows no address", tags: ['system'] } }, openHealth);
	// The same behind the token: a client learns whether its token is accepted (401 when not).
	app.get('/api/health', { schema: { summary: "The same as /health with the model server's address and the errors, behind the API token: checks a credential", tags: ['system'] } }, health);

	// Always 200 with what it found, so the n8n credential's Test button can turn each finding into
	// its own sentence (its rules only read a successful answer). A refused token learns nothing more.
	app.get(
		'/api/credential-check',
		{ schema: { summary: "For the n8n credential's Test button: is the token accepted, are Redis and Ollama reachable (always 200)", tags: ['system'] } },
		async (request) => {
			const token = tokenVerdict(request.headers.authorization, config.apiToken);
			if (token === 'refused') return { service: 'ai-company-runtime', token };
			return { ...(await checks()), token };
		},
	);

	// Every configured provider's models as references (Ollama's bare, as before; `openai:…`, `anthropic:…`).
	// A provider that cannot list is named in `unavailable`; only Ollama's failure fails the route, as it always did.
	app.get('/api/models', { schema: { summary: "Every configured provider's models as model references, for the nodes' dropdowns", tags: ['system'] } }, async () => {
		const [ollama, others] = await Promise.all([llm().listModels('ollama').then(
			(models) => ({ ok: true as const, models }),
			(error: Error) => ({ ok: false as const, error }),
		), listOthers(10_000)]);
		const unavailable: UnavailableProvider[] = others.filter((p) => !p.ok).map((p) => ({ provider: p.provider, error: 'error' in p ? p.error : '' }));
		if (!ollama.ok && !others.length) throw ollama.error;
		if (!ollama.ok) unavailable.unshift({ provider: 'ollama', error: withoutCredentials(ollama.error.message) });
		const models: ModelInfo[] = [...(ollama.ok ? ollama.models : []), ...others.flatMap((p) => ('models' in p ? p.models : []))];
		const list: ModelList = { models, ...(unavailable.length ? { unavailable } : {}) };
		return list;
	});

	app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['system'] } }, async (_request, reply) => {
		const keys = new StoreKeys(config.keyPrefix);
		const [counts, sizes] = await Promise.all([
			queue.counts(),
			Promise.all(PROJECT_STATUSES.map((s) => redis.zcard(keys.statusIndex(s)))),
		]);
		for (const [state, count] of Object.entries(counts)) metrics.queueJobs.set({ state }, count);
		PROJECT_STATUSES.forEach((status, i) => metrics.projects.set({ status }, sizes[i]));
		reply.header('content-type', metrics.registry.contentType);
		return metrics.registry.metrics();
	});
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
	return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS))]);
}


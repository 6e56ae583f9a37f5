import { availableParallelism } from 'node:os';

import type { PriceTable } from '../contracts/usage';
import { InvalidInputError } from '../errors';
import { parseOutboundAllow, type OutboundAllow } from '../net/outboundPolicy';
import { AGENT_DEFAULTS, DEFAULT_KEY_PREFIX, DEFAULT_MAX_TASKS } from './defaults';
import { parsePrices } from './prices';
import { checkModelVariables, configuredProviders, providerSlots } from './modelProviders';
import { checkRemoteBase } from './remoteBase';

/** How the service is set up; every field comes from one environment variable (see ENVIRONMENT). */
export interface ServiceConfig {
	redisUrl: string;
	keyPrefix: string;
	ollamaHost: string;
	ollamaApiKey?: string;
	port: number;
	host: string;
	apiToken?: string;
	/** Signs the client portal's links (HMAC-SHA256); unset: a random secret made once and kept in Redis under the key prefix. */
	portalSecret?: string;
	/** What requests to clients' URLs (callbacks, deploy hooks, webhooks) may reach despite the refused ranges; unset: nothing more. */
	outboundAllow?: OutboundAllow;
	/** Jobs one worker process runs at once (model calls, test runs, git). */
	concurrency: number;
	/** The model server's parallel slots: a worker never has more model calls in flight than this. */
	ollamaNumParallel: number;
	/** An OpenAI-compatible server's base URL with its /v1; unset: `openai:` models are refused. */
	openaiBaseUrl?: string;
	openaiApiKey?: string;
	/** That server's parallel slots in one worker process. */
	openaiNumParallel: number;
	/** The Anthropic API's base URL without /v1. */
	anthropicBaseUrl: string;
	/** Unset: `anthropic:` models are refused. */
	anthropicApiKey?: string;
	anthropicNumParallel: number;
	models: { planner: string; developer: string; tester: string; reviewer: string; reporter: string };
	/** MODEL_ESCALATION: the developer's model from a task's settings.escalateAfterAttempts-th attempt on; unset: no escalation. */
	escalationModel?: string;
	/** MODEL_PRICES: USD per million input and output tokens by model reference; unset: every model costs 0. */
	modelPrices?: PriceTable;
	gitRemoteBase?: string;
	/** More remote bases a request's settings.gitRemoteBase may be equal to or under (GIT_REMOTE_BASE is one too). */
	gitRemoteAllow?: string[];
	githubToken?: string;
	githubOwner?: string;
	maxFixAttempts: number;
	/** The most tasks a plan may have: small models plan better when told a size. */
	maxPlanTasks: number;
	/** Longest wait for one model reply, in ms (0: none). */
	llmTimeoutMs: number;
	/** How long a worker holds a job's lock between renewals; a dead worker's jobs move on after it. */
	lockDurationMs: number;
	/** How often workers look for jobs whose worker died. */
	stalledIntervalMs: number;
	maxStalledCount: number;
	/** Transient failures (model server busy or down) are retried this many times with backoff. */
	jobAttempts: number;
	jobBackoffMs: number;
	testTimeoutMs: number;
	/** Test runs one worker process has going at once; 0: one per CPU core of the machine. */
	sandboxParallel: number;
	sandbox: 'auto' | 'bubblewrap' | 'process' | 'process-unconfined';
	bodyLimitBytes: number;
	/** On SIGTERM: how long jobs in flight may take to finish before they are handed back to the queue. */
	shutdownGraceMs: number;
	logLevel: string;
}

interface Variable {
	name: string;
	description: string;
	/** Shown in --help; absent: optional, unset by default. */
	default?: string;
	secret?: boolean;
	apply(config: Partial<ServiceConfig>, value: string): void;
}

const integer = (name: string, min: number, max: number) => (value: string): number => {
	if (!/^-?\d+$/.test(value.trim())) throw new InvalidInputError(name, `must be a whole number, got ${JSON.stringify(value)}`);
	const n = Number(value);
	if (n < min || n > max) throw new InvalidInputError(name, `must be between ${min} and ${max}, got ${n}`);
	return n;
};

const url = (name: string, protocols: string[]) => (value: string): string => {
	let parsed: URL;
	// A refused value is printed at start-up: never with the password it may carry.
	const shown = JSON.stringify(value.replace(/\/\/[^/@]*@/, '//***@'));
	try {
		parsed = new URL(value);
	} catch {
		throw new InvalidInputError(name, `must be a URL such as ${protocols[0]}//host:port, got ${shown}`);
	}
	if (!protocols.includes(parsed.protocol)) {
		throw new InvalidInputError(name, `must start with ${protocols.join(' or ')}, got ${shown}`);
	}
	return value.replace(/\/+$/, '');
};

const text = (name: string) => (value: string): string => {
	if (!value.trim()) throw new InvalidInputError(name, 'is set but empty: unset it or give a value');
	return value.trim();
};

/** CONCURRENCY=auto (the default) until loadConfig has read the slot counts it follows. */
const AUTO_CONCURRENCY = 0;
const CONCURRENCY_PER_SLOT = 2;
const MIN_AUTO_CONCURRENCY = 4;

/** The planner's default model, also the reporter's: both write for people, not code. */
const DEFAULT_PLANNER_MODEL = 'llama3.2:3b';

/** Every variable the service reads, in the order --help lists them. */
export const ENVIRONMENT: readonly Variable[] = [
	{ name: 'REDIS_URL', default: 'redis://127.0.0.1:6379', description: 'Redis for the queue and the project store (redis:// or rediss://, user, password and /db from the URL).', apply: (c, v) => (c.redisUrl = url('REDIS_URL', ['redis:', 'rediss:'])(v)) },
	{ name: 'KEY_PREFIX', default: DEFAULT_KEY_PREFIX, description: 'Starts every Redis key of the store and the queue, so installations can share a database.', apply: (c, v) => (c.keyPrefix = prefix(v)) },
	{ name: 'OLLAMA_HOST', default: 'http://127.0.0.1:11434', description: 'The Ollama server (or anything speaking its API).', apply: (c, v) => (c.ollamaHost = url('OLLAMA_HOST', ['http:', 'https:'])(withScheme(v))) },
	{ name: 'OLLAMA_API_KEY', secret: true, description: 'Sent as "Authorization: Bearer" to an Ollama behind an authenticating proxy.', apply: (c, v) => (c.ollamaApiKey = text('OLLAMA_API_KEY')(v)) },
	{ name: 'PORT', default: '8000', description: 'HTTP port of the API.', apply: (c, v) => (c.port = integer('PORT', 0, 65535)(v)) },
	{ name: 'HOST', default: '127.0.0.1', description: 'Address the API listens on. Anything but loopback needs API_TOKEN.', apply: (c, v) => (c.host = text('HOST')(v)) },
	{ name: 'API_TOKEN', secret: true, description: 'When set, every /api route needs "Authorization: Bearer <API_TOKEN>".', apply: (c, v) => (c.apiToken = token('API_TOKEN', v)) },
	{ name: 'PORTAL_SECRET', secret: true, description: "Signs the client portal's links (at least 32 characters); unset: a random secret made once and kept in Redis (<KEY_PREFIX>portal:secret), shared by every API process.", apply: (c, v) => (c.portalSecret = token('PORTAL_SECRET', v, 32)) },
	{
		name: 'OUTBOUND_ALLOW',
		description:
			"Where requests to clients' URLs (callbackUrl, deployHookUrl, webhook url) may go despite the ranges refused by default (loopback, private, link-local, CGNAT, unspecified, multicast, broadcast; IPv4 inside IPv6 too): comma-separated CIDRs or addresses (127.0.0.1, 10.0.0.0/8, fd00::/8) and host names (n8n, *.example.com). Only http(s); redirects are never followed.",
		apply: (c, v) => (c.outboundAllow = parseOutboundAllow(v)),
	},
	{
		name: 'CONCURRENCY',
		default: 'auto',
		description: `Jobs one worker process runs at once (model calls, test runs, git). auto: ${CONCURRENCY_PER_SLOT} × (the model slots of every configured provider + the test slots), at least ${MIN_AUTO_CONCURRENCY}, so that jobs waiting for a test run leave the model slots busy (a waiting job costs only a promise); e.g. OLLAMA_NUM_PARALLEL=32 on 2 cores gives 68.`,
		apply: (c, v) => (c.concurrency = concurrency(v)),
	},
	{ name: 'OLLAMA_NUM_PARALLEL', default: '1', description: "The model server's parallel slots (Ollama's own default is 1): a worker never has more model calls in flight than this.", apply: (c, v) => (c.ollamaNumParallel = integer('OLLAMA_NUM_PARALLEL', 1, 512)(v)) },
	{ name: 'OPENAI_BASE_URL', description: 'An OpenAI-compatible server (vLLM, LM Studio, llama.cpp\'s server, OpenRouter, OpenAI) with its /v1, e.g. http://127.0.0.1:8000/v1: models named openai:<model> are called there. Unset: openai: models are refused.', apply: (c, v) => (c.openaiBaseUrl = url('OPENAI_BASE_URL', ['http:', 'https:'])(v)) },
	{ name: 'OPENAI_API_KEY', secret: true, description: 'Sent as "Authorization: Bearer" to OPENAI_BASE_URL (local servers take none).', apply: (c, v) => (c.openaiApiKey = text('OPENAI_API_KEY')(v)) },
	{ name: 'OPENAI_NUM_PARALLEL', default: '4', description: "OPENAI_BASE_URL's parallel slots: a worker never has more calls in flight there than this. 4 is llama.cpp's server's default; raise it to vLLM's max_num_seqs or what your rate limit allows.", apply: (c, v) => (c.openaiNumParallel = integer('OPENAI_NUM_PARALLEL', 1, 512)(v)) },
	{ name: 'ANTHROPIC_BASE_URL', default: 'https://api.anthropic.com', description: 'The Anthropic Messages API, without /v1 (a proxy or gateway in front of it).', apply: (c, v) => (c.anthropicBaseUrl = url('ANTHROPIC_BASE_URL', ['http:', 'https:'])(v)) },
	{ name: 'ANTHROPIC_API_KEY', secret: true, description: 'The Anthropic API key: models named anthropic:<model> are called with it. Unset: anthropic: models are refused.', apply: (c, v) => (c.anthropicApiKey = text('ANTHROPIC_API_KEY')(v)) },
	{ name: 'ANTHROPIC_NUM_PARALLEL', default: '4', description: "Calls a worker has in flight at the Anthropic API at once: a hosted API has no slots, but its rate limit (requests and tokens per minute) makes more wait as 429s.", apply: (c, v) => (c.anthropicNumParallel = integer('ANTHROPIC_NUM_PARALLEL', 1, 512)(v)) },
	{ name: 'MODEL_PLANNER', default: DEFAULT_PLANNER_MODEL, description: 'Model that plans projects (a project\'s settings.models.planner wins).', apply: (c, v) => (c.models = { ...c.models!, planner: text('MODEL_PLANNER')(v) }) },
	{ name: 'MODEL_DEVELOPER', default: 'qwen2.5-coder:7b', description: 'Model that writes and fixes code.', apply: (c, v) => (c.models = { ...c.models!, developer: text('MODEL_DEVELOPER')(v) }) },
	{ name: 'MODEL_TESTER', default: 'qwen2.5-coder:7b', description: 'Model that writes tests.', apply: (c, v) => (c.models = { ...c.models!, tester: text('MODEL_TESTER')(v) }) },
	{ name: 'MODEL_REVIEWER', default: 'qwen2.5-coder:7b', description: "Model that reviews each task's code after its tests pass, and the whole project before delivery (a project's settings.models.reviewer wins).", apply: (c, v) => (c.models = { ...c.models!, reviewer: text('MODEL_REVIEWER')(v) }) },
	{ name: 'MODEL_REPORTER', default: DEFAULT_PLANNER_MODEL, description: "Model that writes clients' progress reports (POST /api/projects/:id/report; a request's model wins).", apply: (c, v) => (c.models = { ...c.models!, reporter: text('MODEL_REPORTER')(v) }) },
	{ name: 'MODEL_ESCALATION', description: "A stronger model for a task's later developer attempts: from the settings.escalateAfterAttempts-th attempt (default 2) on it writes the code instead of the developer's model (a project's settings.models.escalation wins). Unset: no escalation.", apply: (c, v) => (c.escalationModel = text('MODEL_ESCALATION')(v)) },
	{
		name: 'MODEL_PRICES',
		description:
			'Prices that give each project its usage.cost: JSON, USD per million tokens by model reference, e.g. {"openai:gpt-4o-mini": {"input": 0.15, "output": 0.6}}. A model not listed (a local one) costs 0. Cost is computed when usage is metered: a later price change leaves what was spent as it was.',
		apply: (c, v) => (c.modelPrices = parsePrices(v, 'MODEL_PRICES')),
	},
	{ name: 'GIT_REMOTE_BASE', description: 'Where finished projects are pushed: <GIT_REMOTE_BASE>/<projectId>.git (a path, file://, ssh:// or http(s) URL). Unset: no push unless GitHub is set.', apply: (c, v) => (c.gitRemoteBase = checkRemoteBase(text('GIT_REMOTE_BASE')(v), 'GIT_REMOTE_BASE')) },
	{ name: 'GIT_REMOTE_ALLOW', description: "More remote bases (comma-separated paths, file://, ssh:// or http(s) URLs) a request's settings.gitRemoteBase may name or be under, besides GIT_REMOTE_BASE. Unset with GIT_REMOTE_BASE unset: a request may not choose a remote.", apply: (c, v) => (c.gitRemoteAllow = remoteBases('GIT_REMOTE_ALLOW', v)) },
	{ name: 'GITHUB_TOKEN', secret: true, description: 'Publish to GitHub (a new private repository per project) with this token.', apply: (c, v) => (c.githubToken = token('GITHUB_TOKEN', v)) },
	{ name: 'GITHUB_OWNER', description: 'GitHub organisation for new repositories (default: the token\'s user).', apply: (c, v) => (c.githubOwner = text('GITHUB_OWNER')(v)) },
	{ name: 'MAX_FIX_ATTEMPTS', default: '3', description: 'Developer turns per task (the first included) before the task, and its project, fail.', apply: (c, v) => (c.maxFixAttempts = integer('MAX_FIX_ATTEMPTS', 1, 20)(v)) },
	{ name: 'MAX_PLAN_TASKS', default: String(DEFAULT_MAX_TASKS), description: 'The most tasks a plan may have (a project\'s settings.maxPlanTasks wins).', apply: (c, v) => (c.maxPlanTasks = integer('MAX_PLAN_TASKS', 1, 200)(v)) },
	{ name: 'LLM_TIMEOUT_SECONDS', default: '1800', description: 'Longest wait for one model reply (0: no limit).', apply: (c, v) => (c.llmTimeoutMs = integer('LLM_TIMEOUT_SECONDS', 0, 86_400)(v) * 1000) },
	{ name: 'LOCK_DURATION_MS', default: '60000', description: "A job's lock, renewed at half this while the worker lives; a dead worker's jobs are taken over after about this plus STALLED_INTERVAL_MS.", apply: (c, v) => (c.lockDurationMs = integer('LOCK_DURATION_MS', 500, 3_600_000)(v)) },
	{ name: 'STALLED_INTERVAL_MS', default: '30000', description: 'How often workers look for jobs whose worker died.', apply: (c, v) => (c.stalledIntervalMs = integer('STALLED_INTERVAL_MS', 200, 3_600_000)(v)) },
	{ name: 'MAX_STALLED_COUNT', default: '5', description: 'How many times a job may lose its worker before it fails.', apply: (c, v) => (c.maxStalledCount = integer('MAX_STALLED_COUNT', 0, 1000)(v)) },
	{ name: 'JOB_ATTEMPTS', default: '5', description: 'Tries of a job whose failure is transient (model server busy, down or timing out).', apply: (c, v) => (c.jobAttempts = integer('JOB_ATTEMPTS', 1, 100)(v)) },
	{ name: 'JOB_BACKOFF_MS', default: '5000', description: 'First wait before such a retry; doubles each time.', apply: (c, v) => (c.jobBackoffMs = integer('JOB_BACKOFF_MS', 0, 3_600_000)(v)) },
	{ name: 'TEST_TIMEOUT_SECONDS', default: String(AGENT_DEFAULTS.testTimeoutSeconds), description: 'Longest run of a task\'s tests in the sandbox.', apply: (c, v) => (c.testTimeoutMs = integer('TEST_TIMEOUT_SECONDS', 1, 3600)(v) * 1000) },
	{
		name: 'SANDBOX_PARALLEL',
		default: '0',
		description: "Test runs one worker process has going at once (CPU work: more at once only slow each other down); 0: one per CPU core. A freed slot goes to the project with the fewest runs going, as the model slots do.",
		apply: (c, v) => (c.sandboxParallel = integer('SANDBOX_PARALLEL', 0, 1000)(v)),
	},
	{ name: 'SANDBOX', default: 'auto', description: 'auto (bubblewrap when it works here), bubblewrap, process (node tests only), or process-unconfined (also Python and custom commands without bubblewrap: the operator accepts they are not confined).', apply: (c, v) => (c.sandbox = oneOf('SANDBOX', v, ['auto', 'bubblewrap', 'process', 'process-unconfined'] as const)) },
	{ name: 'BODY_LIMIT_BYTES', default: '1048576', description: 'Largest request body; larger ones get 413.', apply: (c, v) => (c.bodyLimitBytes = integer('BODY_LIMIT_BYTES', 1024, 100 * 1024 * 1024)(v)) },
	{ name: 'SHUTDOWN_GRACE_MS', default: '20000', description: 'On SIGTERM: how long jobs in flight may take to finish before they go back to the queue for another worker.', apply: (c, v) => (c.shutdownGraceMs = integer('SHUTDOWN_GRACE_MS', 0, 3_600_000)(v)) },
	{ name: 'LOG_LEVEL', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent.', apply: (c, v) => (c.logLevel = oneOf('LOG_LEVEL', v, ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const)) },
];

/**
 * Reads the configuration from the environment. A bad value stops here with an InvalidInputError
 * naming the variable, so the service never starts half-configured.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
	const config: Partial<ServiceConfig> = { models: { planner: '', developer: '', tester: '', reviewer: '', reporter: '' } };
	for (const variable of ENVIRONMENT) {
		const given = env[variable.name];
		const value = given === undefined || given === '' ? variable.default : given;
		if (value !== undefined) variable.apply(config, value);
	}
	const result = config as ServiceConfig;
	checkModelVariables(result, ENVIRONMENT.map(({ name, default: fallback }) => ({ name, value: env[name] || fallback })));
	if (result.concurrency === AUTO_CONCURRENCY) result.concurrency = autoConcurrency(result);
	if (!result.apiToken && !isLoopback(result.host)) {
		throw new InvalidInputError('HOST', `is ${result.host}, which is not loopback: set API_TOKEN so that nobody else on the network can drive the service`);
	}
	return result;
}

function concurrency(value: string): number {
	if (value.trim() === 'auto') return AUTO_CONCURRENCY;
	try {
		return integer('CONCURRENCY', 1, 1000)(value);
	} catch {
		throw new InvalidInputError('CONCURRENCY', `must be auto or a whole number between 1 and 1000, got ${JSON.stringify(value)}`);
	}
}

/** Test runs one worker process has going at once: SANDBOX_PARALLEL, or one per CPU core. */
export function testSlotCount(config: Pick<ServiceConfig, 'sandboxParallel'>): number {
	return config.sandboxParallel || availableParallelism();
}

/** The model calls one worker process has going at once, over every provider it is configured for. */
export function modelSlotCount(config: ServiceConfig): number {
	const slots = providerSlots(config);
	return [...configuredProviders(config)].reduce((sum, provider) => sum + slots[provider], 0);
}

/**
 * CONCURRENCY=auto: enough jobs for every model slot and every test slot, twice over, since a task
 * job holds its place while it waits for the other kind of slot; bounded like an explicit value.
 */
export function autoConcurrency(config: ServiceConfig): number {
	return Math.min(1000, Math.max(MIN_AUTO_CONCURRENCY, CONCURRENCY_PER_SLOT * (modelSlotCount(config) + testSlotCount(config))));
}

/** The --help text: every variable, its default, and what it does. */
export function environmentHelp(): string {
	const width = Math.max(...ENVIRONMENT.map((v) => v.name.length));
	return ENVIRONMENT.map((v) => {
		const shown = v.default === undefined ? '(unset)' : `default ${v.default}`;
		return `  ${v.name.padEnd(width)}  ${v.description} [${shown}]`;
	}).join('\n');
}

export function isLoopback(host: string): boolean {
	return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function remoteBases(name: string, value: string): string[] {
	const bases = value.split(',').map((base) => base.trim()).filter(Boolean);
	if (!bases.length) throw new InvalidInputError(name, 'is set but lists no remote base: unset it or give one');
	return bases.map((base) => checkRemoteBase(base, name));
}

function prefix(value: string): string {
	if (!/^[\x21-\x7e]{1,100}$/.test(value)) throw new InvalidInputError('KEY_PREFIX', `must be 1-100 visible ASCII characters without spaces, got ${JSON.stringify(value)}`);
	return value;
}

function token(name: string, value: string, min = 8): string {
	if (!new RegExp(`^[\\x21-\\x7e]{${min},}$`).test(value)) throw new InvalidInputError(name, `must be at least ${min} visible ASCII characters without spaces`);
	return value;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
	if (!(allowed as readonly string[]).includes(value)) throw new InvalidInputError(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
	return value as T;
}

/**
 * Ollama's own OLLAMA_HOST may be "127.0.0.1:11434", "gpu-box" or ":11434": without a scheme it means
 * http, without a host 127.0.0.1, and without a port Ollama's 11434 (as ollama-js reads it), not 80.
 */
function withScheme(value: string): string {
	if (/^[a-z]+:\/\//i.test(value)) return value;
	const [, host, port] = /^(\[[^\]]*\]|[^:/]*)(?::(\d*))?(.*)$/.exec(value) ?? [];
	return `http://${host || '127.0.0.1'}:${port || '11434'}${value.slice((host ?? '').length + (port === undefined ? 0 : port.length + 1))}`;
}

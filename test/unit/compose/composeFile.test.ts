import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';

import { ENVIRONMENT } from '../../../runtime/config/environment';
import { isAllowedName, parseOutboundAllow } from '../../../runtime/net/outboundPolicy';
import {
	argv,
	buildOf,
	composeText,
	dockerfileStages,
	environmentOf,
	interpolate,
	parseCompose,
	readEnvFile,
	REPO,
	variablesRead,
	type Service,
} from './composeSupport';

// docker-compose.yml checked without a Docker engine: against the Compose Specification's schema,
// and for everything it names in this repository (build contexts, Dockerfiles, mounted paths,
// commands, variables).

const text = composeText();
const compose = parseCompose(text);
const services = Object.entries(compose.services);
const envExample = readEnvFile(join(REPO, '.env.example'));
const exampleEnv = { ...Object.fromEntries(envExample), API_TOKEN: 'example-token-0123456789' };
const runtimeBin = JSON.parse(readFileSync(join(REPO, 'runtime/package.json'), 'utf8')).bin['ai-company-worker'] as string;

function schemaErrors(document: unknown): string[] {
	const schema = JSON.parse(readFileSync(join(REPO, 'test/fixtures/compose/compose-spec.json'), 'utf8'));
	const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, strictTypes: false });
	const validate = ajv.compile(schema);
	return validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

function finalStage(service: Service) {
	const build = buildOf(service)!;
	const stages = dockerfileStages(readFileSync(join(REPO, build.dockerfile), 'utf8'));
	return { build, stages, final: stages[stages.length - 1] };
}

describe('docker-compose.yml', () => {
	test('is valid under the Compose Specification schema, as written and once interpolated from .env.example', () => {
		expect(schemaErrors(compose)).toEqual([]);
		expect(schemaErrors(parseCompose(interpolate(text, exampleEnv)))).toEqual([]);
	});

	test('every variable it reads is in .env.example, and API_TOKEN is required (${API_TOKEN:?…})', () => {
		const read = variablesRead(text);
		expect([...read.keys()].filter((name) => !envExample.has(name))).toEqual([]);
		expect([...read.get('API_TOKEN')!]).toEqual([':?']);
		expect(() => interpolate(text, { ...exampleEnv, API_TOKEN: '' })).toThrow(/API_TOKEN: set API_TOKEN in \.env/);
		// COMPOSE_PROFILES is read by Compose itself from .env: the ollama profile is on by default.
		expect(envExample.get('COMPOSE_PROFILES')).toBe('ollama');
	});

	test('build contexts, Dockerfiles and what they COPY from the context exist', () => {
		const built = services.filter(([, s]) => s.build !== undefined);
		expect(built.map(([name]) => name).sort()).toEqual(['n8n', 'n8n-init', 'runtime', 'worker']);
		for (const [name, service] of built) {
			const { build, stages } = finalStage(service);
			expect({ name, context: existsSync(join(REPO, build.context)), dockerfile: existsSync(join(REPO, build.dockerfile)) }).toEqual({ name, context: true, dockerfile: true });
			for (const stage of stages) {
				for (const copy of stage.copies.filter((c) => c.from === undefined)) {
					for (const source of copy.sources) {
						expect({ name, source, exists: existsSync(join(REPO, build.context, source)) }).toEqual({ name, source, exists: true });
					}
				}
			}
		}
		const ignored = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
		for (const needed of ['package.json', 'package-lock.json', '.npmrc', 'runtime', 'nodes', 'credentials', 'workflows', 'docker']) {
			expect(ignored).not.toContain(needed);
		}
		expect(ignored).toEqual(expect.arrayContaining(['.env', '**/node_modules', '.git']));
	});

	test('mounted host paths and env files exist; named volumes are declared', () => {
		for (const [name, service] of services) {
			for (const volume of service.volumes ?? []) {
				const source = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
				if (!source) continue;
				if (source.startsWith('.') || isAbsolute(source)) {
					expect({ name, source, exists: existsSync(join(REPO, source)) }).toEqual({ name, source, exists: true });
				} else {
					expect(Object.keys(compose.volumes ?? {})).toContain(source);
				}
			}
			const envFiles = service.env_file === undefined ? [] : Array.isArray(service.env_file) ? service.env_file : [service.env_file];
			for (const file of envFiles) {
				const entry = typeof file === 'string' ? { path: file, required: true } : file;
				if (entry.required !== false) expect({ name, path: entry.path, exists: existsSync(join(REPO, entry.path)) }).toEqual({ name, path: entry.path, exists: true });
			}
		}
	});

	test('every depends_on names a service; service_healthy ones have a health check, service_completed_successfully ones run once', () => {
		for (const [name, service] of services) {
			const deps = Array.isArray(service.depends_on) ? Object.fromEntries(service.depends_on.map((d) => [d, { condition: 'service_started' }])) : (service.depends_on ?? {});
			for (const [target, { condition }] of Object.entries(deps)) {
				const dependency = compose.services[target];
				expect({ name, target, exists: dependency !== undefined }).toEqual({ name, target, exists: true });
				if (condition === 'service_healthy') {
					expect({ name, target, healthcheck: Boolean(dependency.healthcheck?.test) && dependency.healthcheck?.disable !== true }).toEqual({ name, target, healthcheck: true });
				}
				if (condition === 'service_completed_successfully') expect({ name, target, restart: dependency.restart }).toEqual({ name, target, restart: 'no' });
			}
		}
	});

	test('the runtime services run the real bin: `runtime` the API (--role api), `worker` the scalable workers (--role worker)', () => {
		const expected = `runtime/${runtimeBin.replace(/^\.\//, '')}`;
		expect(existsSync(join(REPO, 'runtime/bin/aiCompanyWorker.ts'))).toBe(true);
		expect(normalize(runtimeBin)).toBe('dist/bin/aiCompanyWorker.js');
		for (const [name, role] of [['runtime', 'api'], ['worker', 'worker']] as const) {
			const service = compose.services[name];
			expect(argv(service.command)).toEqual(['node', expected, '--role', role]);
			expect(service.entrypoint).toBeUndefined();
			// The image's working folder mirrors the repository, and holds the compiled runtime.
			const { final } = finalStage(service);
			expect(final.workdir).toBe('/app');
			expect(final.copies).toEqual(expect.arrayContaining([expect.objectContaining({ from: 'build', sources: ['/src/runtime/dist'], dest: 'runtime/dist' })]));
		}
		if (existsSync(join(REPO, 'runtime/dist'))) expect(existsSync(join(REPO, expected))).toBe(true);
		// Scaling: the worker publishes no port and has no fixed container name.
		expect(compose.services.worker.ports).toBeUndefined();
		expect(compose.services.worker.container_name).toBeUndefined();
		// The API answers its health check on GET /health.
		expect(JSON.stringify(compose.services.runtime.healthcheck?.test)).toContain('http://127.0.0.1:8000/health');
	});

	test('the runtime services set only variables the service reads, listen beyond loopback with a token, and pull the models they use', () => {
		const known = new Set(ENVIRONMENT.map((v) => v.name));
		const interpolated = parseCompose(interpolate(text, exampleEnv));
		for (const name of ['runtime', 'worker']) {
			const env = environmentOf(compose.services[name]);
			expect(Object.keys(env).filter((variable) => !known.has(variable))).toEqual([]);
			expect(env.HOST).toBe('0.0.0.0');
			expect(env.PORT).toBe('8000');
			expect(env.API_TOKEN).toBe('${API_TOKEN:?set API_TOKEN in .env (see .env.example)}');
			expect(env.REDIS_URL).toBe('redis://redis:6379');
			const resolved = environmentOf(interpolated.services[name]);
			expect(resolved.GIT_REMOTE_BASE).toBe('/srv/git');
			expect(interpolated.services[name].volumes).toContain('git_remotes:/srv/git');
		}
		const pulled = environmentOf(interpolated.services['ollama-pull']).MODELS.split(/\s+/);
		const models = environmentOf(interpolated.services.worker);
		expect(pulled).toEqual(expect.arrayContaining([models.MODEL_PLANNER, models.MODEL_DEVELOPER, models.MODEL_TESTER, models.MODEL_REPORTER]));
	});

	test('n8n-init gives n8n the credential for http://runtime:8000 with the API token, from files its image has', () => {
		const init = compose.services['n8n-init'];
		const env = environmentOf(init);
		expect(env.AIC_RUNTIME_URL).toBe(`http://runtime:${environmentOf(compose.services.runtime).PORT}`);
		expect(env.API_TOKEN).toBe('${API_TOKEN:?set API_TOKEN in .env (see .env.example)}');
		expect(argv(init.entrypoint)).toEqual(['node', '/opt/ai-company/init.js']);
		const { final } = finalStage(init);
		expect(final.from).toBe('n8nio/n8n:2.41.1');
		expect(final.copies).toEqual(expect.arrayContaining([expect.objectContaining({ sources: ['docker/n8n/init.js'], dest: '/opt/ai-company/init.js' })]));
		expect(init.volumes).toEqual(expect.arrayContaining(['n8n_data:/home/node/.n8n', './workflows:/workflows:ro']));
		expect(compose.services.n8n.volumes).toContain('n8n_data:/home/node/.n8n');
		expect(compose.services.n8n.image).toBe(init.image);
	});

	test('n8n reads request bodies of at most 1 MiB (N8N_PAYLOAD_SIZE_MAX), as start:local sets it, so a huge intake is refused before any workflow runs', () => {
		const { PAYLOAD_SIZE_MAX_MIB } = require('../../../scripts/lib/n8nInstance') as { PAYLOAD_SIZE_MAX_MIB: string };
		expect(environmentOf(compose.services.n8n).N8N_PAYLOAD_SIZE_MAX).toBe('1');
		expect(PAYLOAD_SIZE_MAX_MIB).toBe('1');
	});

	test("the runtime services may call n8n (OUTBOUND_ALLOW names this file's n8n service, by default and in .env.example): its resume URLs and the Trigger's webhook are on a private address", () => {
		expect(compose.services.n8n).toBeDefined();
		for (const env of [exampleEnv, { API_TOKEN: exampleEnv.API_TOKEN }]) {
			const interpolated = parseCompose(interpolate(text, env));
			for (const name of ['runtime', 'worker']) {
				const allow = parseOutboundAllow(environmentOf(interpolated.services[name]).OUTBOUND_ALLOW ?? '');
				expect(isAllowedName('n8n', allow)).toBe(true);
				// n8n builds those URLs on WEBHOOK_URL: a host the runtime containers reach and may call.
				expect(isAllowedName(new URL(environmentOf(interpolated.services.n8n).WEBHOOK_URL).hostname, allow)).toBe(true);
			}
		}
	});

	test('Redis keeps an append-only file on a volume', () => {
		const redis = compose.services.redis;
		expect(argv(redis.command)).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
		expect(redis.volumes).toContain('redis_data:/data');
	});

	test('`docker compose config -q` accepts it (skipped where the docker CLI or its compose plugin is missing)', () => {
		const version = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
		if (version.error || version.status !== 0) {
			console.log(`skipped docker compose config: ${version.error ? `no docker CLI (${version.error.message})` : `no compose plugin (${(version.stderr || version.stdout).trim()})`}`);
			return;
		}
		const result = spawnSync('docker', ['compose', '--env-file', '.env.example', 'config', '-q'], {
			cwd: REPO,
			encoding: 'utf8',
			env: { ...process.env, API_TOKEN: exampleEnv.API_TOKEN },
		});
		expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
	});
});

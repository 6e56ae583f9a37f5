import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

// The GitHub Actions workflows, read as GitHub reads them (YAML 1.2: `on` is a key, not `true`).
// What n8n asks of a package it can verify: published from a GitHub Actions workflow with an npm
// provenance statement; what npm's trusted publishing asks: `id-token: write`, npm 11.5.1 or later
// on Node 22.14 or later, and no long-lived token.

const root = join(__dirname, '../../..');
const WORKFLOWS = join(root, '.github/workflows');

interface Step {
	id?: string;
	name?: string;
	uses?: string;
	run?: string;
	with?: Record<string, string | number | boolean>;
	env?: Record<string, string>;
}
interface Job {
	'runs-on'?: string;
	needs?: string | string[];
	permissions?: Record<string, string> | string;
	services?: Record<string, { image: string; ports?: string[] }>;
	uses?: string;
	steps?: Step[];
	outputs?: Record<string, string>;
}
interface Workflow {
	on: Record<string, unknown>;
	permissions?: Record<string, string> | string;
	jobs: Record<string, Job>;
}

function workflowText(file: string): string {
	return readFileSync(join(WORKFLOWS, file), 'utf8');
}

/** The workflow as YAML; throws on invalid YAML (duplicate keys included, which GitHub refuses too). */
export function parseWorkflow(text: string): Workflow {
	return parse(text, { uniqueKeys: true, strict: true }) as Workflow;
}

function needsOf(job: Job): string[] {
	return job.needs === undefined ? [] : ([] as string[]).concat(job.needs);
}

/** The steps of `job` that use `action` (any version). */
function stepsUsing(job: Job, action: string): Step[] {
	return (job.steps ?? []).filter((s) => s.uses?.split('@')[0] === action);
}

/** Every place a workflow names a secret or a token variable: `secrets.X` expressions and env keys. */
export function tokensUsed(workflow: unknown): string[] {
	const found: string[] = [];
	const walk = (value: unknown, key?: string): void => {
		if (key !== undefined && /(^|_)(AUTH_)?TOKEN$/i.test(key) && key !== 'GITHUB_TOKEN') found.push(`env ${key}`);
		if (typeof value === 'string') {
			for (const m of value.matchAll(/secrets\.([A-Za-z0-9_]+)|secrets\[\s*'([^']+)'\s*\]/g)) found.push(`secrets.${m[1] ?? m[2]}`);
			if (/_authToken|NODE_AUTH_TOKEN|NPM_TOKEN/.test(value)) found.push(`text ${value.trim().split('\n')[0]}`);
		} else if (Array.isArray(value)) {
			value.forEach((v) => walk(v));
		} else if (value && typeof value === 'object') {
			for (const [k, v] of Object.entries(value)) walk(v, k);
		}
	};
	walk(workflow);
	return found;
}

/** Whether every npm version that `npm install -g npm@<spec>` may install is 11.5.1 or later (trusted publishing needs it). */
export function npmSpecIsTrustedPublishingReady(spec: string): boolean {
	if (spec === 'latest') return true;
	const m = /^[\^~]?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(spec);
	if (!m) return false;
	// The lowest version the spec allows: "11" allows 11.0.0, "^11.5.1" and "~11.5.1" allow 11.5.1.
	const lowest = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
	const needed = [11, 5, 1];
	const differs = lowest.findIndex((part, i) => part !== needed[i]);
	return differs === -1 || lowest[differs] > needed[differs];
}

describe('the CI workflow (.github/workflows/ci.yml)', () => {
	const ci = parseWorkflow(workflowText('ci.yml'));
	const jobs = Object.values(ci.jobs);

	it('runs on every push to a branch, every pull request, and when the release calls it', () => {
		expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
		const push = ci.on.push as { branches?: string[]; tags?: string[] } | null;
		expect(push === null || push.branches === undefined || push.branches.includes('**')).toBe(true);
		expect(ci.permissions).toEqual({ contents: 'read' });
	});

	it('runs .ci/run itself on Node 20, with a Redis on port 6379, bubblewrap and the redis-server binary', () => {
		expect(jobs).toHaveLength(1);
		const [job] = jobs;
		expect(job.steps!.some((s) => /(^|\s)(bash )?\.ci\/run\s*$/.test(s.run ?? ''))).toBe(true);
		const setupNode = stepsUsing(job, 'actions/setup-node');
		expect(setupNode).toHaveLength(1);
		expect(String(setupNode[0].with?.['node-version'])).toMatch(/^20(\.|$)/);
		const redis = Object.values(job.services ?? {}).find((s) => /^redis(:|$)/.test(s.image));
		expect(redis?.ports).toContain('6379:6379');
		// What .ci/run's tests need that the runner lacks: bubblewrap and the redis-server binary.
		expect(job.steps!.some((s) => /apt-get install\b.*\bbubblewrap\b/.test(s.run ?? '') && /\bredis-server\b/.test(s.run ?? ''))).toBe(true);
	});

	it("caches the e2e suite's n8n install under the n8n version it installs", () => {
		const [job] = jobs;
		const cache = stepsUsing(job, 'actions/cache');
		expect(cache).toHaveLength(1);
		expect(cache[0].with?.path).toBe('~/.cache/n8n-nodes-ai-company');
		const key = String(cache[0].with?.key);
		const versionStep = /steps\.([\w-]+)\.outputs\.version/.exec(key)?.[1];
		expect(versionStep).toBeDefined();
		const step = job.steps!.find((s) => s.id === versionStep)!;
		expect(step.run).toContain('N8N_VERSION');
		// The step's own command prints the version the e2e installs.
		const out = mkdtempSync(join(tmpdir(), 'aic-gh-output-'));
		try {
			execFileSync('bash', ['-c', step.run!], { cwd: root, env: { ...process.env, GITHUB_OUTPUT: join(out, 'o') } });
			const { N8N_VERSION } = require(join(root, 'scripts/lib/n8nInstance.js')) as { N8N_VERSION: string };
			expect(readFileSync(join(out, 'o'), 'utf8')).toBe(`version=${N8N_VERSION}\n`);
		} finally {
			rmSync(out, { recursive: true, force: true });
		}
	});
});

describe('the release workflow (.github/workflows/release.yml)', () => {
	const release = parseWorkflow(workflowText('release.yml'));
	const jobs = release.jobs;
	const jobRunning = (pattern: RegExp): [string, Job] => {
		const found = Object.entries(jobs).filter(([, job]) => (job.steps ?? []).some((s) => pattern.test(s.run ?? '')));
		expect(found).toHaveLength(1);
		return found[0];
	};
	/** Every job `name` waits for, directly or not. */
	const upstream = (name: string): Set<string> => {
		const seen = new Set<string>();
		const visit = (n: string) => needsOf(jobs[n]).forEach((d) => (seen.has(d) ? undefined : (seen.add(d), visit(d))));
		visit(name);
		return seen;
	};

	it('runs only on a pushed version tag vX.Y.Z', () => {
		expect(Object.keys(release.on)).toEqual(['push']);
		expect(release.on.push).toEqual({ tags: ['v*.*.*'] });
	});

	it('grants nothing by default; only the publish job gets id-token: write, only the image job packages: write', () => {
		expect(release.permissions).toEqual({});
		for (const [name, job] of Object.entries(jobs)) expect({ name, permissions: job.permissions }).toEqual({ name, permissions: expect.any(Object) });
		const [publish] = jobRunning(/\bnpm publish\b/);
		const withIdToken = Object.entries(jobs).filter(([, job]) => (job.permissions as Record<string, string>)['id-token'] === 'write').map(([n]) => n);
		expect(withIdToken).toEqual([publish]);
		expect(jobs[publish].permissions).toEqual({ 'id-token': 'write', contents: 'read' });
		const withPackages = Object.entries(jobs).filter(([, job]) => (job.permissions as Record<string, string>).packages === 'write');
		expect(withPackages).toHaveLength(1);
		expect(withPackages[0][1].permissions).toEqual({ contents: 'read', packages: 'write' });
	});

	it("refuses a tag that is not package.json's version before anything is tested or published", () => {
		const [check] = jobRunning(/require\('\.\/package\.json'\)\.version/);
		const step = jobs[check].steps!.find((s) => /package\.json/.test(s.run ?? ''))!;
		expect(step.env).toEqual({ TAG: '${{ github.ref_name }}' });
		const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
		const run = (tag: string) => {
			const out = mkdtempSync(join(tmpdir(), 'aic-gh-output-'));
			try {
				execFileSync('bash', ['-e', '-c', step.run!], { cwd: root, env: { ...process.env, TAG: tag, GITHUB_OUTPUT: join(out, 'o') }, stdio: 'pipe' });
				return readFileSync(join(out, 'o'), 'utf8');
			} catch (error) {
				return `exit ${(error as { status: number }).status}: ${String((error as { stdout: Buffer }).stdout)}`;
			} finally {
				rmSync(out, { recursive: true, force: true });
			}
		};
		expect(run(`v${version}`)).toBe(`version=${version}\n`);
		expect(run('v99.0.0')).toMatch(new RegExp(`^exit 1: ::error::tag v99\\.0\\.0 does not match package\\.json's version ${version.replace(/\./g, '\\.')}`));
		expect(run(version)).toMatch(/^exit 1/);
		for (const name of Object.keys(jobs)) if (name !== check) expect(upstream(name)).toContain(check);
	});

	it('publishes and builds the image only after the tests of ci.yml passed', () => {
		const tests = Object.entries(jobs).filter(([, job]) => job.uses === './.github/workflows/ci.yml');
		expect(tests).toHaveLength(1);
		const [publish] = jobRunning(/\bnpm publish\b/);
		const image = Object.entries(jobs).find(([, job]) => stepsUsing(job, 'docker/build-push-action').length > 0)![0];
		expect(upstream(publish)).toContain(tests[0][0]);
		expect(upstream(image)).toContain(tests[0][0]);
	});

	it("publishes with npm's trusted publishing: Node 22, npm 11.5.1 or later, the npm registry, --provenance and public access", () => {
		const [publish] = jobRunning(/\bnpm publish\b/);
		const steps = jobs[publish].steps!;
		const setupNode = stepsUsing(jobs[publish], 'actions/setup-node');
		expect(setupNode).toHaveLength(1);
		expect(Number(String(setupNode[0].with?.['node-version']).split('.')[0])).toBeGreaterThanOrEqual(22);
		expect(setupNode[0].with?.['registry-url']).toBe('https://registry.npmjs.org');
		// setup-node before v7 exported a placeholder NODE_AUTH_TOKEN that npm took instead of OIDC.
		expect(Number(setupNode[0].uses!.split('@v')[1])).toBeGreaterThanOrEqual(7);
		const npmInstall = steps.map((s) => /npm (?:install|i) (?:--global|-g) npm@(\S+)/.exec(s.run ?? '')?.[1]).filter(Boolean);
		expect(npmInstall).toHaveLength(1);
		expect(npmSpecIsTrustedPublishingReady(npmInstall[0]!)).toBe(true);
		const publishLines = steps.flatMap((s) => (s.run ?? '').split('\n')).filter((line) => /\bnpm publish\b/.test(line));
		expect(publishLines).toHaveLength(1);
		expect(publishLines[0]).toMatch(/--provenance\b/);
		expect(publishLines[0]).toMatch(/--access public\b/);
		// What is published is what was just built, checked by the packaging tests first.
		const order = (pattern: RegExp) => steps.findIndex((s) => pattern.test(s.run ?? ''));
		expect(order(/^npm ci\b/)).toBeGreaterThan(-1);
		expect(order(/^npm ci\b/)).toBeLessThan(order(/^npm run build$/));
		expect(order(/^npm run build$/)).toBeLessThan(order(/test\/unit\/packaging/));
		expect(order(/test\/unit\/packaging/)).toBeLessThan(order(/\bnpm publish\b/));
		// `--selectProjects unit test/...` would read the path as a second project name and run every unit test.
		expect(steps[order(/test\/unit\/packaging/)].run).toMatch(/^npx jest test\/unit\/packaging --selectProjects unit$/);
	});

	it('uses no npm token or other secret, only the GITHUB_TOKEN to push the image', () => {
		expect(tokensUsed(release)).toEqual(['secrets.GITHUB_TOKEN']);
		expect(tokensUsed(parseWorkflow(workflowText('ci.yml')))).toEqual([]);
		const image = Object.values(jobs).find((job) => stepsUsing(job, 'docker/build-push-action').length > 0)!;
		expect(stepsUsing(image, 'docker/login-action')[0].with).toMatchObject({ registry: 'ghcr.io', password: '${{ secrets.GITHUB_TOKEN }}' });
	});

	it("builds runtime/Dockerfile and pushes it to ghcr.io, tagged from the checked version", () => {
		const image = Object.values(jobs).find((job) => stepsUsing(job, 'docker/build-push-action').length > 0)!;
		const [build] = stepsUsing(image, 'docker/build-push-action');
		expect(build.with).toMatchObject({ context: '.', file: 'runtime/Dockerfile', push: true });
		const meta = image.steps!.find((s) => s.uses?.startsWith('docker/metadata-action@'))!;
		expect(build.with?.tags).toBe(`\${{ steps.${meta.id}.outputs.tags }}`);
		expect(meta.with?.images).toBe('ghcr.io/${{ github.repository_owner }}/ai-company-runtime');
		expect(String(meta.with?.tags)).toContain('type=semver,pattern={{version}},value=v${{ needs.version.outputs.version }}');
		expect(needsOf(image)).toContain('version');
	});
});

describe('tokensUsed', () => {
	it('finds npm tokens however a workflow passes them, and lets the GITHUB_TOKEN through', () => {
		expect(tokensUsed({ env: { NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}' } })).toEqual(['env NODE_AUTH_TOKEN', 'secrets.NPM_TOKEN', 'text ${{ secrets.NPM_TOKEN }}']);
		expect(tokensUsed({ run: 'npm config set //registry.npmjs.org/:_authToken "$X"' })).toEqual(['text npm config set //registry.npmjs.org/:_authToken "$X"']);
		expect(tokensUsed({ with: { password: "${{ secrets['PUBLISH'] }}" } })).toEqual(['secrets.PUBLISH']);
		expect(tokensUsed({ env: { GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}' } })).toEqual(['secrets.GITHUB_TOKEN']);
	});
});

describe('npmSpecIsTrustedPublishingReady', () => {
	it('accepts a spec only when every version it allows is 11.5.1 or later', () => {
		for (const spec of ['latest', '^11.5.1', '11.5.1', '~11.5.2', '11.6', '12', '^12.0.0']) expect({ spec, ok: npmSpecIsTrustedPublishingReady(spec) }).toEqual({ spec, ok: true });
		for (const spec of ['10', '11', '^11.0.0', '11.5.0', '11.4', '~11.4.0', 'next-10', '']) expect({ spec, ok: npmSpecIsTrustedPublishingReady(spec) }).toEqual({ spec, ok: false });
	});
});

/**
 * The dependency rules (.dependency-cruiser.cjs, run by `npm run lint:deps`) can fail: each is broken
 * once in test/fixtures/dependency-rules/, and a cruise of that tree with the project's config must
 * name every rule. A rule whose paths no longer match anything (a renamed room, a typo in a pattern)
 * would pass the lint for ever; here it fails.
 *
 * dependency-cruiser 17 is ESM only and this suite runs as CommonJS, so the test runs the same
 * command `lint:deps` runs, with JSON output, from the fixture tree.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const configFile = path.join(root, '.dependency-cruiser.cjs');
const fixtureTree = path.join(root, 'test/fixtures/dependency-rules');
const depcruise = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
	rule: { name: string; severity: string };
	from: string;
	to: string;
}

const config: { forbidden: Array<{ name: string; severity: string }> } = require(configFile);

function cruiseFixtureTree(): Violation[] {
	const run = spawnSync(
		process.execPath,
		[depcruise, 'runtime', 'nodes', 'credentials', '--config', configFile, '--output-type', 'json'],
		{ cwd: fixtureTree, encoding: 'utf8' },
	);
	if (!run.stdout) throw new Error(`dependency-cruiser printed nothing (status ${run.status}): ${run.stderr}`);
	return (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('the dependency rules', () => {
	let violations: Violation[];
	beforeAll(() => {
		violations = cruiseFixtureTree();
	});

	it('every rule of the config reports its break in the fixture tree, as an error', () => {
		const names = config.forbidden.map((rule) => rule.name);
		expect(names.length).toBeGreaterThanOrEqual(13);
		const reported = new Set(violations.map((violation) => violation.rule.name));
		expect(names.filter((name) => !reported.has(name))).toEqual([]);
		expect(config.forbidden.filter((rule) => rule.severity !== 'error')).toEqual([]);
	});

	it('reports exactly the broken edges: contracts may use ajv and node built-ins, nodes contracts and planning, public.ts bin; tests are not cruised; type imports count', () => {
		const found = violations
			.map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`)
			.sort();
		expect(found).toEqual(
			[
				'api-imports-no-worker: runtime/api/routes.ts → runtime/worker/jobs.ts',
				'contracts-import-only-contracts: runtime/contracts/shapes.ts → runtime/errors.ts',
				'driver-imports-no-worker-api-or-bin: runtime/driver/outcome.ts → runtime/api/auth.ts',
				'every-import-resolves: runtime/sandbox/lost.ts → ./nowhere',
				'no-circular: runtime/config/environment.ts → runtime/config/settings.ts',
				'nodes-import-only-contracts-and-planning: nodes/Example/Example.node.ts → runtime/state/store.ts',
				'only-bin-imports-bin: runtime/failures.ts → runtime/bin/start.ts',
				'pipeline-and-agents-import-no-flow: runtime/pipeline/step.ts → runtime/queue/queue.ts',
				'runtime-imports-no-nodes: runtime/queue/queue.ts → credentials/Example.credentials.ts',
				'state-knows-no-model-files-or-flow: runtime/state/store.ts → runtime/llm/model.ts',
				'webhooks-import-no-worker-or-wiring: runtime/webhooks/deliver.ts → runtime/driver/outcome.ts',
				'worker-imports-no-api: runtime/worker/jobs.ts → runtime/api/auth.ts',
				'workspace-knows-no-store-or-flow: runtime/workspace/files.ts → runtime/state/store.ts',
			].sort(),
		);
	});
});

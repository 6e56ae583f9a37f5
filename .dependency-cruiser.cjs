/**
 * The house's dependency rules (issue 23; README "Layout"), checked by `npm run lint:deps`
 * (part of `npm run lint`, so CI runs it). A lower room never imports a higher one:
 *   contracts < config, llm, state, sandbox/workspace < agents, ui < pipeline < queue, webhooks
 *   < driver < worker, api < bin   (worker and api never import each other)
 * Type-only imports count: `tsPreCompilationDeps` keeps `import type` edges, because the rule is
 * about what the source says, not what survives compilation.
 * test/unit/packaging/dependencyRules.test.ts breaks every rule once in
 * test/fixtures/dependency-rules/, so a rule that can no longer fail is caught.
 */

const path = require('node:path');

/** A path pattern for the named rooms of runtime/ (each a folder). */
const rooms = (...names) => `^runtime/(${names.join('|')})/`;

/** Every rule is an error: one violation fails `npm run lint`. */
const rule = (name, comment, from, to) => ({ name, comment, severity: 'error', from, to });

const forbidden = [
	rule(
		'contracts-import-only-contracts',
		'contracts are the ground floor: the shapes, their schemas, the validator and the shared limits. ' +
			'Everyone imports them, so they import nothing of ours but themselves; of npm only ajv (the schema validator) and node built-ins.',
		{ path: rooms('contracts') },
		{ pathNot: [rooms('contracts'), '(^|/)node_modules/ajv/'], dependencyTypesNot: ['core'] },
	),
	rule(
		'state-knows-no-model-files-or-flow',
		'The Redis store keeps projects and nothing else: it knows no model (llm), no files (sandbox, workspace), ' +
			'no agents or steps and nothing that drives, queues or serves the work.',
		{ path: rooms('state') },
		{
			path: rooms(
				'llm',
				'sandbox',
				'workspace',
				'agents',
				'pipeline',
				'queue',
				'driver',
				'worker',
				'api',
				'webhooks',
				'service',
				'bin',
			),
		},
	),
	rule(
		'workspace-knows-no-store-or-flow',
		'The workspace (files, git, publishing) is handed what it writes: it reads no store and knows nothing that drives, queues or serves the work.',
		{ path: rooms('workspace') },
		{ path: rooms('state', 'queue', 'driver', 'worker', 'api', 'service', 'bin') },
	),
	rule(
		'api-imports-no-worker',
		'Routes validate, store and enqueue; what runs after a change is the driver, which both use. The api never reaches into the worker.',
		{ path: rooms('api') },
		{ path: rooms('worker') },
	),
	rule(
		'worker-imports-no-api',
		'The worker runs jobs; it never reaches into the HTTP routes (the two roles start apart and meet only in bin/).',
		{ path: rooms('worker') },
		{ path: rooms('api') },
	),
	rule(
		'webhooks-import-no-worker-or-wiring',
		'Signed deliveries to subscribers sit below the driver, which announces outcomes through them: they import no worker, driver or service wiring.',
		{ path: rooms('webhooks') },
		{ path: rooms('worker', 'driver', 'service', 'bin') },
	),
	rule(
		'pipeline-and-agents-import-no-flow',
		'A step (pipeline) and an agent work on what they are handed: they never reach up into the queue, the driver, the worker, the api or the wiring.',
		{ path: rooms('pipeline', 'agents') },
		{ path: rooms('api', 'queue', 'driver', 'worker', 'service', 'bin') },
	),
	rule(
		'ui-renders-what-it-is-handed',
		'The pages (runtime/ui: dashboard, portal, their escaping and sessions) render the shapes the api hands them: ' +
			'of the runtime they import only the contracts, the store\'s key names and themselves; the api serves them.',
		{ path: rooms('ui') },
		{ path: '^runtime/', pathNot: [rooms('ui', 'contracts'), '^runtime/state/keys\\.ts$'] },
	),
	rule(
		'driver-imports-no-worker-api-or-bin',
		'The driver (after every change: decide, enqueue the next step, announce the outcome) is used by the api and the worker alike, so it imports neither, nor the start.',
		{ path: rooms('driver') },
		{ path: rooms('worker', 'api', 'bin') },
	),
	rule(
		'only-bin-imports-bin',
		"bin/ is the program's start, the top floor: nothing imports it but itself and the package's face " +
			'(runtime/public.ts, the `main` of the runtime package, which hands startService to programs that embed the service).',
		{ pathNot: [rooms('bin'), '^runtime/public\\.ts$'] },
		{ path: rooms('bin') },
	),
	rule(
		'runtime-imports-no-nodes',
		'The runtime is a service of its own; the n8n nodes and the credential are its clients, never its parts.',
		{ path: '^runtime/' },
		{ path: '^(nodes|credentials)/' },
	),
	rule(
		'nodes-import-only-contracts-and-planning',
		"The n8n package ships no runtime: its nodes and credential take the runtime's contract types (import type, erased at build) " +
			'and the pure task graph (runtime/planning, shipped in the package), nothing else of runtime/.',
		{ path: '^(nodes|credentials)/' },
		{ path: '^runtime/', pathNot: '^runtime/(contracts|planning)/' },
	),
	rule(
		'every-import-resolves',
		'An import the cruise cannot resolve to a file or a package is an edge it cannot judge: it would hide a violation.',
		{},
		{ couldNotResolve: true },
	),
	rule(
		'no-circular',
		'No cycles: a module that reaches itself through its imports has no place in the order (type-only imports count).',
		{},
		{ circular: true },
	),
];

/**
 * The whole order of STYLE.md, floor by floor: a room imports nothing from a higher floor (rooms on
 * one floor may use each other). `service` (the Services interface and metrics the processes share)
 * sits between the queue/webhooks and the driver, as its imports and importers do. Rooms outside the
 * order (net, planning, prompts and the files at runtime/'s root) are bound only by the rules above.
 */
const floors = [
	['contracts'],
	['config', 'llm', 'state', 'sandbox', 'workspace'],
	['agents', 'ui'],
	['pipeline'],
	['queue', 'webhooks'],
	['service'],
	['driver'],
	['worker', 'api'],
	['bin'],
];
const fullOrder = floors.slice(0, -1).flatMap((floor, index) =>
	floor.map((room) =>
		rule(
			`order-${room}-imports-no-higher-floor`,
			`STYLE.md's order: ${room}/ is on floor ${index} and imports nothing from a higher floor.`,
			{ path: rooms(room) },
			{ path: rooms(...floors.slice(index + 1).flat()) },
		),
	),
);

module.exports = {
	forbidden: [...forbidden, ...fullOrder],
	options: {
		// What the cruise reads: the sources, never the build output, the packages or the tests.
		doNotFollow: { path: '(^|/)node_modules/' },
		exclude: { path: ['^(runtime/)?dist/', '\\.(test|spec)\\.ts$', '^test/'] },
		tsPreCompilationDeps: true,
		// The project's compiler options, wherever the cruise starts (the rule test cruises a fixture tree).
		tsConfig: { fileName: path.join(__dirname, 'tsconfig.json') },
		// Resolve packages as node does (their `exports`), so every import is an edge of the graph.
		enhancedResolveOptions: {
			exportsFields: ['exports'],
			conditionNames: ['import', 'require', 'node', 'default', 'types'],
			mainFields: ['module', 'main', 'types', 'typings'],
			extensions: ['.ts', '.js', '.json', '.d.ts'],
		},
	},
};

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize } from 'node:path';

// What n8n asks of a community package (and what lets it be verified, so n8n 3.0 keeps it on):
// no runtime dependencies, nothing but n8n-workflow and crypto required, no runtime service code shipped.
const root = join(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
	dependencies?: Record<string, string>;
	peerDependencies: Record<string, string>;
	n8n: { nodes: string[]; credentials: string[]; strict?: boolean };
};

/** The packed file list, as `npm pack` would publish it. */
function packedFiles(): string[] {
	const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
	return (JSON.parse(output) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
}

/** Every `require("…")` of a compiled file. */
function requiresOf(file: string): string[] {
	return [...readFileSync(join(root, file), 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
}

/**
 * Of Node's built-ins, only what n8n's own cloud lint allows a community node
 * (@n8n/eslint-plugin-community-nodes, no-restricted-imports): crypto, which the AI Company Trigger
 * needs to check a delivery's HMAC signature, as n8n's GitHub Trigger does. No fs, child_process,
 * net or process: a verified node touches no files, processes or environment.
 */
const ALLOWED_BUILTINS = new Set(['crypto', 'node:crypto']);

/** What is wrong with one require of a packed file: undefined when it is n8n-workflow, crypto or a packed file of ours. */
export function requireProblem(file: string, specifier: string, packed: Set<string>): string | undefined {
	if (specifier === 'n8n-workflow' || ALLOWED_BUILTINS.has(specifier)) return undefined;
	if (specifier.startsWith('.')) {
		const target = normalize(join(dirname(file), specifier));
		return packed.has(`${target}.js`) || packed.has(target) ? undefined : `${file} requires ${specifier}, which is not in the package`;
	}
	const isBuiltin = specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);
	return `${file} requires ${isBuiltin ? 'the Node built-in ' : ''}${specifier}: a verified community node may require only n8n-workflow and crypto`;
}

describe('the node package as npm packs it', () => {
	let files: string[];

	beforeAll(() => {
		if (!existsSync(join(root, 'dist'))) throw new Error('dist/ is missing: `npm test` builds first; run `npm run build`');
		files = packedFiles();
	});

	it('has no runtime dependencies, n8n-workflow as its only peer, and strict n8n settings', () => {
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.n8n.strict).toBe(true);
	});

	it('ships compiled code that requires nothing but n8n-workflow, crypto and its own packed files', () => {
		const packed = new Set(files);
		const code = files.filter((f) => f.endsWith('.js'));
		expect(code.length).toBeGreaterThan(pkg.n8n.nodes.length);
		const problems = code.flatMap((file) => requiresOf(file).map((specifier) => requireProblem(file, specifier, packed))).filter(Boolean);
		expect(problems).toEqual([]);
	});

	it('ships the nodes, the credential and their light and dark icons, and no runtime service, tests or sources', () => {
		for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(files).toContain(entry);
		expect(files.filter((f) => f.endsWith('.dark.svg')).length).toBe(pkg.n8n.nodes.length + pkg.n8n.credentials.length);
		const runtimeFiles = files.filter((f) => f.startsWith('dist/runtime/') || f.startsWith('runtime/'));
		expect(runtimeFiles).toEqual(['dist/runtime/planning/taskGraph.js']);
		expect(files.filter((f) => f.startsWith('test/') || /(?<!\.d)\.ts$/.test(f) || f.endsWith('.hbs') || f.endsWith('.lua'))).toEqual([]);
		expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
	});

	it("names each node and credential class after its file, as n8n's loader requires, loading from the packed files alone", () => {
		// Inside node_modules/, so that `require('n8n-workflow')` finds the peer as n8n provides it.
		const unpacked = mkdtempSync(join(root, 'node_modules', '.aic-pack-'));
		try {
			const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', unpacked], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!;
			execFileSync('tar', ['-xzf', join(unpacked, tarball), '-C', unpacked]);
			for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
				const className = entry.split('/').pop()!.split('.')[0];
				const exported = require(join(unpacked, 'package', entry)) as Record<string, new () => unknown>;
				expect(typeof exported[className]).toBe('function');
				expect(() => new exported[className]()).not.toThrow();
			}
		} finally {
			rmSync(unpacked, { recursive: true, force: true });
		}
	});
});

describe('requireProblem', () => {
	const packed = new Set(['dist/nodes/A/A.node.js', 'dist/nodes/shared/x.js']);
	it('accepts n8n-workflow, crypto and relative requires of packed files', () => {
		expect(requireProblem('dist/nodes/A/A.node.js', 'n8n-workflow', packed)).toBeUndefined();
		expect(requireProblem('dist/nodes/A/A.node.js', 'crypto', packed)).toBeUndefined();
		expect(requireProblem('dist/nodes/A/A.node.js', 'node:crypto', packed)).toBeUndefined();
		expect(requireProblem('dist/nodes/A/A.node.js', '../shared/x', packed)).toBeUndefined();
	});
	it('refuses a relative require of a file left out of the package, a dependency and a Node built-in', () => {
		expect(requireProblem('dist/nodes/A/A.node.js', '../../runtime/index', packed)).toMatch(/not in the package/);
		expect(requireProblem('dist/nodes/A/A.node.js', 'ajv', packed)).toMatch(/may require only n8n-workflow/);
		expect(requireProblem('dist/nodes/A/A.node.js', 'node:fs', packed)).toMatch(/Node built-in node:fs/);
		expect(requireProblem('dist/nodes/A/A.node.js', 'child_process', packed)).toMatch(/Node built-in child_process/);
		expect(requireProblem('dist/nodes/A/A.node.js', 'crypto-js', packed)).toMatch(/may require only n8n-workflow and crypto/);
	});
});

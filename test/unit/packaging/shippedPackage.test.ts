import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative, sep } from 'node:path';

// What n8n asks of a community package (and what lets it be verified, so n8n 3.0 keeps it on):
// no runtime dependencies, nothing but n8n-workflow and crypto required, no runtime service code shipped.
const root = join(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
	repository: { type: string; url: string } | string;
	homepage: string;
	author: { name?: string; email?: string } | string;
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

/** Every file under `dir` (relative to the repository root), as paths with forward slashes. */
function filesUnder(dir: string): string[] {
	return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

/**
 * The compiled runtime files the nodes and the credential need: what their relative requires reach
 * outside dist/nodes and dist/credentials, and what those files require in turn (read from the
 * compiled files on disk, not from the package, so a require the package leaves out is counted).
 */
export function runtimeFilesRequired(entries: string[], read: (file: string) => string[] = requiresOf): string[] {
	const found = new Set<string>();
	const queue = [...entries];
	for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
		for (const specifier of read(file)) {
			if (!specifier.startsWith('.')) continue;
			const target = `${normalize(join(dirname(file), specifier)).split(sep).join('/').replace(/\.js$/, '')}.js`;
			if (target.startsWith('dist/nodes/') || target.startsWith('dist/credentials/') || found.has(target)) continue;
			found.add(target);
			queue.push(target);
		}
	}
	return [...found].sort();
}

/** What `owner/name` a GitHub URL names (lower case, as GitHub compares them), or undefined. */
export function githubRepository(url: string): string | undefined {
	const m = /^(?:git\+)?https:\/\/github\.com\/([\w.-]+)\/([\w.-]+?)(?:\.git)?(?:#[\w-]*)?$/.exec(url);
	return m ? `${m[1]}/${m[2]}`.toLowerCase() : undefined;
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
		// Of the runtime, only the compiled files the nodes require (the next test computes them), no sources.
		expect(files.filter((f) => f.startsWith('runtime/'))).toEqual([]);
		expect(files.filter((f) => f.startsWith('test/') || /(?<!\.d)\.ts$/.test(f) || f.endsWith('.hbs') || f.endsWith('.lua'))).toEqual([]);
		expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
	});

	it('packs exactly the nodes, the credential, every template, README, LICENSE, package.json and the runtime files the nodes require', () => {
		const nodes = [...filesUnder('dist/nodes'), ...filesUnder('dist/credentials')];
		const runtime = runtimeFilesRequired(nodes.filter((f) => f.endsWith('.js')));
		expect(runtime).toContain('dist/runtime/planning/taskGraph.js');
		const templates = readdirSync(join(root, 'workflows')).filter((f) => f.endsWith('.json')).map((f) => `workflows/${f}`);
		expect(templates.length).toBeGreaterThan(0);
		const expected = [...nodes, ...runtime, ...templates, 'README.md', 'LICENSE', 'package.json'].sort();
		expect([...files].sort()).toEqual(expected);
	});

	it('names one public GitHub repository in repository.url and homepage, and an author with name and email, as n8n verification matches them', () => {
		const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository.url;
		const repository = githubRepository(url);
		expect(repository).toBeDefined();
		expect(githubRepository(pkg.homepage)).toBe(repository);
		const author = typeof pkg.author === 'string' ? /^(?<name>[^<]+?)\s*<(?<email>[^>]+)>/.exec(pkg.author)?.groups ?? {} : pkg.author;
		expect(author.name?.trim()).toBeTruthy();
		expect(author.email).toMatch(/^[^\s@]+@[^\s@]+\.[^\s@]+$/);
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

describe('runtimeFilesRequired', () => {
	const requires: Record<string, string[]> = {
		'dist/nodes/A/A.node.js': ['n8n-workflow', '../shared/x', '../../runtime/planning/graph'],
		'dist/nodes/shared/x.js': ['../../runtime/contracts/plan.js'],
		'dist/runtime/planning/graph.js': ['../contracts/plan', 'ajv'],
		'dist/runtime/contracts/plan.js': [],
	};
	it('follows relative requires out of the nodes, through the runtime files they reach', () => {
		expect(runtimeFilesRequired(['dist/nodes/A/A.node.js'], (f) => requires[f] ?? [])).toEqual(['dist/runtime/contracts/plan.js', 'dist/runtime/planning/graph.js']);
	});
});

describe('githubRepository', () => {
	it('reads owner/name from the forms package.json uses, and nothing from other hosts', () => {
		expect(githubRepository('git+https://github.com/Owner/repo.name.git')).toBe('owner/repo.name');
		expect(githubRepository('https://github.com/owner/repo#readme')).toBe('owner/repo');
		expect(githubRepository('https://gitlab.com/owner/repo')).toBeUndefined();
		expect(githubRepository('https://github.com/owner')).toBeUndefined();
	});
});

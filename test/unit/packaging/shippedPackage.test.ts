import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

// n8n's own folder already holds ajv, ollama, ioredis, … so a dependency missing from our
// package.json would load n8n's copy and pass every test in n8n: check it here, on the build.
const root = join(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
	dependencies: Record<string, string>;
	peerDependencies: Record<string, string>;
	n8n: { nodes: string[]; credentials: string[] };
};

function jsFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return jsFiles(path);
		return path.endsWith('.js') ? [path] : [];
	});
}

function packageNameOf(specifier: string): string {
	const parts = specifier.split('/');
	return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

describe('the package as npm packs it', () => {
	beforeAll(() => {
		if (!existsSync(join(root, 'dist'))) throw new Error('dist/ is missing: `npm test` builds first; run `npm run build`');
	});

	it('declares in dependencies every module the compiled code requires (n8n-workflow as a peer)', () => {
		const builtins = new Set(builtinModules);
		const required = new Map<string, string>();
		for (const file of jsFiles(join(root, 'dist'))) {
			for (const match of readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
				const specifier = match[1];
				if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier.split('/')[0])) continue;
				required.set(packageNameOf(specifier), relative(root, file));
			}
		}
		expect(required.size).toBeGreaterThan(0);
		const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]);
		const missing = [...required].filter(([name]) => !declared.has(name)).map(([name, file]) => `${name} (required by ${file})`);
		expect(missing).toEqual([]);
		expect(Object.keys(pkg.peerDependencies)).toEqual(['n8n-workflow']);
	});

	it('ships the nodes, credentials, icons and prompt templates, and no tests or sources', () => {
		const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
		const files = (JSON.parse(output) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
		for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(files).toContain(entry);
		expect(files.filter((f) => f.endsWith('.svg')).length).toBeGreaterThanOrEqual(pkg.n8n.nodes.length + pkg.n8n.credentials.length);
		expect(files).toContain('dist/runtime/prompts/planner.hbs');
		expect(files).toContain('dist/runtime/state/lua/commitChange.lua');
		expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
		expect(files.filter((f) => f.startsWith('test/') || f.startsWith('dist/test/') || /(?<!\.d)\.ts$/.test(f))).toEqual([]);
	});

	it('names each node and credential class after its file, as n8n\'s loader requires', () => {
		for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
			const className = entry.split('/').pop()!.split('.')[0];
			const exported = require(join(root, entry)) as Record<string, new () => unknown>;
			expect(typeof exported[className]).toBe('function');
			expect(() => new exported[className]()).not.toThrow();
		}
	});
});

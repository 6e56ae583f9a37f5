import { parse } from 'yaml';

import { isNodeTestCommand, nodeTestScript, packageName, packagingFiles, splitScript, UnknownLicenseError, type PackagingInput } from '../../../runtime/agents/devops';
import { reporterInputOf, writeReport } from '../../../runtime/agents/reporter';
import type { Project } from '../../../runtime/contracts/project';
import { runSettingsSchema } from '../../../runtime/contracts/service';
import { emptyUsage } from '../../../runtime/contracts/usage';
import type { LlmClient } from '../../../runtime/llm';
import { schemaProblems } from '../../../runtime/contracts/schemaValidator';

// DevOps's templates: what a finished project gets so a client can install, run and test it.

const NODE_LIBRARY: PackagingInput = {
	title: 'Math Library: Sums & Products!',
	summary: 'A tiny math library.\nSecond line.',
	techStack: ['Node.js'],
	clientName: 'Ada Lovelace',
	files: [
		{ path: 'src/sum.js', content: 'module.exports = { sum: (a, b) => a + b };\n' },
		{ path: 'test/sum.test.js', content: "require('node:test')('sums', () => {});\n" },
	],
	packagedAt: '2026-03-04T05:06:07.000Z',
	nodeMajor: 20,
	python: { version: '3.12', pytest: true },
};

const fileOf = (files: Array<{ path: string; content: string }>, path: string) => files.find((f) => f.path === path)?.content;

describe('a Node project', () => {
	it('gets package.json (npm-valid name from the title, node --test as its test script, engines), README, .gitignore and CI, and no Dockerfile for a library', () => {
		const packaging = packagingFiles(NODE_LIBRARY);
		expect(packaging.stack).toBe('node');
		expect(packaging.testCommand).toBe('npm test');
		expect(packaging.files.map((f) => f.path)).toEqual(['package.json', 'README.md', '.gitignore', '.github/workflows/ci.yml']);
		const pkg = JSON.parse(fileOf(packaging.files, 'package.json')!);
		expect(pkg).toMatchObject({ name: 'math-library-sums-products', description: 'A tiny math library.', engines: { node: '>=20' }, scripts: { test: 'node --test' }, private: true });
		expect(pkg.scripts.start).toBeUndefined();
		const readme = fileOf(packaging.files, 'README.md')!;
		expect(readme).toContain('# Math Library: Sums & Products!');
		expect(readme).toContain('A tiny math library.');
		expect(readme).toMatch(/## Install\n\n```sh\nnpm install\n```/);
		expect(readme).toMatch(/## Test\n\n```sh\nnpm test\n```/);
		expect(readme).toContain('There is no program to start');
		expect(fileOf(packaging.files, '.gitignore')).toContain('node_modules/');
	});

	it('has a CI workflow that parses as YAML, sets up the stack\'s Node version, installs and runs the test command', () => {
		const ci = parse(fileOf(packagingFiles(NODE_LIBRARY).files, '.github/workflows/ci.yml')!);
		const steps = ci.jobs.test.steps as Array<Record<string, unknown>>;
		expect(Object.keys(ci.on)).toEqual(['push', 'pull_request']);
		expect(steps.find((s) => s.uses === 'actions/setup-node@v4')?.with).toEqual({ 'node-version': 20 });
		expect(steps.filter((s) => s.run).map((s) => s.run)).toEqual(['npm install', 'npm test']);
	});

	it('names the test files in the script when Node would not find exactly the sandbox\'s by itself (a *.spec.js file)', () => {
		expect(nodeTestScript(['src/a.js', 'test/a.test.js'])).toBe('node --test');
		expect(nodeTestScript(['src/a.js', 'src/a.spec.js', 'test/b.test.js'])).toBe('node --test src/a.spec.js test/b.test.js');
		expect(nodeTestScript(['src/a.js', 'test/a.test.js'], true)).toBe('node --test test/a.test.js');
		expect(nodeTestScript(["it's.test.js"], true)).toBe("node --test 'it'\\''s.test.js'");
		expect(splitScript("node --test 'it'\\''s.test.js'")).toBeNull();
		expect(splitScript("node --test 'a b.test.js' c.test.js")).toEqual(['node', '--test', 'a b.test.js', 'c.test.js']);
		expect(splitScript('node --test && echo ok')).toBeNull();
		expect(isNodeTestCommand('echo "Error: no test specified" && exit 1')).toBe(false);
		expect(isNodeTestCommand('node --test test/')).toBe(true);
	});

	it('a service (a file that calls listen) gets a start script, a Dockerfile on the stack\'s Node exposing its port, and the README says how to run it', () => {
		const packaging = packagingFiles({
			...NODE_LIBRARY,
			files: [...NODE_LIBRARY.files, { path: 'src/server.js', content: "require('node:http').createServer(() => {}).listen(process.env.PORT || 8080);\n" }],
		});
		expect(JSON.parse(fileOf(packaging.files, 'package.json')!).scripts.start).toBe('node src/server.js');
		expect(fileOf(packaging.files, 'Dockerfile')).toBe('FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm install --omit=dev\nCOPY . .\nEXPOSE 8080\nCMD ["node", "src/server.js"]\n');
		expect(fileOf(packaging.files, 'README.md')).toMatch(/## Run\n\n```sh\nnpm start\n```\n\nIt listens on port 8080\./);
		expect(packaging.notes).toContain('a service (src/server.js listens on a port): Dockerfile added');
	});

	it('merges a task\'s package.json: its dependencies and type kept, npm init\'s failing test script replaced and said so', () => {
		const taskPkg = { name: 'Bad Name', type: 'module', dependencies: { express: '^4.0.0' }, scripts: { test: 'echo "Error: no test specified" && exit 1', lint: 'eslint .' } };
		const packaging = packagingFiles({ ...NODE_LIBRARY, files: [...NODE_LIBRARY.files, { path: 'package.json', content: JSON.stringify(taskPkg) }] });
		const pkg = JSON.parse(fileOf(packaging.files, 'package.json')!);
		expect(pkg).toMatchObject({ name: 'math-library-sums-products', type: 'module', dependencies: { express: '^4.0.0' }, scripts: { test: 'node --test', lint: 'eslint .' }, engines: { node: '>=20' } });
		expect(packaging.notes.join('\n')).toContain('test script "echo \\"Error: no test specified\\" && exit 1" replaced by "node --test"');
		expect(packaging.notes.join('\n')).toContain('kept its dependencies, "type"');
	});

	it('keeps a task\'s own node --test script until the fix round pins the sandbox\'s files', () => {
		const files = [...NODE_LIBRARY.files, { path: 'package.json', content: JSON.stringify({ scripts: { test: 'node --test test/old.test.js' } }) }];
		expect(JSON.parse(fileOf(packagingFiles({ ...NODE_LIBRARY, files }).files, 'package.json')!).scripts.test).toBe('node --test test/old.test.js');
		expect(JSON.parse(fileOf(packagingFiles({ ...NODE_LIBRARY, files, pinned: true }).files, 'package.json')!).scripts.test).toBe('node --test test/sum.test.js');
	});

	it('keeps a task\'s README and appends the install, run and test sections; adds to a task\'s .gitignore without hiding a task\'s file; keeps a task\'s Dockerfile', () => {
		const files = [
			...NODE_LIBRARY.files,
			{ path: 'README.md', content: '# Mine\n\nHand written.\n' },
			{ path: '.gitignore', content: 'node_modules/\n' },
			{ path: 'coverage/keep.js', content: 'module.exports = 1;\n' },
			{ path: 'server.js', content: 'app.listen(3000);\n' },
			{ path: 'Dockerfile', content: 'FROM scratch\n' },
		];
		const packaging = packagingFiles({ ...NODE_LIBRARY, files });
		expect(fileOf(packaging.files, 'README.md')).toMatch(/^# Mine\n\nHand written\.\n\n## Requirements\n/);
		expect(fileOf(packaging.files, '.gitignore')).toBe('node_modules/\nnpm-debug.log*\n.env\n');
		expect(fileOf(packaging.files, 'Dockerfile')).toBeUndefined();
		expect(packaging.notes).toEqual(expect.arrayContaining(['Dockerfile: kept the task\'s', '.gitignore: "coverage/" left out, it would hide coverage/keep.js']));
	});
});

describe('a Python project', () => {
	const PYTHON: PackagingInput = {
		...NODE_LIBRARY,
		title: 'Temperature converter',
		techStack: ['Python 3'],
		files: [
			{ path: 'converter.py', content: 'def c_to_f(c):\n    return c * 9 / 5 + 32\n' },
			{ path: 'tests/test_converter.py', content: 'from converter import c_to_f\n\ndef test_boiling():\n    assert c_to_f(100) == 212\n' },
			{ path: 'requirements.txt', content: 'requests\n' },
		],
	};

	it('gets pyproject.toml (name, requires-python, pytest), a README and CI with python -m pytest, and a .gitignore', () => {
		const packaging = packagingFiles(PYTHON);
		expect(packaging.stack).toBe('python');
		expect(packaging.testCommand).toBe('python -m pytest');
		const pyproject = fileOf(packaging.files, 'pyproject.toml')!;
		expect(pyproject).toContain('[project]\nname = "temperature-converter"\nversion = "0.1.0"');
		expect(pyproject).toContain('requires-python = ">=3.12"');
		expect(pyproject).toContain('test = ["pytest"]');
		expect(fileOf(packaging.files, 'README.md')).toMatch(/## Test\n\n```sh\npython -m pytest\n```/);
		expect(fileOf(packaging.files, 'README.md')).toContain('python -m pip install -r requirements.txt');
		const ci = parse(fileOf(packaging.files, '.github/workflows/ci.yml')!);
		const steps = ci.jobs.test.steps as Array<Record<string, unknown>>;
		expect(steps.find((s) => s.uses === 'actions/setup-python@v5')?.with).toEqual({ 'python-version': '3.12' });
		expect(steps.filter((s) => s.run).map((s) => s.run)).toEqual(['python -m pip install pytest', 'python -m pip install -r requirements.txt', 'python -m pytest']);
		expect(fileOf(packaging.files, '.gitignore')).toContain('__pycache__/');
		expect(fileOf(packaging.files, 'Dockerfile')).toBeUndefined();
	});

	it('without pytest where the proof runs, declares python -m unittest and says why', () => {
		const packaging = packagingFiles({ ...PYTHON, python: { version: '3.11', pytest: false } });
		expect(packaging.testCommand).toBe('python -m unittest');
		expect(packaging.notes.join('\n')).toContain('pytest is not installed');
	});
});

describe('a LICENSE', () => {
	it('ships the MIT text with the client\'s name and the packaging year when settings.license names it', () => {
		const license = fileOf(packagingFiles({ ...NODE_LIBRARY, license: 'MIT' }).files, 'LICENSE')!;
		expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 Ada Lovelace\n\nPermission is hereby granted/);
		expect(JSON.parse(fileOf(packagingFiles({ ...NODE_LIBRARY, license: 'MIT' }).files, 'package.json')!).license).toBe('MIT');
		expect(fileOf(packagingFiles(NODE_LIBRARY).files, 'LICENSE')).toBeUndefined();
	});

	it('refuses an id it has no text for, by name, in the packaging and at intake', () => {
		expect(() => packagingFiles({ ...NODE_LIBRARY, license: 'GPL-3.0' })).toThrow(UnknownLicenseError);
		expect(() => packagingFiles({ ...NODE_LIBRARY, license: 'GPL-3.0' })).toThrow('unknown license "GPL-3.0"');
		expect(schemaProblems(runSettingsSchema, { license: 'GPL-3.0' }).join(' ')).toMatch(/license/);
		expect(schemaProblems(runSettingsSchema, { license: 'MIT', packaging: false })).toEqual([]);
	});
});

it('makes npm-valid names from any title', () => {
	expect(packageName('Ünïcode Café — API v2')).toBe('unicode-cafe-api-v2');
	expect(packageName('!!!')).toBe('project');
	expect(packageName('x'.repeat(300))).toHaveLength(100);
});

describe('the client report', () => {
	const NOW = '2026-01-01T00:00:00.000Z';
	const project: Project = {
		id: 'p1', title: 'Math', client: {}, requirements: 'Sums', status: 'completed', resumeStatus: null, statusReason: null,
		plan: { summary: 'Sums', techStack: ['Node.js'], tasks: [], risks: [] }, tasks: {}, repository: null,
		usage: { total: emptyUsage(), byRole: {} }, createdAt: NOW, updatedAt: NOW, archivedAt: null, version: 9, idempotencyKey: 'k',
		delivery: {
			stack: 'node', testCommand: 'npm test', verified: true, rounds: 1, packagedAt: NOW, notes: ['a note the report does not need'],
			files: [{ path: 'package.json', content: '{}' }, { path: 'README.md', content: '# Math' }],
			proof: { status: 'passed', passed: 1, failed: 0, command: ['node', '--test'], runner: 'custom', durationMs: 5, output: 'ok' },
		},
	};

	it('is written knowing what DevOps delivered: the test command, that it passed in a clean clone, the files added (not their contents)', async () => {
		const input = reporterInputOf(project);
		expect(input.delivery).toEqual({ testCommand: 'npm test', verified: true, files: ['package.json', 'README.md'], rounds: 1 });
		expect(reporterInputOf({ ...project, delivery: undefined }).delivery).toBeUndefined();
		let prompt = '';
		const llm = { generateStructured: async (request: { prompt: string }) => ((prompt = request.prompt), { value: { summary: 'Done.', done: [], next: [], risks: [] }, raw: '{}', model: 'm', usage: emptyUsage(), repairs: 0 }) } as unknown as LlmClient;
		await writeReport(input, llm, { model: 'm', maxRepairs: 0 });
		expect(prompt).toContain("Delivery: the repository's own test command `npm test` passed in a clean clone of the repository (1 round(s)); DevOps added package.json, README.md.");
	});
});

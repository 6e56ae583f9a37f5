import { posix } from 'node:path';

import type { ProducedFile } from '../../contracts/project';
import { chooseRunner, isNodeTestFile } from '../../sandbox/runners';
import { licenseText } from './licenses';

// DevOps without a model: what a client needs to run a finished project (manifest, README,
// .gitignore, CI, a Dockerfile for a service, a LICENSE when the settings name one), from
// templates of the stack the runtime knows. The prose comes from the plan's summary; every
// command comes from here. A file a task wrote at the same path is merged or kept, never lost,
// and the notes say which.

export interface PackagingInput {
	title: string;
	/** The plan's summary: the README's first paragraph. */
	summary: string | null;
	techStack: string[];
	clientName?: string;
	/** The repository as the tasks left it (code and tests, the latest file at each path). */
	files: ProducedFile[];
	/** settings.license: an id licenses.ts knows; any other is refused. */
	license?: string;
	/** The packaging commit's date (ISO 8601): the LICENSE's year. */
	packagedAt: string;
	/** The Node major version the proof runs on (engines, CI, Dockerfile). */
	nodeMajor: number;
	/** The Python the proof runs on ("3.12") and whether it has pytest. */
	python: { version: string; pytest: boolean };
	/**
	 * The fix round: the test script names exactly the files the sandbox ran the tasks' tests with
	 * (`node --test a.test.js b.test.js`), whatever a task's package.json said.
	 */
	pinned?: boolean;
}

export interface Packaging {
	stack: 'node' | 'python';
	/** What a client types: "npm test", "python -m pytest". */
	testCommand: string;
	/** Files to commit: new ones, and a task's file where merging changed it. */
	files: ProducedFile[];
	notes: string[];
}

/** A settings.license that licenses.ts has no text for. */
export class UnknownLicenseError extends Error {
	constructor(readonly id: string) {
		super(`settings.license: unknown license "${id}"; DevOps ships MIT, ISC or BSD-2-Clause`);
		this.name = 'UnknownLicenseError';
	}
}

const NODE_LISTEN = /\.listen\s*\(/;
const PYTHON_SERVE = /\b(app\.run|uvicorn\.run|serve_forever|web\.run_app)\s*\(/;
/** npm's own "npm init" placeholder: a test script that always fails. */
const NPM_PLACEHOLDER = /no test specified/i;

export function packagingFiles(input: PackagingInput): Packaging {
	const stack = chooseRunner(input.techStack, input.files) === 'python' ? 'python' : 'node';
	const notes: string[] = [];
	const generated = stack === 'node' ? nodeFiles(input, notes) : pythonFiles(input, notes);
	if (input.license !== undefined) {
		const year = new Date(input.packagedAt).getUTCFullYear();
		const text = licenseText(input.license, year, input.clientName?.trim() || input.title);
		if (text === null) throw new UnknownLicenseError(input.license);
		generated.files.push({ path: 'LICENSE', content: text });
	}
	return { stack, testCommand: generated.testCommand, files: mergeWithTasks(generated.files, input.files, notes, input.pinned === true), notes };
}

// ---- Node -------------------------------------------------------------------------------------

/** What Node's `node --test` runs with no file named (Node 20 to 24): test folders, *.test.js, test-*.js, … */
function foundByNodeTest(path: string): boolean {
	if (!/\.(c|m)?js$/.test(path) || path.split('/').includes('node_modules')) return false;
	const name = posix.basename(path).replace(/\.[^.]+$/, '');
	return /^test$|^test-|[.\-_]test$/.test(name) || path.split('/').slice(0, -1).includes('test');
}

/** The test script: `node --test` when Node finds exactly the sandbox's test files by itself, else those files by name. */
export function nodeTestScript(paths: string[], pinned = false): string {
	const sandbox = paths.filter(isNodeTestFile).sort();
	const byNode = paths.filter(foundByNodeTest).sort();
	const same = sandbox.length === byNode.length && sandbox.every((path, i) => path === byNode[i]);
	if (same && !pinned && sandbox.length > 0) return 'node --test';
	const ts = sandbox.some((path) => /\.(c|m)?tsx?$/.test(path));
	return ['node', ...(ts ? ['--experimental-strip-types'] : []), '--test', ...sandbox.map(shellWord)].join(' ');
}

function nodeFiles(input: PackagingInput, notes: string[]): { testCommand: string; files: ProducedFile[] } {
	const paths = input.files.map((f) => f.path);
	const entry = serviceEntry(input, 'node');
	const script = nodeTestScript(paths, input.pinned);
	const pkg: Record<string, unknown> = {
		name: packageName(input.title),
		version: '0.1.0',
		description: firstLine(input.summary) || input.title,
		private: true,
		license: input.license ?? 'UNLICENSED',
		engines: { node: `>=${input.nodeMajor}` },
		scripts: { test: script, ...(entry ? { start: `node ${shellWord(entry.path)}` } : {}) },
	};
	const run = entry ? 'npm start' : runHint(input, 'node');
	const files: ProducedFile[] = [
		{ path: 'package.json', content: `${JSON.stringify(pkg, null, 2)}\n` },
		{ path: 'README.md', content: readme(input, { requirements: `Node.js ${input.nodeMajor} or newer (npm comes with it)`, install: 'npm install', run, test: 'npm test', entry }) },
		{ path: '.gitignore', content: ['node_modules/', 'npm-debug.log*', 'coverage/', '.env', ''].join('\n') },
		{ path: '.github/workflows/ci.yml', content: nodeCi(input.nodeMajor) },
	];
	if (entry) {
		files.push({ path: 'Dockerfile', content: nodeDockerfile(input.nodeMajor, entry) }, { path: '.dockerignore', content: 'node_modules\n.git\n' });
		notes.push(`a service (${entry.path} listens on a port): Dockerfile added`);
	}
	return { testCommand: 'npm test', files };
}

function nodeCi(major: number): string {
	return ciWorkflow({ uses: 'actions/setup-node@v4', key: 'node-version', version: String(major) }, ['npm install', 'npm test']);
}

function nodeDockerfile(major: number, entry: ServiceEntry): string {
	return `FROM node:${major}-slim
WORKDIR /app
COPY package*.json ./
RUN npm install --omit=dev
COPY . .
EXPOSE ${entry.port}
CMD ["node", ${JSON.stringify(entry.path)}]
`;
}

/** A task's package.json merged with ours: theirs kept (dependencies, type, scripts), the test script, name and engines ensured. */
function mergePackageJson(theirs: string, ours: string, notes: string[], pinned: boolean): string {
	let parsed: unknown;
	try {
		parsed = JSON.parse(theirs);
	} catch {
		notes.push('package.json: the task\'s was not valid JSON; replaced');
		return ours;
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		notes.push('package.json: the task\'s was not a JSON object; replaced');
		return ours;
	}
	const task = parsed as Record<string, unknown>;
	const gen = JSON.parse(ours) as Record<string, unknown> & { scripts: Record<string, string>; engines: Record<string, string> };
	const scripts = task.scripts && typeof task.scripts === 'object' && !Array.isArray(task.scripts) ? { ...(task.scripts as Record<string, unknown>) } : {};
	const test = typeof scripts.test === 'string' ? scripts.test : undefined;
	const kept: string[] = [];
	if (test !== undefined && isNodeTestCommand(test) && !pinned) {
		kept.push('its test script');
	} else {
		if (test !== undefined && test !== gen.scripts.test) notes.push(`package.json: the task's test script ${JSON.stringify(test)} replaced by ${JSON.stringify(gen.scripts.test)} (the command the tests passed with)`);
		scripts.test = gen.scripts.test;
	}
	if (gen.scripts.start && typeof scripts.start !== 'string') scripts.start = gen.scripts.start;
	const merged: Record<string, unknown> = { ...task, scripts };
	for (const key of ['name', 'version', 'description', 'license', 'private'] as const) if (merged[key] === undefined) merged[key] = gen[key];
	if (typeof merged.name !== 'string' || !validPackageName(merged.name)) merged.name = gen.name;
	const engines = merged.engines && typeof merged.engines === 'object' && !Array.isArray(merged.engines) ? (merged.engines as Record<string, unknown>) : {};
	if (typeof engines.node !== 'string') merged.engines = { ...engines, node: gen.engines.node };
	for (const key of ['dependencies', 'devDependencies', 'type', 'main']) if (task[key] !== undefined) kept.push(key === 'type' || key === 'main' ? `"${key}"` : `its ${key}`);
	notes.push(`package.json: merged with the task's${kept.length ? ` (kept ${kept.join(', ')})` : ''}`);
	return `${JSON.stringify(merged, null, 2)}\n`;
}

/** `node --test …` that the sandbox can run with its own reporter: plain words, no shell. */
export function isNodeTestCommand(script: string): boolean {
	const argv = splitScript(script);
	return argv !== null && argv[0] === 'node' && argv.includes('--test') && !NPM_PLACEHOLDER.test(script);
}

// ---- Python -----------------------------------------------------------------------------------

function pythonFiles(input: PackagingInput, notes: string[]): { testCommand: string; files: ProducedFile[] } {
	const paths = new Set(input.files.map((f) => f.path));
	const entry = serviceEntry(input, 'python');
	const runner = input.python.pytest ? 'pytest' : 'unittest';
	const testCommand = `python -m ${runner}`;
	if (!input.python.pytest) notes.push('pytest is not installed where the proof runs: the test command is python -m unittest');
	const requirements = paths.has('requirements.txt');
	const install = [runner === 'pytest' ? 'python -m pip install pytest' : null, requirements ? 'python -m pip install -r requirements.txt' : null].filter((line): line is string => line !== null);
	const version = input.python.version;
	const pyproject = [
		'[project]',
		`name = ${JSON.stringify(packageName(input.title))}`,
		'version = "0.1.0"',
		`description = ${JSON.stringify(firstLine(input.summary) || input.title)}`,
		`requires-python = ">=${version}"`,
		...(input.license ? [`license = { text = ${JSON.stringify(input.license)} }`] : []),
		'',
		'[project.optional-dependencies]',
		'test = ["pytest"]',
		'',
		'# The test command: python -m pytest (from this folder).',
		'[tool.pytest.ini_options]',
		'addopts = "-q"',
		'',
	].join('\n');
	const run = entry ? `python ${entry.path}` : runHint(input, 'python');
	const files: ProducedFile[] = [
		{ path: 'pyproject.toml', content: pyproject },
		{ path: 'README.md', content: readme(input, { requirements: `Python ${version} or newer${runner === 'pytest' ? ' and pytest' : ''}`, install: install.join('\n') || 'nothing to install beyond Python', run, test: testCommand, entry }) },
		{ path: '.gitignore', content: ['__pycache__/', '*.py[cod]', '.pytest_cache/', '.venv/', 'venv/', '*.egg-info/', '.env', ''].join('\n') },
		{ path: '.github/workflows/ci.yml', content: pythonCi(version, install, testCommand) },
	];
	if (entry) {
		files.push({ path: 'Dockerfile', content: pythonDockerfile(version, entry, requirements) }, { path: '.dockerignore', content: '.venv\n__pycache__\n.git\n' });
		notes.push(`a service (${entry.path} serves on a port): Dockerfile added`);
	}
	return { testCommand, files };
}

function pythonCi(version: string, install: string[], testCommand: string): string {
	return ciWorkflow({ uses: 'actions/setup-python@v5', key: 'python-version', version: JSON.stringify(version) }, [...install, testCommand]);
}

/** The delivered CI: check out, set up the stack's version the proof ran on, run each command. */
function ciWorkflow(setup: { uses: string; key: string; version: string }, commands: string[]): string {
	return `name: CI
on:
  push:
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ${setup.uses}
        with:
          ${setup.key}: ${setup.version}
${commands.map((line) => `      - run: ${line}\n`).join('')}`;
}

function pythonDockerfile(version: string, entry: ServiceEntry, requirements: boolean): string {
	return `FROM python:${version}-slim
WORKDIR /app
${requirements ? 'COPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\n' : ''}COPY . .
EXPOSE ${entry.port}
CMD ["python", ${JSON.stringify(entry.path)}]
`;
}

// ---- Shared -----------------------------------------------------------------------------------

interface ServiceEntry {
	path: string;
	port: number;
}

/** The file that starts a server (listens on a port), when the project is a service; null for a library or a CLI. */
function serviceEntry(input: PackagingInput, stack: 'node' | 'python'): ServiceEntry | null {
	const code = input.files.filter((f) => (stack === 'node' ? /\.(c|m)?js$/.test(f.path) && !isNodeTestFile(f.path) : f.path.endsWith('.py') && !/(^|\/)(test_[^/]*|[^/]*_test)\.py$/.test(f.path)));
	const serving = code.filter((f) => (stack === 'node' ? NODE_LISTEN : PYTHON_SERVE).test(f.content));
	if (!serving.length) return null;
	// Several files listen (a server and a helper): the shortest path is the likeliest entry (server.js before src/lib/x.js).
	const file = serving.sort((a, b) => a.path.split('/').length - b.path.split('/').length || a.path.localeCompare(b.path))[0];
	const port = Number(/listen\s*\(\s*(\d{2,5})\b/.exec(file.content)?.[1] ?? /\bPORT\b[^\n]*?(\d{4,5})\b/.exec(file.content)?.[1] ?? /port\s*=\s*(\d{2,5})\b/.exec(file.content)?.[1] ?? (stack === 'node' ? 3000 : 8000));
	return { path: file.path, port: port > 0 && port < 65536 ? port : stack === 'node' ? 3000 : 8000 };
}

const ENTRY_NAMES: Record<'node' | 'python', string[]> = {
	node: ['index.js', 'main.js', 'cli.js', 'app.js', 'src/index.js', 'src/main.js', 'src/cli.js', 'bin/cli.js'],
	python: ['main.py', 'app.py', 'cli.py', '__main__.py', 'src/main.py'],
};

function runHint(input: PackagingInput, stack: 'node' | 'python'): string | null {
	const paths = new Set(input.files.map((f) => f.path));
	const entry = ENTRY_NAMES[stack].find((name) => paths.has(name));
	return entry ? `${stack} ${entry}` : null;
}

function readme(input: PackagingInput, how: { requirements: string; install: string; run: string | null; test: string; entry: ServiceEntry | null }): string {
	const name = packageName(input.title);
	const modules = input.files.map((f) => f.path).filter((path) => (/\.(c|m)?js$|\.py$/.test(path) && !isNodeTestFile(path) && !/(^|\/)(test_[^/]*|[^/]*_test)\.py$/.test(path))).slice(0, 10);
	const lines = [
		`# ${input.title}`,
		'',
		...(input.summary?.trim() ? [input.summary.trim(), ''] : []),
		...(input.techStack.length ? [`Built with: ${input.techStack.join(', ')}.`, ''] : []),
		'## Requirements',
		'',
		`- ${how.requirements}`,
		'',
		'## Install',
		'',
		'```sh',
		how.install,
		'```',
		'',
		'## Run',
		'',
		...(how.run
			? ['```sh', how.run, '```', '', ...(how.entry ? [`It listens on port ${how.entry.port}.`, ''] : [])]
			: [`There is no program to start: the code${modules.length ? ` (${modules.map((m) => `\`${m}\``).join(', ')})` : ''} is used from your own, as the tests show.`, '']),
		'## Test',
		'',
		'```sh',
		how.test,
		'```',
		'',
		'CI (`.github/workflows/ci.yml`) runs the same command on every push.',
		'',
		...(how.entry ? ['## Docker', '', '```sh', `docker build -t ${name} .`, `docker run -p ${how.entry.port}:${how.entry.port} ${name}`, '```', ''] : []),
		...(input.license ? ['## License', '', `${input.license}: see \`LICENSE\`.`, ''] : []),
	];
	return lines.join('\n');
}

/** Our files merged with the tasks' at the same path; only files that differ from the task's end up committed. */
function mergeWithTasks(ours: ProducedFile[], taskFiles: ProducedFile[], notes: string[], pinned: boolean): ProducedFile[] {
	const theirs = new Map(taskFiles.map((f) => [f.path, f.content]));
	const out: ProducedFile[] = [];
	for (const file of ours) {
		const task = theirs.get(file.path);
		if (task === undefined) {
			out.push(file);
			continue;
		}
		let content: string;
		if (file.path === 'package.json') content = mergePackageJson(task, file.content, notes, pinned);
		else if (file.path === '.gitignore') content = mergeLines(task, file.content, notes);
		else if (file.path === 'README.md') content = mergeReadme(task, file.content, notes);
		else {
			notes.push(`${file.path}: kept the task's`);
			content = task;
		}
		if (content !== task) out.push({ path: file.path, content });
	}
	// Never ignore what the tasks produced: a pattern that matches one of their files is dropped.
	const ignore = out.find((f) => f.path === '.gitignore');
	if (ignore) ignore.content = withoutPatternsMatching(ignore.content, taskFiles.map((f) => f.path), notes);
	return out;
}

function mergeLines(task: string, ours: string, notes: string[]): string {
	const have = new Set(task.split('\n').map((line) => line.trim()));
	const added = ours.split('\n').filter((line) => line.trim() && !have.has(line.trim()));
	if (!added.length) {
		notes.push('.gitignore: kept the task\'s');
		return task;
	}
	notes.push(`.gitignore: the task's, plus ${added.join(' ')}`);
	return `${task.replace(/\n*$/, '\n')}${added.join('\n')}\n`;
}

function mergeReadme(task: string, ours: string, notes: string[]): string {
	const start = ours.indexOf('## Requirements');
	notes.push('README.md: the task\'s, with the requirements, install, run and test sections added after it');
	return `${task.replace(/\n*$/, '\n')}\n${ours.slice(start)}`;
}

function withoutPatternsMatching(content: string, paths: string[], notes: string[]): string {
	const kept = content.split('\n').filter((line) => {
		const pattern = line.trim();
		if (!pattern || pattern.startsWith('#') || pattern.startsWith('!')) return true;
		const hit = paths.find((path) => ignores(pattern, path));
		if (hit) notes.push(`.gitignore: "${pattern}" left out, it would hide ${hit}`);
		return !hit;
	});
	return kept.join('\n');
}

/** Whether a .gitignore pattern of the simple kinds written here (name/, name, *.ext, glob name) covers `path`. */
function ignores(pattern: string, path: string): boolean {
	const dir = pattern.endsWith('/');
	const body = pattern.replace(/\/$/, '').replace(/^\//, '');
	const regex = new RegExp(`^${body.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\\\[([^\]]*)\\\]/g, '[$1]')).join('[^/]*')}$`);
	const parts = path.split('/');
	const candidates = dir ? parts.slice(0, -1) : parts;
	return candidates.some((part) => regex.test(part));
}

/** An npm-valid package name from the title (also a valid Python distribution name): lowercase words joined by "-". */
export function packageName(title: string): string {
	const slug = title
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 100)
		.replace(/-+$/, '');
	return slug || 'project';
}

function validPackageName(name: string): boolean {
	return /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(name) && name.length <= 214;
}

function firstLine(text: string | null): string {
	return (text ?? '').trim().split('\n')[0].slice(0, 200);
}

/** A path as one word of a test script: quoted when it holds anything but plain path characters. */
function shellWord(path: string): string {
	return /^[A-Za-z0-9._/@+-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}

/**
 * A package.json script as argv, when it is plain words (single quotes allowed) that mean the same
 * with and without a shell; null when it needs a shell (pipes, &&, variables, globs, redirections).
 */
export function splitScript(script: string): string[] | null {
	const argv: string[] = [];
	let word: string | null = null;
	for (let i = 0; i < script.length; i++) {
		const c = script[i];
		if (c === "'") {
			const end = script.indexOf("'", i + 1);
			if (end < 0) return null;
			word = (word ?? '') + script.slice(i + 1, end);
			i = end;
		} else if (c === ' ' || c === '\t') {
			if (word !== null) argv.push(word);
			word = null;
		} else if (/[|&;<>()$`\\"*?~{}[\]\n#!=]/.test(c) && !(c === '=' && word !== null && word.startsWith('--'))) {
			return null;
		} else {
			word = (word ?? '') + c;
		}
	}
	if (word !== null) argv.push(word);
	return argv.length ? argv : null;
}

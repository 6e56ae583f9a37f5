import type { TestFailure } from '../contracts/testReport';

/** What a runner's output says about a run; `undefined` counts when it says nothing recognisable. */
export interface ParsedTestOutput {
	passed: number;
	failed: number;
	failures: TestFailure[];
	/** Test files (or modules) that could not be loaded: a syntax error, a missing module. */
	loadFailures: string[];
	/** false when no summary was found (the runner crashed, or printed another format). */
	recognised: boolean;
}

const MAX_FAILURES = 200;
const MAX_MESSAGE = 2000;

function message(text: string): string {
	const trimmed = text.trim();
	return trimmed.length > MAX_MESSAGE ? `${trimmed.slice(0, MAX_MESSAGE)}…` : trimmed;
}

function empty(): ParsedTestOutput {
	return { passed: 0, failed: 0, failures: [], loadFailures: [], recognised: false };
}

function addFailure(result: ParsedTestOutput, test: string, text: string): void {
	if (result.failures.length < MAX_FAILURES) result.failures.push({ test, message: message(text) });
}

/**
 * Node's TAP reporter (`--test-reporter=tap`), Node 20 to 24. Nested tests are named
 * "suite > test"; suites that failed only because a test in them failed are not listed again.
 * `testFiles` are the files run (as named in the output): a failure named after one is a file that
 * did not load.
 */
export function parseNodeTap(output: string, testFiles: string[] = []): ParsedTestOutput {
	const result = empty();
	const files = new Set(testFiles);
	const lines = output.split('\n');
	const names: string[] = [];
	let subtestLine = -1;
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i];
		const subtest = /^( *)# Subtest: (.*)$/.exec(line);
		if (subtest) {
			names[subtest[1].length / 4] = unescapeTap(subtest[2]);
			if (subtest[1].length === 0) subtestLine = i;
			continue;
		}
		const summary = /^# (pass|fail|cancelled) (\d+)$/.exec(line);
		if (summary) {
			result.recognised = true;
			if (summary[1] === 'pass') result.passed = Number(summary[2]);
			else if (summary[1] === 'fail') result.failed = Number(summary[2]);
			else result.failed += Number(summary[2]);
			continue;
		}
		const point = /^( *)not ok \d+ - (.*?)(?: # (TODO|SKIP)\b.*)?$/.exec(line);
		if (!point || point[3] === 'TODO') continue;
		const depth = point[1].length / 4;
		const yaml = readYamlBlock(lines, i + 1, point[1].length + 2);
		if (yaml.failureType === 'subtestsFailed') continue;
		const name = unescapeTap(point[2]);
		if (depth === 0 && (files.has(name) || name.startsWith('/'))) {
			result.loadFailures.push(name);
			const diagnostic = depth === 0 && subtestLine >= 0 ? errorInDiagnostics(lines, subtestLine) : undefined;
			addFailure(result, name, diagnostic && /^test failed$/.test(yaml.error ?? '') ? diagnostic : (yaml.error ?? diagnostic ?? 'could not be loaded'));
			continue;
		}
		addFailure(result, [...names.slice(0, depth), name].join(' > '), yaml.error ?? 'failed');
	}
	return result;
}

/** `error` and `failureType` from the YAML block after a TAP test point (a subset of YAML: what Node writes). */
function readYamlBlock(lines: string[], start: number, indent: number): { error?: string; failureType?: string } {
	const pad = ' '.repeat(indent);
	if (lines[start] !== `${pad}---`) return {};
	const fields: Record<string, string> = {};
	for (let i = start + 1; i < lines.length && lines[i] !== `${pad}...`; i++) {
		const field = new RegExp(`^${pad}([A-Za-z]+): (.*)$`).exec(lines[i]);
		if (!field) continue;
		const [, key, value] = field;
		if (value === '|-' || value === '|') {
			const block: string[] = [];
			for (let j = i + 1; j < lines.length && (lines[j].startsWith(`${pad}  `) || lines[j].trim() === ''); j++) block.push(lines[j].slice(indent + 2));
			fields[key] = block.join('\n');
		} else if (value.startsWith("'") && value.endsWith("'")) {
			fields[key] = value.slice(1, -1).replace(/''/g, "'");
		} else {
			fields[key] = value;
		}
	}
	return { error: fields.error, failureType: fields.failureType };
}

// Node prints a test file's own stderr (e.g. its SyntaxError) as "# " lines before the file's result.
function errorInDiagnostics(lines: string[], before: number): string | undefined {
	for (let i = before - 1; i >= 0 && lines[i].startsWith('# '); i--) {
		const text = lines[i].slice(2);
		if (/^[A-Za-z]*Error\b/.test(text)) return text;
	}
	return undefined;
}

function unescapeTap(name: string): string {
	return name.replace(/\\(.)/g, '$1');
}

/** `python -m pytest -q -rfE --tb=short`. */
export function parsePytest(output: string): ParsedTestOutput {
	const result = empty();
	const lines = output.split('\n');
	const summary = [...lines].reverse().find((line) => /^(=+ )?(no tests ran|\d+ (passed|failed|errors?|skipped|deselected|xfailed|xpassed|warnings?)\b).* in [\d.]+s/.test(line));
	if (summary) {
		result.recognised = true;
		for (const [, n, kind] of summary.matchAll(/(\d+) (passed|failed|errors?|xpassed)\b/g)) {
			if (kind === 'passed' || kind === 'xpassed') result.passed += Number(n);
			else result.failed += Number(n);
		}
	}
	// The "E   " lines of each failure section, for messages the summary line cut short.
	const sections = new Map<string, string[]>();
	let section: string[] | undefined;
	for (const line of lines) {
		const title = /^_{3,} (.+?) _{3,}$/.exec(line);
		if (title) sections.set(title[1], (section = []));
		else if (/^={3,}/.test(line)) section = undefined;
		else if (section && line.startsWith('E ')) section.push(line.slice(1).trim());
	}
	for (const line of lines) {
		const failure = /^(FAILED|ERROR) (\S+)(?: - (.*))?$/.exec(line);
		if (!failure) continue;
		const [, kind, id, summaryMessage] = failure;
		const title = kind === 'ERROR' && !id.includes('::') ? `ERROR collecting ${id}` : id.split('::').slice(1).join('.');
		const detail = sections.get(title)?.filter((l) => l !== '').slice(-3).join('\n');
		const text = summaryMessage && !summaryMessage.endsWith('...') ? summaryMessage : (detail || summaryMessage || kind.toLowerCase());
		if (kind === 'ERROR' && !id.includes('::')) result.loadFailures.push(id);
		addFailure(result, id, text);
	}
	return result;
}

/** `python -m unittest discover`. */
export function parseUnittest(output: string): ParsedTestOutput {
	const result = empty();
	const lines = output.split('\n');
	const ran = [...lines].reverse().map((line) => /^Ran (\d+) tests? in /.exec(line)).find(Boolean);
	if (ran) {
		result.recognised = true;
		const total = Number(ran[1]);
		const verdict = [...lines].reverse().find((line) => /^(OK|FAILED|NO TESTS RAN)\b/.test(line)) ?? '';
		const count = (name: string) => Number(new RegExp(`\\b${name}=(\\d+)`).exec(verdict)?.[1] ?? 0);
		result.failed = count('failures') + count('errors');
		result.passed = Math.max(0, total - result.failed - count('skipped') - count('expected failures'));
	}
	for (let i = 0; i < lines.length; i++) {
		const header = /^(FAIL|ERROR): (\S+) \((.+)\)$/.exec(lines[i]);
		if (!header || !/^=+$/.test(lines[i - 1] ?? '')) continue;
		const body: string[] = [];
		for (let j = i + 2; j < lines.length && !/^(=+|-+)$/.test(lines[j]); j++) body.push(lines[j]);
		const last = body.filter((l) => l.trim() !== '').pop() ?? header[1];
		const [, , method, where] = header;
		if (where.startsWith('unittest.loader._FailedTest')) {
			result.loadFailures.push(method);
			addFailure(result, method, last);
		} else {
			// "test_calc.CalcTest.test_sub" (3.11+) or "test_calc.CalcTest" (older).
			addFailure(result, where.endsWith(`.${method}`) ? where : `${where}.${method}`, last);
		}
	}
	return result;
}

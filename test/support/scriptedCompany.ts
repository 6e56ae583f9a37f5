import type { Message } from 'ollama';

import type { Plan } from '../../runtime/contracts';
import type { OllamaTestServer, RecordedRequest, ScriptedReply } from './ollamaTestServer';

/**
 * A model that plays the whole company for projects whose requirements say what to build, e.g.
 * "tasks=6 waves=3 bug=T2": the planner plans T1..T6 in 3 dependency waves; the developer writes
 * `src/tN.js` exporting value() = N, wrong on its first try for the tasks named after bug=; the
 * tester writes a node:test file that checks value(); the reviewer approves, except the first review
 * of the tasks named after review= (e.g. "review=T2"), where it requests changes. Every reply follows from the request alone,
 * so any worker, after any crash, gets the same answers.
 */
export interface CompanyCall {
	role: 'planner' | 'developer' | 'tester' | 'reviewer' | 'unknown';
	taskId: string | null;
	fix: boolean;
	/** The developer's turn fixes from a reviewer's comments. */
	reviewFix: boolean;
	/** The review round a reviewer prompt names (1 for a task's first review); 0 for other roles. */
	round: number;
}

export function callOf(request: RecordedRequest): CompanyCall {
	const messages = (request.body?.messages ?? []) as Message[];
	const system = messages.find((m) => m.role === 'system')?.content ?? '';
	const prompt = messages.find((m) => m.role === 'user')?.content ?? '';
	const role = system.includes('planning agent')
		? 'planner'
		: system.includes('developer agent')
			? 'developer'
			: system.includes('test engineer agent')
				? 'tester'
				: system.includes('code reviewer agent')
					? 'reviewer'
					: 'unknown';
	return {
		role,
		taskId: /Task (T\d+):/.exec(prompt)?.[1] ?? null,
		fix: prompt.includes('tests for your task fail') || prompt.includes('the code reviewer asked for changes'),
		reviewFix: prompt.includes('the code reviewer asked for changes'),
		round: Number(/This is review round (\d+)/.exec(prompt)?.[1] ?? 0),
	};
}

export interface CompanySpec {
	tasks: number;
	waves: number;
	bugs: string[];
	/** Tasks whose first review requests changes. */
	reviews: string[];
	/**
	 * Tasks whose tests pass only when their two files run in one process (the second reads a global
	 * the first sets): green in the task's sandbox run, red in a clean clone's `node --test`.
	 */
	shared: string[];
	/**
	 * The whole project's review requests changes on a task's file in its first `rounds` rounds
	 * ("projectReview=T2:1"); every later round approves.
	 */
	projectReview: { taskId: string; rounds: number } | null;
}

export function specOf(text: string): CompanySpec {
	const tasks = Number(/tasks=(\d+)/.exec(text)?.[1] ?? 3);
	const waves = Math.min(tasks, Number(/waves=(\d+)/.exec(text)?.[1] ?? 1));
	const bugs = (/bug=([\w,]+)/.exec(text)?.[1] ?? '').split(',').filter(Boolean);
	const reviews = (/review=([\w,]+)/.exec(text)?.[1] ?? '').split(',').filter(Boolean);
	const shared = (/shared=([\w,]+)/.exec(text)?.[1] ?? '').split(',').filter(Boolean);
	const projectReviewed = /projectReview=(T\d+):(\d+)/.exec(text);
	const projectReview = projectReviewed ? { taskId: projectReviewed[1], rounds: Number(projectReviewed[2]) } : null;
	return { tasks, waves, bugs, reviews, shared, projectReview };
}

/** The plan for a spec: wave w's tasks each depend on the first task of wave w - 1. */
export function planFor(spec: CompanySpec): Plan {
	const waveOf = (i: number) => Math.floor((i * spec.waves) / spec.tasks);
	const firstOfWave = (w: number) => Array.from({ length: spec.tasks }, (_, i) => i).find((i) => waveOf(i) === w)!;
	return {
		// The spec rides in the summary, which every developer and tester prompt shows.
		summary: `A project of ${spec.tasks} tasks (tasks=${spec.tasks} waves=${spec.waves} bug=${spec.bugs.join(',')}${spec.reviews.length ? ` review=${spec.reviews.join(',')}` : ''}${spec.shared.length ? ` shared=${spec.shared.join(',')}` : ''}${spec.projectReview ? ` projectReview=${spec.projectReview.taskId}:${spec.projectReview.rounds}` : ''})`,
		techStack: ['Node.js'],
		tasks: Array.from({ length: spec.tasks }, (_, i) => ({
			id: `T${i + 1}`,
			title: `Value ${i + 1}`,
			description: `src/t${i + 1}.js exports value(), which returns ${i + 1}.`,
			dependsOn: waveOf(i) === 0 ? [] : [`T${firstOfWave(waveOf(i) - 1) + 1}`],
			acceptanceCriteria: [`value() is ${i + 1}`],
			estimateHours: 1,
		})),
		risks: [],
	};
}

export function companyReply(call: CompanyCall, requirements: string): unknown {
	const spec = specOf(requirements);
	if (call.role === 'planner') return planFor(spec);
	const n = Number(call.taskId?.slice(1));
	if (call.role === 'developer') {
		const wrong = spec.bugs.includes(call.taskId ?? '') && !call.fix;
		// A fix from a review's comments says what value() returns, as the scripted reviewer asks.
		const documented = call.reviewFix ? `// value() returns ${n}.\n` : '';
		return { summary: `value ${n}`, files: [{ path: `src/t${n}.js`, content: `${documented}exports.value = () => ${wrong ? -n : n};\n` }] };
	}
	if (call.role === 'tester') {
		const test = [
			"const test = require('node:test');",
			"const assert = require('node:assert/strict');",
			`const { value } = require('../src/t${n}.js');`,
			`test('value is ${n}', () => assert.equal(value(), ${n}));`,
			'',
		].join('\n');
		if (spec.shared.includes(call.taskId ?? '')) {
			return {
				summary: `tests for T${n}, sharing a global`,
				testFiles: [
					{ path: `test/t${n}a.test.js`, content: `const test = require('node:test');\nconst { value } = require('../src/t${n}.js');\nglobalThis.sharedValue${n} = value();\ntest('value is read', () => {});\n` },
					{ path: `test/t${n}b.test.js`, content: `const test = require('node:test');\nconst assert = require('node:assert/strict');\ntest('value is ${n}', () => assert.equal(globalThis.sharedValue${n}, ${n}));\n` },
				],
			};
		}
		return { summary: `tests for T${n}`, testFiles: [{ path: `test/t${n}.test.js`, content: test }] };
	}
	if (call.role === 'reviewer') {
		const whole = spec.projectReview;
		if (!call.taskId && whole && call.round <= whole.rounds) {
			const m = Number(whole.taskId.slice(1));
			return { verdict: 'request_changes', summary: `The project: T${m} needs a comment`, comments: [{ path: `src/t${m}.js`, line: 1, severity: 'minor', message: `Project review round ${call.round}: say what value() returns.` }] };
		}
		if (call.taskId && spec.reviews.includes(call.taskId) && call.round === 1) {
			return { verdict: 'request_changes', summary: `T${n} needs a comment`, comments: [{ path: `src/t${n}.js`, line: 1, severity: 'minor', message: 'Say what value() returns.' }] };
		}
		return { verdict: 'approve', summary: call.taskId ? `T${n} does what it says` : 'The project does what it says', comments: [] };
	}
	throw new Error(`unexpected request: ${JSON.stringify(call)}`);
}

/**
 * Scripts the server as the company; `extra` may answer a call differently (an error, a delay),
 * `delayMs` makes every call take that long, as a model's generation does.
 */
export function playCompany(
	server: OllamaTestServer,
	extra: (call: CompanyCall, request: RecordedRequest) => ScriptedReply | undefined = () => undefined,
	options: { delayMs?: number } = {},
): void {
	server.respondWith((request) => {
		const call = callOf(request);
		const special = extra(call, request);
		if (special) return special;
		const messages = (request.body?.messages ?? []) as Message[];
		const text = messages.map((m) => m.content).join('\n');
		return { content: JSON.stringify(companyReply(call, text)), delayMs: options.delayMs };
	});
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { detectPython } from '../../../runtime/sandbox';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { playCompany } from '../../support/scriptedCompany';
import { ServiceHarness, unique, waitForStatus } from './support';

// DevOps's delivery through the real service process: a step workflow's publish packages and proves
// the project before it pushes (the packaging commit last), and refuses to push one whose proof fails;
// a whole Python project (pyproject.toml, pytest) completes with its proof passing in a clean clone.

const harness = new ServiceHarness();
let service: RuntimeProcess;
const pythonInfo = detectPython();

const isPython = (text: string) => text.includes('lang=python');

beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama, (call, request) => {
		const messages = (request.body?.messages ?? []) as Array<{ content: string }>;
		if (!isPython(messages.map((m) => m.content).join('\n'))) return undefined;
		const n = Number(call.taskId?.slice(1));
		const reply = (value: unknown) => ({ content: JSON.stringify(value) });
		if (call.role === 'planner') {
			return reply({
				summary: 'Temperature helpers in Python (lang=python)',
				techStack: ['Python', 'pytest'],
				tasks: [1, 2].map((i) => ({ id: `T${i}`, title: `Value ${i}`, description: `calc_t${i}.py has value(), which returns ${i}.`, dependsOn: [], acceptanceCriteria: [`value() is ${i}`], estimateHours: 1 })),
				risks: [],
			});
		}
		if (call.role === 'developer') return reply({ summary: `value ${n}`, files: [{ path: `calc_t${n}.py`, content: `def value():\n    return ${n}\n` }] });
		if (call.role === 'tester') return reply({ summary: `tests for T${n}`, testFiles: [{ path: `tests/test_t${n}.py`, content: `from calc_t${n} import value\n\n\ndef test_value():\n    assert value() == ${n}\n` }] });
		return undefined;
	});
	service = await harness.start({ CONCURRENCY: '2' });
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
});

async function finished(jobId: string): Promise<Record<string, any>> {
	for (;;) {
		const { body } = await service.request<Record<string, any>>('GET', `/api/jobs/${encodeURIComponent(jobId)}?wait=20`);
		if (body.state === 'completed' || body.state === 'failed') return body;
	}
}

async function step(path: string): Promise<Record<string, any>> {
	const reply = await service.request<Record<string, any>>('POST', path, {});
	expect(reply.status).toBe(202);
	return finished(reply.body.jobId as string);
}

/** A steps-mode project, planned, every task developed and tested. */
async function developedStepProject(requirements: string): Promise<string> {
	const { status, body } = await service.request<Record<string, any>>('POST', '/api/projects', { title: unique('Step delivery'), requirements: unique(requirements), start: false });
	expect(status).toBe(201);
	const id = body.projectId as string;
	expect((await step(`/api/projects/${id}/plan`)).state).toBe('completed');
	for (const taskId of ['T1', 'T2']) {
		expect((await step(`/api/projects/${id}/tasks/${taskId}/develop`)).state).toBe('completed');
		expect((await step(`/api/projects/${id}/tasks/${taskId}/test`)).result).toMatchObject({ status: 'passed', taskStatus: 'done' });
	}
	return id;
}

function cloneOf(url: string): string {
	const dir = mkdtempSync(join(tmpdir(), 'aic-step-clone-'));
	execFileSync('git', ['clone', '-q', url, dir]);
	return dir;
}

describe("a step workflow's publish", () => {
	it('packages and proves the project before it pushes: the delivery is stored first and the pushed repository ends with the packaging commit', async () => {
		const id = await developedStepProject('tasks=2 waves=1');
		const published = await step(`/api/projects/${id}/publish`);
		expect(published).toMatchObject({ state: 'completed', result: { status: 'completed' } });
		const { body: project } = await service.request<Record<string, any>>('GET', `/api/projects/${id}`);
		expect(project.delivery).toMatchObject({ stack: 'node', testCommand: 'npm test', verified: true });
		const { body: log } = await service.request<{ events: Array<{ type: string }> }>('GET', `/api/projects/${id}/events?limit=1000`);
		const types = log.events.map((e) => e.type);
		expect(types.indexOf('project.delivery_set')).toBeGreaterThan(-1);
		expect(types.indexOf('project.delivery_set')).toBeLessThan(types.indexOf('project.repository_set'));

		const clone = cloneOf(project.repository.url as string);
		try {
			const subjects = execFileSync('git', ['log', '--format=%s'], { cwd: clone, encoding: 'utf8' }).trim().split('\n');
			expect(subjects[0]).toMatch(/^Packaging: package\.json, README\.md/);
			expect(subjects.slice(1, 3).sort()).toEqual(['T1: Value 1', 'T2: Value 2']);
			expect(JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')).scripts.test).toContain('--test');
		} finally {
			rmSync(clone, { recursive: true, force: true });
		}
	}, 120_000);

	it('refuses to push a project whose delivery fails its proof in a clean clone: the job fails naming the delivery, nothing is pushed', async () => {
		// shared=T2: T2's two test files pass in one process (the task's run) and fail apart (npm test's node --test).
		const id = await developedStepProject('tasks=2 waves=1 shared=T2');
		const published = await step(`/api/projects/${id}/publish`);
		expect(published).toMatchObject({ state: 'failed', error: { kind: 'invalid_input', field: 'delivery', message: expect.stringContaining('delivery not proven: `npm test` in a clean clone') } });
		const { body: project } = await service.request<Record<string, any>>('GET', `/api/projects/${id}`);
		expect(project.delivery).toMatchObject({ verified: false });
		expect(project.repository ?? null).toBeNull();
	}, 120_000);
});

describe('a whole Python project', () => {
	it('completes with its pyproject.toml proven: python -m pytest passes in a clean clone of the published repository', async () => {
		const info = await pythonInfo;
		if (!info?.pytest) {
			console.warn(`skipped: the sandbox's python3 has no pytest (${info ? info.executable : 'no python3'}); install python3-pytest to run this test`);
			return;
		}
		const { status, body } = await service.request<Record<string, any>>('POST', '/api/projects', { title: unique('Python delivery'), requirements: unique('lang=python temperatures'), settings: { review: false } });
		expect(status).toBe(201);
		const project = await waitForStatus(service, body.projectId as string, ['completed', 'failed'], 120_000);
		expect({ status: project.status, reason: project.statusReason }).toEqual({ status: 'completed', reason: null });
		expect(project.delivery).toMatchObject({ stack: 'python', testCommand: 'python -m pytest', verified: true, proof: { status: 'passed', passed: 2 } });
		expect(project.delivery.files.map((f: { path: string }) => f.path)).toEqual(['pyproject.toml', 'README.md', '.gitignore', '.github/workflows/ci.yml']);

		// A client's clone: its README names the command, and the command passes with only python3 and pytest.
		const clone = cloneOf(project.repository.url as string);
		try {
			expect(readFileSync(join(clone, 'README.md'), 'utf8')).toContain('python -m pytest');
			expect(readFileSync(join(clone, 'pyproject.toml'), 'utf8')).toContain('[project]');
			// Exit 0 (execFileSync throws otherwise), two tests passed: a dot each under pyproject.toml's quiet options.
			const output = execFileSync(info.executable, ['-m', 'pytest', '-p', 'no:cacheprovider'], { cwd: clone, encoding: 'utf8' });
			expect(output).toMatch(/^\.\.\s+\[100%\]/m);
		} finally {
			rmSync(clone, { recursive: true, force: true });
		}
	}, 150_000);
});

describe('settings.license', () => {
	it('refuses a license it cannot ship with a 400 that names the field and lists the allowed ids', async () => {
		const { status, body } = await service.request<Record<string, any>>('POST', '/api/projects', { title: unique('Licensed'), requirements: unique('tasks=1'), settings: { license: 'GPL-3.0' } });
		expect(status).toBe(400);
		expect(JSON.stringify(body)).toContain('license');
		expect(JSON.stringify(body)).toContain('must be one of \\"MIT\\", \\"ISC\\", \\"BSD-2-Clause\\"');
	});
});

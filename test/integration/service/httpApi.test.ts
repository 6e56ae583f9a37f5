import { spawn } from 'node:child_process';

import { closedPort } from '../../support/ports';
import { RUNTIME_BIN, testRedisUrl, type RuntimeProcess } from '../../support/runtimeProcess';
import { playCompany } from '../../support/scriptedCompany';
import { CallbackReceiver, MODELS, ServiceHarness, unique, waitForStatus } from './support';

const TOKEN = 's3cret-token-123';

const harness = new ServiceHarness();
/** Runs the API and the worker: every test that creates or runs projects uses this one. */
let service: RuntimeProcess;
/** API only, BODY_LIMIT_BYTES=2048. */
let limited: RuntimeProcess;
/** API only, API_TOKEN set. */
let guarded: RuntimeProcess;
/** API only, OLLAMA_HOST at a port nothing listens on. */
let degraded: RuntimeProcess;

beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama);
	const deadOllama = `http://127.0.0.1:${await closedPort()}`;
	// The extra processes run the API only, so none of them takes jobs from the main one's queue.
	[service, limited, guarded, degraded] = await Promise.all([
		harness.start({ CONCURRENCY: '4', OLLAMA_NUM_PARALLEL: '2' }),
		harness.start({ BODY_LIMIT_BYTES: '2048' }, 'api'),
		harness.start({ API_TOKEN: TOKEN }, 'api'),
		harness.start({ OLLAMA_HOST: deadOllama }, 'api'),
	]);
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
});

async function createProject(body: Record<string, unknown>): Promise<string> {
	const { status, body: reply } = await service.request('POST', '/api/projects', body);
	expect({ status, reply }).toMatchObject({ status: 201, reply: { created: true } });
	return reply.projectId as string;
}

/** Waits for a job to finish (?wait=20) and returns its view. */
async function finishedJob(jobId: string): Promise<Record<string, any>> {
	const { status, body } = await service.request<Record<string, any>>('GET', `/api/jobs/${encodeURIComponent(jobId)}?wait=20`);
	expect(status).toBe(200);
	return body;
}

// First in the file: the listing must still be empty when the refusals have been sent.
describe('a refused intake stores nothing and names the field to fix', () => {
	const refusals: Array<[string, unknown, string]> = [
		['a missing requirements', {}, 'requirements'],
		['an unknown field', { requirements: 'x', colour: 'red', start: false }, 'colour'],
		['settings.maxFixAttempts below 1', { requirements: 'x', start: false, settings: { maxFixAttempts: 0 } }, 'settings.maxFixAttempts'],
		['a git remote base git would read as an option', { requirements: 'x', start: false, settings: { gitRemoteBase: '-oProxyCommand=x' } }, 'settings.gitRemoteBase'],
		['a callback URL that is not http(s)', { requirements: 'x', start: false, settings: { callbackUrl: 'ftp://x' } }, 'settings.callbackUrl'],
	];

	it.each(refusals)('refuses %s with 400 invalid_input naming the field', async (_what, body, field) => {
		const reply = await service.request('POST', '/api/projects', body);
		expect(reply.status).toBe(400);
		expect(reply.body).toMatchObject({ error: 'invalid_input', field });
		expect(reply.body.message).toEqual(expect.stringContaining(field));
	});

	it('refuses a malformed JSON body with 400', async () => {
		const reply = await service.request('POST', '/api/projects', '{"requirements": "x",', { 'content-type': 'application/json' });
		expect(reply.status).toBe(400);
		expect(reply.body).toMatchObject({ error: 'bad_request' });
	});

	it('lists no project after all those refusals', async () => {
		const reply = await service.request('GET', '/api/projects');
		expect(reply.status).toBe(200);
		expect(reply.body).toMatchObject({ projects: [], total: 0 });
		const all = await service.request('GET', '/api/projects?status=intake');
		expect(all.body).toMatchObject({ projects: [], total: 0 });
	});
});

describe('request bodies over BODY_LIMIT_BYTES are refused', () => {
	it('answers 413 too_large to a body larger than the limit, and stores nothing', async () => {
		const body = { requirements: 'x'.repeat(4096), title: unique('Too large'), start: false };
		const reply = await limited.request('POST', '/api/projects', body);
		expect(reply.status).toBe(413);
		expect(reply.body).toMatchObject({ error: 'too_large' });
		const listed = await limited.request<{ projects: Array<{ title: string }> }>('GET', '/api/projects?limit=200');
		expect(listed.body.projects.map((p) => p.title)).not.toContain(body.title);
	});
});

describe('intake is idempotent', () => {
	it('answers a repeated idempotencyKey with the project it created (201 created, then 200 not created)', async () => {
		const body = { requirements: unique('Idempotent by key'), idempotencyKey: unique('key').replace(' ', '-'), start: false };
		const first = await service.request('POST', '/api/projects', body);
		expect(first.status).toBe(201);
		expect(first.body).toMatchObject({ created: true, status: 'intake', mode: 'steps' });
		const second = await service.request('POST', '/api/projects', body);
		expect(second.status).toBe(200);
		expect(second.body).toMatchObject({ created: false, projectId: first.body.projectId });
	});

	it('answers the same title, requirements and client without a key with the same project', async () => {
		const body = { title: unique('Same form'), requirements: unique('Sent twice'), clientName: 'Ada', clientEmail: 'ada@example.com', start: false };
		const first = await service.request('POST', '/api/projects', body);
		expect(first.status).toBe(201);
		const second = await service.request('POST', '/api/projects', { ...body, clientEmail: 'ADA@example.com', requirements: `  ${body.requirements} ` });
		expect(second.status).toBe(200);
		expect(second.body).toMatchObject({ created: false, projectId: first.body.projectId });
		const other = await service.request('POST', '/api/projects', { ...body, clientName: 'Grace' });
		expect(other.status).toBe(201);
		expect(other.body.projectId).not.toBe(first.body.projectId);
	});

	it('answers 409 conflict naming idempotencyKey when the key comes back with other requirements, and stores nothing new', async () => {
		const key = unique('reused-key').replace(' ', '-');
		const first = await service.request('POST', '/api/projects', { requirements: unique('First request'), idempotencyKey: key, start: false });
		expect(first.status).toBe(201);
		const { body: before } = await service.request<Record<string, any>>('GET', `/api/projects/${first.body.projectId}`);
		const reused = await service.request('POST', '/api/projects', { requirements: unique('Another request'), idempotencyKey: key, start: false });
		expect(reused.status).toBe(409);
		expect(reused.body).toMatchObject({ error: 'conflict', field: 'idempotencyKey' });
		const { body: after } = await service.request<Record<string, any>>('GET', `/api/projects/${first.body.projectId}`);
		expect(after).toEqual(before);
	});

	it('takes blank optional fields as n8n forms send them: an empty clientEmail and null settings', async () => {
		const reply = await service.request('POST', '/api/projects', { requirements: unique('Blank fields'), clientName: '', clientEmail: '', settings: null, start: false });
		expect(reply.status).toBe(201);
		const { body } = await service.request<Record<string, any>>('GET', `/api/projects/${reply.body.projectId}`);
		expect(body.client).toEqual({});
	});
});

describe('projects are listed newest first, read one by one, with their event log', () => {
	it('lists newest first with limit, offset and total', async () => {
		const ids: string[] = [];
		for (const label of ['Oldest', 'Middle', 'Newest']) {
			ids.push(await createProject({ title: unique(label), requirements: unique('Listing'), start: false }));
			// Index scores are creation times in ms: keep them apart.
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
		const all = await service.request<{ projects: Array<{ projectId: string; createdAt: string }>; total: number; offset: number; limit: number }>('GET', '/api/projects?limit=200');
		expect(all.status).toBe(200);
		expect(all.body).toMatchObject({ offset: 0, limit: 200 });
		expect(all.body.total).toBe(all.body.projects.length);
		const listed = all.body.projects.map((p) => p.projectId);
		const created = all.body.projects.map((p) => p.createdAt);
		expect(created).toEqual([...created].sort().reverse());
		expect(listed.filter((id) => ids.includes(id))).toEqual([...ids].reverse());
		expect(listed[0]).toBe(ids[2]);

		const page = await service.request<{ projects: Array<{ projectId: string }>; total: number; offset: number; limit: number }>('GET', '/api/projects?limit=2&offset=1');
		expect(page.status).toBe(200);
		expect(page.body).toMatchObject({ total: all.body.total, offset: 1, limit: 2 });
		expect(page.body.projects.map((p) => p.projectId)).toEqual(listed.slice(1, 3));
		expect(page.body.projects[0]).toEqual(expect.objectContaining({ title: expect.any(String), status: 'intake', tasks: { total: 0, done: 0, failed: 0 } }));
	});

	it('refuses a page size over 200 naming limit', async () => {
		const reply = await service.request('GET', '/api/projects?limit=201');
		expect(reply.status).toBe(400);
		expect(reply.body).toMatchObject({ error: 'invalid_input', field: 'limit' });
	});

	it('reads one project with its run, and answers 404 not_found for an unknown id', async () => {
		const title = unique('Read me');
		const id = await createProject({ title, requirements: unique('One project'), clientName: 'Ada', start: false });
		const reply = await service.request<Record<string, any>>('GET', `/api/projects/${id}`);
		expect(reply.status).toBe(200);
		expect(reply.body).toMatchObject({ id, title, status: 'intake', client: { name: 'Ada' }, run: { mode: 'steps', round: 0 } });

		const unknown = await service.request('GET', '/api/projects/no-such-project-0000');
		expect(unknown.status).toBe(404);
		expect(unknown.body).toMatchObject({ error: 'not_found' });
		expect(unknown.body.message).toEqual(expect.stringContaining('no-such-project-0000'));
	});

	it("gives a project's event log oldest first, and 404 for an unknown project's", async () => {
		const id = await createProject({ title: unique('Events'), requirements: unique('Event log'), start: false });
		await service.request('POST', `/api/projects/${id}/cancel`, { reason: 'to have a second event' });
		const reply = await service.request<{ events: Array<{ id: string; type: string; time: string; data: Record<string, unknown> }> }>('GET', `/api/projects/${id}/events`);
		expect(reply.status).toBe(200);
		expect(reply.body.events.length).toBeGreaterThanOrEqual(2);
		expect(reply.body.events[0]).toMatchObject({ type: 'project.created', id: expect.stringMatching(/^\d+-\d+$/) });
		const after = await service.request<{ events: Array<{ id: string }> }>('GET', `/api/projects/${id}/events?after=${reply.body.events[0].id}`);
		expect(after.body.events.map((e) => e.id)).toEqual(reply.body.events.slice(1).map((e) => e.id));

		const unknown = await service.request('GET', '/api/projects/no-such-project-0000/events');
		expect(unknown.status).toBe(404);
		expect(unknown.body).toMatchObject({ error: 'not_found' });
	});
});

describe('API_TOKEN guards /api and a non-loopback HOST needs it', () => {
	it('answers 401 without the token or with a wrong one, 200 with "Bearer <token>"; /health needs none', async () => {
		const without = await guarded.request('GET', '/api/projects');
		expect(without.status).toBe(401);
		expect(without.body).toMatchObject({ error: 'unauthorized' });
		const wrong = await guarded.request('GET', '/api/projects', undefined, { authorization: 'Bearer s3cret-token-124' });
		expect(wrong.status).toBe(401);
		const bare = await guarded.request('GET', '/api/projects', undefined, { authorization: TOKEN });
		expect(bare.status).toBe(401);
		const right = await guarded.request('GET', '/api/projects', undefined, { authorization: `Bearer ${TOKEN}` });
		expect(right.status).toBe(200);
		expect(right.body).toMatchObject({ projects: expect.any(Array) });
		const health = await guarded.request('GET', '/health');
		expect(health.status).toBe(200);
	});

	it('needs the token however the /api path is spelled (percent-encoded letters route to the same handlers)', async () => {
		// The router decodes "%61" to "a", so "/%61pi/projects" is GET /api/projects; the guard must see it that way too.
		const listed = await guarded.request('GET', '/%61pi/projects');
		expect({ path: '/%61pi/projects', status: listed.status }).toEqual({ path: '/%61pi/projects', status: 401 });
		const title = unique('Past the guard');
		const posted = await guarded.request('POST', '/%61pi/projects', { title, requirements: unique('Bypass'), start: false });
		expect({ path: 'POST /%61pi/projects', status: posted.status }).toEqual({ path: 'POST /%61pi/projects', status: 401 });
	});

	it('refuses to start on HOST=0.0.0.0 without API_TOKEN: exit code 2 and a message naming HOST', async () => {
		const child = spawn(process.execPath, [RUNTIME_BIN, '--role', 'all'], {
			env: {
				PATH: process.env.PATH,
				REDIS_URL: testRedisUrl(),
				PORT: String(await closedPort()),
				LOCK_DURATION_MS: '2000',
				STALLED_INTERVAL_MS: '1000',
				JOB_BACKOFF_MS: '200',
				SHUTDOWN_GRACE_MS: '500',
				LOG_LEVEL: 'info',
				...harness.env({ HOST: '0.0.0.0' }),
			},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
		child.stdout.resume();
		const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
		const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
		clearTimeout(timer);
		expect({ code, stderr }).toMatchObject({ code: 2, stderr: expect.stringContaining('HOST') });
		expect(stderr).toMatch(/API_TOKEN/);
	});
});

describe('step jobs drive a project one role at a time (canvas workflows)', () => {
	it('plans, develops and tests a task through jobs, each request answered at once with a job id', async () => {
		const id = await createProject({ title: unique('Steps'), requirements: `${unique('Steps')} tasks=1 waves=1`, start: false });

		const plan = await service.request<Record<string, any>>('POST', `/api/projects/${id}/plan`);
		expect(plan.status).toBe(202);
		expect(plan.body).toMatchObject({ jobId: expect.any(String), name: 'plan', projectId: id });
		const again = await service.request<Record<string, any>>('POST', `/api/projects/${id}/plan`);
		expect(again.status).toBe(202);
		expect(again.body.jobId).toBe(plan.body.jobId);

		const planned = await finishedJob(plan.body.jobId);
		expect(planned).toMatchObject({ jobId: plan.body.jobId, name: 'plan', state: 'completed', projectId: id });
		expect(planned.result.plan.tasks.map((t: { id: string }) => t.id)).toEqual(['T1']);
		const afterPlan = await service.request<Record<string, any>>('GET', `/api/projects/${id}`);
		expect(afterPlan.body.status).toBe('planned');

		const develop = await service.request<Record<string, any>>('POST', `/api/projects/${id}/tasks/T1/develop`);
		expect(develop.status).toBe(202);
		expect(develop.body).toMatchObject({ name: 'develop', projectId: id, taskId: 'T1' });
		const developed = await finishedJob(develop.body.jobId);
		expect(developed).toMatchObject({ state: 'completed', result: { taskId: 'T1', attempt: 1 } });

		const test = await service.request<Record<string, any>>('POST', `/api/projects/${id}/tasks/T1/test`);
		expect(test.status).toBe(202);
		expect(test.body).toMatchObject({ name: 'test', projectId: id, taskId: 'T1' });
		const tested = await finishedJob(test.body.jobId);
		expect(tested).toMatchObject({ state: 'completed', result: { status: 'passed', taskStatus: 'done', taskId: 'T1' } });

		const unknownTask = await service.request('POST', `/api/projects/${id}/tasks/T99/develop`);
		expect(unknownTask.status).toBe(400);
		expect(unknownTask.body).toMatchObject({ error: 'invalid_input', field: 'taskId' });
	}, 60_000);

	it('answers 404 not_found for an unknown job, 400 naming wait for a wait over 60 s', async () => {
		const unknown = await service.request('GET', '/api/jobs/unknown');
		expect(unknown.status).toBe(404);
		expect(unknown.body).toMatchObject({ error: 'not_found' });
		const tooLong = await service.request('GET', '/api/jobs/unknown?wait=61');
		expect(tooLong.status).toBe(400);
		expect(tooLong.body).toMatchObject({ error: 'invalid_input', field: 'wait' });
	});

	it('refuses a step on an unknown project with 404', async () => {
		const reply = await service.request('POST', '/api/projects/no-such-project-0000/plan');
		expect(reply.status).toBe(404);
		expect(reply.body).toMatchObject({ error: 'not_found' });
	});
});

describe('system endpoints: models, health, metrics, OpenAPI', () => {
	it("lists the model server's models", async () => {
		const reply = await service.request<{ models: Array<{ name: string }> }>('GET', '/api/models');
		expect(reply.status).toBe(200);
		expect(reply.body.models.map((m) => m.name).sort()).toEqual([...MODELS].sort());
	});

	it('reports ok with Redis and Ollama reachable; the open route without the model server\'s address, /api/health with it', async () => {
		const reply = await service.request<Record<string, any>>('GET', '/health');
		expect(reply.status).toBe(200);
		expect(reply.body).toMatchObject({ status: 'ok', redis: { ok: true }, ollama: { ok: true, models: MODELS.length } });
		expect(reply.body.ollama).not.toHaveProperty('url');
		const behindToken = await service.request<Record<string, any>>('GET', '/api/health');
		expect(behindToken.body).toMatchObject({ status: 'ok', ollama: { ok: true, url: harness.ollama.url, models: MODELS.length } });
	});

	it('reports degraded (still 200) when Ollama is unreachable', async () => {
		const reply = await degraded.request<Record<string, any>>('GET', '/health');
		expect(reply.status).toBe(200);
		expect(reply.body).toMatchObject({ status: 'degraded', redis: { ok: true }, ollama: { ok: false } });
		// Why, with the address it tried, only behind the token (none is set here).
		const behindToken = await degraded.request<Record<string, any>>('GET', '/api/health');
		expect(behindToken.body).toMatchObject({ status: 'degraded', ollama: { ok: false, error: expect.any(String) } });
	});

	it('serves Prometheus metrics: queue, projects, and model calls by role once a project completed', async () => {
		const id = await createProject({ title: unique('Metrics'), requirements: `${unique('Metrics')} tasks=1 waves=1` });
		const project = await waitForStatus(service, id, ['completed', 'failed', 'cancelled'], 30_000);
		expect(project.status).toBe('completed');

		const response = await fetch(`${service.url}/metrics`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
		const text = await response.text();
		expect(text).toMatch(/^aic_queue_jobs\{state="\w+"\} \d+$/m);
		expect(text).toMatch(/^aic_projects\{status="completed"\} [1-9]\d*$/m);
		expect(text).toMatch(/^aic_llm_calls_total\{role="planner",model="[^"]+"\} [1-9]\d*$/m);
		expect(text).toMatch(/^aic_llm_calls_total\{role="developer",model="[^"]+"\} [1-9]\d*$/m);
		// Where the task jobs' time went: model calls and the sandbox's test runs; publishing's, git.
		expect(text).toMatch(/^aic_job_phase_seconds_total\{name="task",phase="llm"\} \d/m);
		expect(text).toMatch(/^aic_job_phase_seconds_total\{name="task",phase="sandbox"\} \d/m);
		expect(text).toMatch(/^aic_job_phase_seconds_total\{name="publish",phase="git"\} \d/m);
		expect(text).not.toMatch(/^aic_job_phase_seconds_total\{name="plan",phase="sandbox"\}/m);
	}, 40_000);

	it('publishes an OpenAPI 3 document listing /api/projects', async () => {
		const reply = await service.request<Record<string, any>>('GET', '/openapi.json');
		expect(reply.status).toBe(200);
		expect(reply.body.openapi).toMatch(/^3\./);
		expect(Object.keys(reply.body.paths)).toEqual(expect.arrayContaining(['/api/projects', '/api/projects/{id}', '/api/jobs/{jobId}']));
		expect(reply.body.paths['/api/projects'].post).toBeDefined();
	});
});

describe('callbacks: one POST when a project ends, one when a step job ends', () => {
	let receiver: CallbackReceiver;

	beforeAll(async () => {
		receiver = await CallbackReceiver.start();
	});

	afterAll(async () => {
		await receiver.close();
	});

	it("POSTs the project's outcome exactly once to settings.callbackUrl when it completes", async () => {
		const id = await createProject({
			title: unique('Callback'),
			requirements: `${unique('Callback')} tasks=2 waves=1`,
			settings: { callbackUrl: receiver.url('/project') },
		});
		const project = await waitForStatus(service, id, ['completed', 'failed', 'cancelled'], 30_000);
		expect(project.status).toBe('completed');
		const [first] = await receiver.waitFor('/project');
		expect(first.body).toMatchObject({ projectId: id, status: 'completed' });
		expect(first.body.tasks).toHaveLength(2);
		// Give a second (wrong) POST time to arrive.
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(receiver.on('/project')).toHaveLength(1);
	}, 40_000);

	it('calls settings.deployHookUrl once, after the repository is pushed and before the project completes', async () => {
		const id = await createProject({
			title: unique('Deploy'),
			requirements: `${unique('Deploy')} tasks=1 waves=1`,
			settings: { deployHookUrl: receiver.url('/deploy') },
		});
		const project = await waitForStatus(service, id, ['completed', 'failed', 'cancelled'], 30_000);
		expect(project.status).toBe('completed');
		const [hook] = await receiver.waitFor('/deploy');
		expect(hook.body).toMatchObject({ projectId: id, status: 'deployment', repository: { branch: 'main' } });
		expect(hook.body.repository.lastCommit).toMatch(/^[0-9a-f]{40}$/);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(receiver.on('/deploy')).toHaveLength(1);
	}, 40_000);

	it("POSTs a step job's result exactly once to its callbackUrl", async () => {
		const id = await createProject({ title: unique('Step callback'), requirements: `${unique('Step callback')} tasks=1 waves=1`, start: false });
		const plan = await service.request<Record<string, any>>('POST', `/api/projects/${id}/plan`, { callbackUrl: receiver.url('/step') });
		expect(plan.status).toBe(202);
		const [first] = await receiver.waitFor('/step');
		expect(first.body).toMatchObject({ jobId: plan.body.jobId, state: 'completed', result: { projectId: id } });
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(receiver.on('/step')).toHaveLength(1);
	}, 30_000);

	it('POSTs a finished step job\'s result to the callbackUrl of a repeated request too (a re-run workflow waits on a new resume URL)', async () => {
		const id = await createProject({ title: unique('Step again'), requirements: `${unique('Step again')} tasks=1 waves=1`, start: false });
		const first = await service.request<Record<string, any>>('POST', `/api/projects/${id}/plan`, { callbackUrl: receiver.url('/first-run') });
		await receiver.waitFor('/first-run');
		const again = await service.request<Record<string, any>>('POST', `/api/projects/${id}/plan`, { callbackUrl: receiver.url('/second-run') });
		expect(again.body).toMatchObject({ jobId: first.body.jobId, state: 'completed' });
		const [second] = await receiver.waitFor('/second-run');
		expect(second.body).toMatchObject({ jobId: first.body.jobId, state: 'completed' });
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(receiver.on('/first-run')).toHaveLength(1);
		expect(receiver.on('/second-run')).toHaveLength(1);
	}, 30_000);
});

describe('cancel and retry', () => {
	it('cancels a project, and answers 409 conflict to cancelling it again', async () => {
		const id = await createProject({ title: unique('Cancel'), requirements: unique('Cancel me'), start: false });
		const cancelled = await service.request('POST', `/api/projects/${id}/cancel`);
		expect(cancelled.status).toBe(200);
		expect(cancelled.body).toMatchObject({ projectId: id, status: 'cancelled' });
		const stored = await service.request('GET', `/api/projects/${id}`);
		expect(stored.body).toMatchObject({ status: 'cancelled' });
		const again = await service.request('POST', `/api/projects/${id}/cancel`, { reason: 'twice' });
		expect(again.status).toBe(409);
		expect(again.body).toMatchObject({ error: 'conflict' });
	});

	it('takes a step or cancel request with a JSON content type and an empty body (as n8n\'s HTTP Request node sends it)', async () => {
		const id = await createProject({ title: unique('Empty body'), requirements: unique('Empty body'), start: false });
		const cancelled = await service.request('POST', `/api/projects/${id}/cancel`, '', { 'content-type': 'application/json' });
		expect(cancelled.status).toBe(200);
		expect(cancelled.body).toMatchObject({ status: 'cancelled' });
	});

	it('refuses to retry a project that has not failed, naming id', async () => {
		const id = await createProject({ title: unique('Retry'), requirements: unique('Not failed'), start: false });
		const reply = await service.request('POST', `/api/projects/${id}/retry`);
		expect(reply.status).toBe(400);
		expect(reply.body).toMatchObject({ error: 'invalid_input', field: 'id' });
		const unknown = await service.request('POST', '/api/projects/no-such-project-0000/retry');
		expect(unknown.status).toBe(404);
	});
});

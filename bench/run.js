#!/usr/bin/env node
'use strict';
// `npm run bench`: the runtime service measured end to end (HTTP intake → BullMQ → worker → Redis
// store → git) against an Ollama-speaking bench server with S slots and a fixed latency L per call,
// which answers as the tests' scripted company (test/support/scriptedCompany.ts, transpiled here).
// Prints markdown tables and writes the same as JSON under bench/results/. Not part of `npm test`.
//
// Options (environment, defaults fit 10 minutes on 2 cores): BENCH_SCALE_K=1,5,20,50  BENCH_BASELINE_K=1,5
// BENCH_OVERHEAD_K=10  BENCH_SCALEOUT_K=50  BENCH_SVC_<VAR>=value (a service variable for every run)
// BENCH_SLOW_K=10  BENCH_SLOW_L=1000  BENCH_ONLY=scale,slowmodel,baseline,overhead,fairness,context,scaleout,batching
// (or `--only batching,…`)  BENCH_BATCH_K=100 BENCH_BATCH_S=32 BENCH_BATCH_L=1000  BENCH_CPU_PROF=<folder> (the
// batching run's service writes a V8 CPU profile there)  AIC_RUNTIME_DIST=<folder> (a build other than runtime/dist)

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
// AIC_RUNTIME_DIST: a build of one's own (as the tests' runtimeProcess.ts takes it) instead of runtime/dist.
const BUILT = process.env.AIC_RUNTIME_DIST ? path.resolve(process.env.AIC_RUNTIME_DIST) : path.join(ROOT, 'runtime/dist');
// The bench runs a snapshot of the built service, so a build in the same tree meanwhile cannot pull it away.
const SNAPSHOT = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-bench-runtime-'));
const BIN = path.join(SNAPSHOT, 'dist/bin/aiCompanyWorker.js');
const MODELS = ['llama3.2:3b', 'qwen2.5-coder:7b'];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);

// ---------------------------------------------------------------- the scripted company, reused
const { loadScriptedCompany } = require('../scripts/lib/scriptedCompany');
const company = loadScriptedCompany();

// ---------------------------------------------------------------- helpers
async function freePort() {
	const probe = net.createServer();
	await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address();
	await new Promise((resolve) => probe.close(resolve));
	return port;
}

function readBody(req) {
	return new Promise((resolve, reject) => {
		const parts = [];
		req.on('data', (p) => parts.push(p));
		req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
		req.on('error', reject);
	});
}

function percentile(values, p) {
	if (!values.length) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const mean = (values) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN);

/** Longest chain of model calls in a scripted project: plan, then per task on the chain develop + test (+ a fix turn for a bug task). */
function criticalCalls(spec) {
	const plan = company.planFor(spec);
	const byId = new Map(plan.tasks.map((t) => [t.id, t]));
	const memo = new Map();
	const cost = (t) => 2 + (spec.bugs.includes(t.id) ? 1 : 0);
	const depth = (t) => {
		if (!memo.has(t.id)) memo.set(t.id, cost(t) + Math.max(0, ...t.dependsOn.map((d) => depth(byId.get(d)))));
		return memo.get(t.id);
	};
	return 1 + Math.max(...plan.tasks.map(depth));
}

// ---------------------------------------------------------------- the bench server
/** Ollama-speaking: S slots (calls beyond S wait, as OLLAMA_NUM_PARALLEL), a queue of at most maxQueue (beyond: 503 "server busy", as OLLAMA_MAX_QUEUE), L ms per call. */
class BenchServer {
	constructor({ slots, latencyMs, maxQueue = 512 }) {
		Object.assign(this, { slots, latencyMs, maxQueue });
		this.active = 0;
		this.waiting = [];
		this.busyMs = 0;
		this.calls = 0;
		this.busy503 = 0;
		this.peakActive = 0;
		this.peakQueue = 0;
		this.byRole = {};
		this.devPrompt = {}; // tasks in the project → prompt tokens (chars / 4) of first developer turns
		this.server = http.createServer((req, res) => void this.handle(req, res).catch((error) => {
			res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
		}));
	}
	async start() {
		await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${this.server.address().port}`;
		return this;
	}
	async close() {
		this.server.closeAllConnections();
		await new Promise((resolve) => this.server.close(resolve));
	}
	acquire() {
		if (this.active < this.slots) {
			this.active++;
			this.peakActive = Math.max(this.peakActive, this.active);
			return Promise.resolve(true);
		}
		if (this.waiting.length >= this.maxQueue) return Promise.resolve(false);
		return new Promise((resolve) => {
			this.waiting.push(resolve);
			this.peakQueue = Math.max(this.peakQueue, this.waiting.length);
		});
	}
	release() {
		const next = this.waiting.shift();
		if (next) next(true); // the slot passes on
		else this.active--;
	}
	async handle(req, res) {
		const text = await readBody(req);
		const url = (req.url || '/').split('?')[0];
		const json = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
		if (req.method === 'GET' && url === '/api/version') return json(200, { version: '0.12.6' });
		if (req.method === 'GET' && url === '/api/tags') return json(200, { models: MODELS.map((name) => ({ name, model: name, modified_at: '2026-01-01T00:00:00Z', size: 1, digest: 'sha256:0', details: {} })) });
		if (req.method === 'GET' && url === '/') return res.writeHead(200).end('Ollama is running');
		// The OpenAI-compatible API (as vLLM serves it): the same slots, latency and replies.
		if (req.method === 'GET' && url === '/v1/models') return json(200, { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', created: 0, owned_by: 'bench' })) });
		const openai = req.method === 'POST' && url === '/v1/chat/completions';
		if (!openai && (req.method !== 'POST' || url !== '/api/chat')) return res.writeHead(404).end('404 page not found');
		const body = JSON.parse(text);
		if (!(await this.acquire())) {
			this.busy503++;
			return json(503, { error: 'server busy, please try again.  maximum pending requests exceeded' });
		}
		const started = Date.now();
		try {
			if (this.latencyMs > 0) await sleep(this.latencyMs);
			const messages = body.messages || [];
			const call = company.callOf({ body });
			const all = messages.map((m) => m.content).join('\n');
			const content = JSON.stringify(company.companyReply(call, all));
			const promptTokens = Math.ceil(JSON.stringify(messages).length / 4);
			this.calls++;
			this.byRole[call.role] = (this.byRole[call.role] || 0) + 1;
			if (call.role === 'developer' && !call.fix) {
				const tasks = company.specOf(all).tasks;
				(this.devPrompt[tasks] = this.devPrompt[tasks] || []).push(promptTokens);
			}
			if (openai) return await openaiReply(res, body, content, promptTokens);
			const final = { model: body.model, created_at: new Date().toISOString(), done: true, done_reason: 'stop', total_duration: this.latencyMs * 1e6, prompt_eval_count: promptTokens, eval_count: Math.ceil(content.length / 4) };
			if (body.stream === false) return json(200, { ...final, message: { role: 'assistant', content } });
			res.writeHead(200, { 'content-type': 'application/x-ndjson' });
			res.write(`${JSON.stringify({ model: body.model, created_at: final.created_at, message: { role: 'assistant', content }, done: false })}\n`);
			await new Promise((resolve) => res.end(`${JSON.stringify({ ...final, message: { role: 'assistant', content: '' } })}\n`, resolve));
		} finally {
			this.busyMs += Date.now() - started;
			this.release();
		}
	}
}

/** A chat completion as an OpenAI-compatible server answers it: SSE chunks (content, finish, usage, [DONE]) when streamed. */
async function openaiReply(res, body, content, promptTokens) {
	const usage = { prompt_tokens: promptTokens, completion_tokens: Math.ceil(content.length / 4), total_tokens: promptTokens + Math.ceil(content.length / 4) };
	const base = { id: `chatcmpl-bench-${Date.now()}`, created: Math.floor(Date.now() / 1000), model: body.model };
	if (!body.stream) {
		res.writeHead(200, { 'content-type': 'application/json' });
		return res.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage }));
	}
	const chunk = (fields) => `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', ...fields })}\n\n`;
	res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
	res.write(chunk({ choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: null }] }));
	res.write(chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
	if (body.stream_options?.include_usage) res.write(chunk({ choices: [], usage }));
	await new Promise((resolve) => res.end('data: [DONE]\n\n', resolve));
}

// ---------------------------------------------------------------- Redis of our own
class OwnRedis {
	async start() {
		this.port = await freePort();
		this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-bench-redis-'));
		this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
		const deadline = Date.now() + 10_000;
		while (!(await this.ping())) {
			if (Date.now() > deadline) throw new Error(`redis-server did not start on ${this.port}`);
			await sleep(50);
		}
		return this;
	}
	get url() {
		return `redis://127.0.0.1:${this.port}/0`;
	}
	/** One command over RESP (inline), answered as text. */
	command(line) {
		return new Promise((resolve, reject) => {
			const socket = net.connect(this.port, '127.0.0.1');
			let out = '';
			socket.on('data', (d) => {
				out += d.toString('utf8');
				const m = /^\$(\d+)\r\n/.exec(out);
				if (out.startsWith('+') || out.startsWith('-') || (m && out.length >= m[0].length + Number(m[1]) + 2)) socket.end();
			});
			socket.on('end', () => resolve(out));
			socket.on('error', reject);
			socket.write(`${line}\r\n`);
		});
	}
	async ping() {
		try {
			return (await this.command('PING')).startsWith('+PONG');
		} catch {
			return false;
		}
	}
	async commandsProcessed() {
		const info = await this.command('INFO stats');
		return Number(/total_commands_processed:(\d+)/.exec(info)[1]);
	}
	/** Calls per command so far (INFO commandstats; commands run by scripts included). */
	async commandStats() {
		const info = await this.command('INFO commandstats');
		return Object.fromEntries([...info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)].map(([, name, calls]) => [name, Number(calls)]));
	}
	/** redis-server's own CPU time so far (ms). */
	cpuMs() {
		try {
			const fields = fs.readFileSync(`/proc/${this.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
			return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
		} catch {
			return NaN;
		}
	}
	async stop() {
		if (this.child && this.child.exitCode === null) await new Promise((resolve) => { this.child.once('exit', resolve); this.child.kill('SIGKILL'); });
		fs.rmSync(this.dir, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------- CPU accounting that sees the tests
/**
 * A cgroup-v1 cpuacct group of the bench's own for a service process: it counts the CPU time of
 * everything the service starts, the tests in bubblewrap included. (/proc/<pid>/stat's children
 * counters miss those: bubblewrap's outer process exits on the command's exit status without
 * reaping the PID namespace's init, so the tests' time is never added to the service's.) null where
 * no writable cpuacct hierarchy exists; the group is removed when the service stops.
 */
class CpuGroup {
	static create(name) {
		const root = '/sys/fs/cgroup/cpuacct';
		try {
			const dir = path.join(root, name);
			fs.mkdirSync(dir);
			return Object.assign(new CpuGroup(), { dir });
		} catch {
			return null;
		}
	}
	add(pid) {
		try {
			fs.writeFileSync(path.join(this.dir, 'cgroup.procs'), String(pid));
			return true;
		} catch {
			return false;
		}
	}
	/** CPU time (ms) of the group's processes, the ones that ended included. */
	usageMs() {
		return Number(fs.readFileSync(path.join(this.dir, 'cpuacct.usage'), 'utf8')) / 1e6;
	}
	async remove() {
		// Its processes are gone once the service is; a straggler (a sandbox's init) may take a moment.
		for (let i = 0; i < 50; i++) {
			try {
				fs.rmdirSync(this.dir);
				return;
			} catch {
				await sleep(100);
			}
		}
	}
}

// ---------------------------------------------------------------- the service under test
/** BENCH_SVC_<NAME>=value sets the service's <NAME> in every run, e.g. BENCH_SVC_SANDBOX=process. */
function serviceEnvOverrides() {
	return Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_SVC_')).map(([k, v]) => [k.slice('BENCH_SVC_'.length), v]));
}

class Service {
	/** nodeArgs: options for node itself (--cpu-prof …); such a service is stopped with SIGTERM, so that node writes its profile. */
	static async start(env, role = 'all', nodeArgs = []) {
		const s = new Service();
		s.port = role === 'worker' ? 0 : await freePort();
		s.lines = [];
		s.rssPeakKb = 0;
		s.graceful = nodeArgs.length > 0;
		// OUTBOUND_ALLOW: the end callbacks go to the bench's own receiver on loopback, which the
		// service's outbound policy refuses unless the operator allows it.
		s.child = spawn(process.execPath, [...nodeArgs, BIN, '--role', role], {
			env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_PATH: path.join(ROOT, 'node_modules'), PORT: String(s.port), LOG_LEVEL: 'info', JOB_BACKOFF_MS: '200', SHUTDOWN_GRACE_MS: '500', OUTBOUND_ALLOW: '127.0.0.1', ...env, ...serviceEnvOverrides() },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		s.cpuGroup = CpuGroup.create(`aic-bench-${process.pid}-${s.child.pid}`);
		if (s.cpuGroup && !s.cpuGroup.add(s.child.pid)) {
			await s.cpuGroup.remove();
			s.cpuGroup = null;
		}
		let rest = '';
		const keep = (chunk) => {
			const parts = (rest + chunk.toString('utf8')).split('\n');
			rest = parts.pop();
			for (const line of parts) if (line) s.lines.push(line);
		};
		s.child.stdout.on('data', keep);
		s.child.stderr.on('data', keep);
		s.sampler = setInterval(() => s.sampleRss(), 100);
		const ready = role === 'worker' ? 'worker started' : 'API listening';
		const deadline = Date.now() + 20_000;
		while (!s.lines.some((l) => l.includes(ready))) {
			const problem = s.child.exitCode !== null ? `service exited ${s.child.exitCode}` : Date.now() > deadline ? 'service not ready in 20 s' : null;
			if (problem) {
				await s.stop();
				throw new Error(`${problem}:\n${s.lines.join('\n')}`);
			}
			await sleep(50);
		}
		s.url = `http://127.0.0.1:${s.port}`;
		return s;
	}
	status() {
		try {
			return fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
		} catch {
			return '';
		}
	}
	sampleRss() {
		const st = this.status();
		const rss = Number(/VmRSS:\s+(\d+)/.exec(st)?.[1] ?? 0);
		const hwm = Number(/VmHWM:\s+(\d+)/.exec(st)?.[1] ?? 0);
		this.rssPeakKb = Math.max(this.rssPeakKb, rss, hwm);
	}
	/** CPU time so far (ms): the process's own threads, and the children it has reaped (git, the sandbox's launchers; not what runs in bubblewrap's PID namespace). */
	cpuMs() {
		try {
			const fields = fs.readFileSync(`/proc/${this.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
			return { own: (Number(fields[11]) + Number(fields[12])) * TICK_MS, children: (Number(fields[13]) + Number(fields[14])) * TICK_MS };
		} catch {
			return { own: 0, children: 0 };
		}
	}
	/** CPU time so far (ms) of the service and everything it started (the tests in bubblewrap too); null without a cpuacct group. */
	groupCpuMs() {
		return this.cpuGroup ? this.cpuGroup.usageMs() : null;
	}
	peakRssMb() {
		this.sampleRss();
		return this.rssPeakKb / 1024;
	}
	logs() {
		return this.lines.flatMap((l) => {
			try {
				return [JSON.parse(l)];
			} catch {
				return [];
			}
		});
	}
	async request(method, route, body) {
		const response = await fetch(`${this.url}${route}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
		const text = await response.text();
		try {
			return { status: response.status, body: JSON.parse(text) };
		} catch {
			return { status: response.status, body: text };
		}
	}
	async stop() {
		clearInterval(this.sampler);
		if (this.child.exitCode === null && this.child.signalCode === null) {
			await new Promise((resolve) => {
				this.child.once('exit', resolve);
				if (!this.graceful) return this.child.kill('SIGKILL');
				this.child.kill('SIGTERM');
				setTimeout(() => this.child.kill('SIGKILL'), 15_000).unref();
			});
		}
		await this.cpuGroup?.remove();
	}
}

// ---------------------------------------------------------------- project end callbacks
class Ends {
	async start() {
		this.ended = new Map();
		this.waiters = new Map();
		this.server = http.createServer(async (req, res) => {
			const text = await readBody(req);
			res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
			try {
				const body = JSON.parse(text);
				if (body.projectId && !this.ended.has(body.projectId)) {
					this.ended.set(body.projectId, { at: Date.now(), status: body.status, reason: body.reason });
					this.waiters.get(body.projectId)?.();
				}
			} catch {
				// not ours
			}
		});
		await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${this.server.address().port}/ended`;
		return this;
	}
	wait(projectId, timeoutMs) {
		if (this.ended.has(projectId)) return Promise.resolve(this.ended.get(projectId));
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`project ${projectId} did not end within ${timeoutMs} ms`)), timeoutMs);
			this.waiters.set(projectId, () => {
				clearTimeout(timer);
				resolve(this.ended.get(projectId));
			});
		});
	}
	async close() {
		this.server.closeAllConnections();
		await new Promise((resolve) => this.server.close(resolve));
	}
}

// ---------------------------------------------------------------- one run: a service, a bench server, projects
let redis;
let ends;
let runCounter = 0;
const gitBase = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-bench-git-'));
const live = { services: [], servers: [] };

/**
 * The service's model settings for a provider: `ollama` (OLLAMA_HOST, bare model names) or `openai`
 * (OPENAI_BASE_URL with its /v1, every role's model as openai:<name>). OLLAMA_HOST points at the
 * bench server either way, so the health check finds it.
 */
function providerEnv(provider, serverUrl, parallel) {
	const ollama = { OLLAMA_HOST: serverUrl, OLLAMA_NUM_PARALLEL: String(parallel) };
	if (provider === 'ollama') return ollama;
	if (provider !== 'openai') throw new Error(`unknown bench provider ${JSON.stringify(provider)}: ollama or openai`);
	const [small, coder] = MODELS.map((m) => `openai:${m}`);
	return { OLLAMA_HOST: serverUrl, OPENAI_BASE_URL: `${serverUrl}/v1`, OPENAI_API_KEY: 'bench-key', OPENAI_NUM_PARALLEL: String(parallel), MODEL_PLANNER: small, MODEL_REPORTER: small, MODEL_DEVELOPER: coder, MODEL_TESTER: coder, MODEL_REVIEWER: coder };
}

/** workers: { role, parallel, concurrency (undefined: the service's default), nodeArgs }. */
async function withService({ slots, latencyMs, maxQueue, provider = 'ollama', workers = [{ role: 'all', parallel: slots, concurrency: 16 * slots }] }, body) {
	const server = await new BenchServer({ slots, latencyMs, maxQueue }).start();
	live.servers.push(server);
	const prefix = `bench${process.pid}r${++runCounter}:`;
	const services = [];
	try {
		for (const w of workers) {
			const concurrency = w.concurrency === undefined ? {} : { CONCURRENCY: String(w.concurrency) };
			const s = await Service.start({ REDIS_URL: redis.url, KEY_PREFIX: prefix, GIT_REMOTE_BASE: gitBase, MAX_PLAN_TASKS: '200', ...providerEnv(provider, server.url, w.parallel), ...concurrency }, w.role, w.nodeArgs);
			services.push(s);
			live.services.push(s);
		}
		return await body({ server, api: services[0], services });
	} finally {
		for (const s of services) await s.stop();
		await server.close();
	}
}

let seq = 0;
/** Posts one project; resolves with { id, postedAt, requirements, spec }. */
async function post(api, requirements, title = 'Bench') {
	const spec = company.specOf(requirements);
	const tag = `${process.pid}-${++seq}`;
	const postedAt = Date.now();
	const { status, body } = await api.request('POST', '/api/projects', {
		title: `${title} ${tag}`,
		requirements: `${requirements} run-${tag}`,
		settings: { callbackUrl: ends.url, maxPlanTasks: Math.max(spec.tasks, 1) },
	});
	if (status !== 201) throw new Error(`POST /api/projects → ${status} ${JSON.stringify(body)}`);
	return { id: body.projectId, postedAt, spec };
}

async function finish(project, timeoutMs) {
	const end = await ends.wait(project.id, timeoutMs);
	if (end.status !== 'completed') throw new Error(`project ${project.id} ended ${end.status}: ${end.reason}`);
	return { ...project, endedAt: end.at, latencyMs: end.at - project.postedAt };
}

/**
 * The machine's CPU time so far, busy and in all (/proc/stat): how busy its cores were during a
 * batch, whoever kept them busy. (The service's own CPU time would leave out the tests: what runs
 * in bubblewrap's PID namespace is not added to its parent's.)
 */
function machineCpu() {
	const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
	const [user, nice, system, idle, iowait, irq, softirq, steal] = ticks;
	return { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

// USER_HZ: /proc counts CPU time in ticks of 10 ms on Linux.
const TICK_MS = 10;

const PHASES = ['queuedMs', 'llmMs', 'sandboxMs', 'gitMs'];

/**
 * Where the jobs' time went, by job name, from the service's `job finished` lines: mean duration,
 * queue wait, model, sandbox and git time, and the rest ("own": store, queue calls, bookkeeping).
 */
function phaseSummary(lines) {
	const byName = {};
	for (const l of lines) (byName[l.job] = byName[l.job] || []).push(l);
	const summary = (ls) => {
		const row = { count: ls.length, meanMs: mean(ls.map((l) => l.durationMs)), maxMs: Math.max(...ls.map((l) => l.durationMs)) };
		for (const phase of PHASES) row[phase] = mean(ls.map((l) => l[phase] ?? 0));
		row.ownMs = mean(ls.map((l) => l.durationMs - (l.llmMs ?? 0) - (l.sandboxMs ?? 0) - (l.gitMs ?? 0)));
		return row;
	};
	return { all: summary(lines), byJob: Object.fromEntries(Object.entries(byName).map(([name, ls]) => [name, summary(ls)])) };
}

const finishedLines = (services) => services.flatMap((s) => s.logs()).filter((l) => l.msg === 'job finished');

/** K projects of `requirements` posted at once; the measures of the scale table. */
async function runBatch(ctx, k, requirements, { slots, latencyMs, timeoutMs = 300_000 }) {
	const { server, services } = ctx;
	const busy0 = server.busyMs;
	const calls0 = server.calls;
	const started = Date.now();
	const cpu0 = machineCpu();
	const own0 = services.map((s) => s.cpuMs());
	const group0 = services.map((s) => s.groupCpuMs());
	const posted = await Promise.all(Array.from({ length: k }, () => post(ctx.api, requirements)));
	const done = await Promise.all(posted.map((p) => finish(p, timeoutMs)));
	const makespanMs = Math.max(...done.map((d) => d.endedAt)) - started;
	const cpu1 = machineCpu();
	const own1 = services.map((s) => s.cpuMs());
	const group1 = services.map((s) => s.groupCpuMs());
	const calls = server.calls - calls0;
	const critical = criticalCalls(company.specOf(requirements)) * latencyMs;
	const idealMs = Math.max(critical, (calls * latencyMs) / slots);
	const latencies = done.map((d) => d.latencyMs);
	return {
		jobs: phaseSummary(finishedLines(services)),
		k,
		slots,
		latencyMs,
		makespanMs,
		idealMs,
		efficiency: idealMs / makespanMs,
		// Near 1: the batch was held back by the cores (test runs, git, the service, and whatever else ran), not by the model.
		machineBusy: (cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total),
		// Busy CPU time of the whole machine per project (all cores), and the service processes' own.
		coreSecondsPerProject: ((cpu1.busy - cpu0.busy) * TICK_MS) / 1000 / k,
		serviceCpuMs: own1.reduce((sum, c, i) => sum + c.own - own0[i].own, 0),
		serviceChildrenCpuMs: own1.reduce((sum, c, i) => sum + c.children - own0[i].children, 0),
		// The service and all it started, the tests in bubblewrap included (null: no cpuacct group here).
		serviceTreeCpuMs: group1.every((g) => g !== null) ? group1.reduce((sum, g, i) => sum + g - group0[i], 0) : null,
		utilisation: (server.busyMs - busy0) / (slots * makespanMs),
		callsPerProject: calls / k,
		p50Ms: percentile(latencies, 50),
		p95Ms: percentile(latencies, 95),
		peakRssMb: Math.max(...services.map((s) => s.peakRssMb())),
		busy503: server.busy503,
		peakServerQueue: server.peakQueue,
	};
}

// ---------------------------------------------------------------- scenarios
const SMALL = 'tasks=6 waves=3 bug=T2';
const S = 4;
const L = 200;

async function scale(results) {
	results.scale = [];
	for (const k of list(process.env.BENCH_SCALE_K ?? '1,5,20,50').map(Number)) {
		const row = await withService({ slots: S, latencyMs: L }, (ctx) => runBatch(ctx, k, SMALL, { slots: S, latencyMs: L }));
		results.scale.push(row);
		console.error(`  scale K=${k}: ${(row.makespanMs / 1000).toFixed(1)} s, efficiency ${row.efficiency.toFixed(2)}, task job ${JSON.stringify(row.jobs.byJob.task)}`);
	}
}

async function baseline(results) {
	results.baseline = [];
	for (const k of list(process.env.BENCH_BASELINE_K ?? '1,5').map(Number)) {
		const row = await withService({ slots: 1, latencyMs: L, workers: [{ role: 'all', parallel: 1, concurrency: 1 }] }, (ctx) => runBatch(ctx, k, SMALL, { slots: 1, latencyMs: L }));
		results.baseline.push(row);
		console.error(`  baseline K=${k}: ${(row.makespanMs / 1000).toFixed(1)} s`);
	}
}

/**
 * The scale part again with a model as slow as a small local one on a GPU (L = 1 s by default):
 * the same work around each call, so the model, not the cores, should set the pace.
 */
async function slowModel(results) {
	const k = Number(process.env.BENCH_SLOW_K ?? 10);
	const latencyMs = Number(process.env.BENCH_SLOW_L ?? 1000);
	results.slowModel = await withService({ slots: S, latencyMs }, (ctx) => runBatch(ctx, k, SMALL, { slots: S, latencyMs }));
	console.error(`  slow model K=${k} L=${latencyMs}: ${(results.slowModel.makespanMs / 1000).toFixed(1)} s, efficiency ${results.slowModel.efficiency.toFixed(2)}`);
}

async function overhead(results) {
	const k = Number(process.env.BENCH_OVERHEAD_K ?? 10);
	results.overhead = await withService({ slots: S, latencyMs: 0 }, async (ctx) => {
		const count = () => finishedLines([ctx.api]);
		const jobs0 = count().length;
		const cmds0 = await redis.commandsProcessed();
		const row = await runBatch(ctx, k, SMALL, { slots: S, latencyMs: 0 });
		await sleep(300); // the last callback job's log line
		const cmds = (await redis.commandsProcessed()) - cmds0;
		const finished = count().slice(jobs0);
		const jobs = finished.length;
		return {
			projects: k,
			jobs,
			makespanMs: row.makespanMs,
			jobsPerSecond: jobs / (row.makespanMs / 1000),
			wallMsPerJob: row.makespanMs / jobs,
			serviceCpuMsPerJob: row.serviceCpuMs / jobs,
			serviceChildrenCpuMsPerJob: row.serviceChildrenCpuMs / jobs,
			phases: phaseSummary(finished),
			redisCommands: cmds,
			redisCommandsPerJob: cmds / jobs,
			peakRssMb: row.peakRssMb,
		};
	});
}

async function fairness(results) {
	const small = 'tasks=3 waves=1';
	const big = 'tasks=80 waves=4'; // the shape the context part uses: waves = min(tasks, 4)
	results.fairness = await withService({ slots: S, latencyMs: L }, async (ctx) => {
		// Alone: the same 5 small projects at once, without the big one (they share the machine among
		// themselves either way; what is measured is what the big one adds).
		const aloneRuns = await Promise.all(Array.from({ length: 5 }, () => post(ctx.api, small, 'Alone')));
		const alone = (await Promise.all(aloneRuns.map((p) => finish(p, 120_000)))).map((d) => d.latencyMs);
		const bigProject = await post(ctx.api, big, 'Big');
		// The small ones arrive once the big one's 80 task jobs are queued.
		for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(200)) {
			const { body } = await ctx.api.request('GET', `/api/projects/${bigProject.id}`);
			if (body.status !== 'intake' && body.status !== 'planning' && body.status !== 'planned') break;
		}
		await sleep(500);
		const smalls = await Promise.all(Array.from({ length: 5 }, () => post(ctx.api, small, 'Small')));
		const smallDone = await Promise.all(smalls.map((p) => finish(p, 300_000)));
		const bigDone = await finish(bigProject, 300_000);
		const latencies = smallDone.map((d) => d.latencyMs);
		const aloneMs = mean(alone);
		// Where the small projects' time went behind the big one, job by job.
		const smallIds = new Set(smalls.map((p) => p.id));
		results.fairnessSmallJobs = phaseSummary(finishedLines([ctx.api]).filter((l) => smallIds.has(l.projectId))).byJob;
		results.fairnessBigJobs = phaseSummary(finishedLines([ctx.api]).filter((l) => l.projectId === bigProject.id)).byJob;
		// Its developer prompts serve the context part (80 tasks), which would otherwise build another 80-task project.
		results.bigDevPromptTokens = ctx.server.devPrompt[80] || [];
		return { small, big, aloneMs, smallMs: latencies, smallMeanMs: mean(latencies), smallMaxMs: Math.max(...latencies), ratioMean: mean(latencies) / aloneMs, ratioMax: Math.max(...latencies) / Math.max(...alone), aloneMaxMs: Math.max(...alone), bigMs: bigDone.latencyMs };
	});
}

async function context(results) {
	results.context = await withService({ slots: S, latencyMs: 0 }, async (ctx) => {
		// 80 tasks: the fairness part's big project (same shape) when it ran, else one built here.
		const reuse = results.bigDevPromptTokens?.length === 80;
		const sizes = reuse ? [5, 20] : [5, 20, 80];
		const posted = await Promise.all(sizes.map((n) => post(ctx.api, `tasks=${n} waves=${Math.min(n, 4)}`, 'Context')));
		await Promise.all(posted.map((p) => finish(p, 300_000)));
		const prompts = { ...ctx.server.devPrompt, ...(reuse ? { 80: results.bigDevPromptTokens } : {}) };
		return [5, 20, 80].map((n) => {
			const tokens = prompts[n] || [];
			return { tasks: n, developerCalls: tokens.length, meanPromptTokens: mean(tokens), maxPromptTokens: Math.max(...tokens), from: n === 80 && reuse ? 'fairness part' : 'own run' };
		});
	});
}

async function scaleout(results) {
	const k = Number(process.env.BENCH_SCALEOUT_K ?? 50);
	const slots = 8;
	results.scaleout = [];
	results.scaleoutK = k;
	for (const [label, workers] of [
		['1 worker process', [{ role: 'all', parallel: 8, concurrency: 128 }]],
		['2 worker processes', [{ role: 'all', parallel: 4, concurrency: 64 }, { role: 'worker', parallel: 4, concurrency: 64 }]],
	]) {
		const row = await withService({ slots, latencyMs: L, workers }, (ctx) => runBatch(ctx, k, SMALL, { slots, latencyMs: L }));
		results.scaleout.push({ label, ...row });
		console.error(`  scale-out ${label}: ${(row.makespanMs / 1000).toFixed(1)} s`);
	}
}

/**
 * A batching model server (as vLLM: S = 32 slots, L = 1 s a call) and K = 100 projects of 3 tasks
 * posted at once, the service with its default settings (no CONCURRENCY, no SANDBOX_PARALLEL: only
 * the server's slot count, which the operator has to tell it), through the OpenAI-compatible path
 * when the build has it (BENCH_BATCH_PROVIDER=ollama|openai chooses). CPU per project: the service
 * process's user + system time and its reaped children's (git, the sandbox and the tests it runs)
 * from /proc/<pid>/stat, before and after the batch, over K.
 */
async function batching(results) {
	const k = Number(process.env.BENCH_BATCH_K ?? 100);
	const slots = Number(process.env.BENCH_BATCH_S ?? 32);
	const latencyMs = Number(process.env.BENCH_BATCH_L ?? 1000);
	const hasOpenai = fs.existsSync(path.join(BUILT, 'llm/providers')) && fs.readdirSync(path.join(BUILT, 'llm/providers')).some((f) => /^openai.*\.js$/.test(f));
	const provider = process.env.BENCH_BATCH_PROVIDER ?? (hasOpenai ? 'openai' : 'ollama');
	const prof = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;
	if (prof) fs.mkdirSync(prof, { recursive: true });
	const requirements = 'tasks=3 waves=1';
	const workers = [{ role: 'all', parallel: slots, concurrency: undefined, nodeArgs: prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : [] }];
	results.batching = await withService({ slots, latencyMs, provider, workers }, async (ctx) => {
		const started = ctx.api.logs().find((l) => l.msg === 'worker started');
		const cmds0 = await redis.commandsProcessed();
		const stats0 = await redis.commandStats();
		const redisCpu0 = redis.cpuMs();
		const benchCpu0 = process.cpuUsage();
		const row = await runBatch(ctx, k, requirements, { slots, latencyMs, timeoutMs: 900_000 });
		const benchCpu = process.cpuUsage(benchCpu0);
		const redisCommands = (await redis.commandsProcessed()) - cmds0;
		const redisCpuMs = redis.cpuMs() - redisCpu0;
		const stats1 = await redis.commandStats();
		const byCommand = Object.entries(stats1).map(([name, calls]) => [name, (calls - (stats0[name] ?? 0)) / k]).filter(([, calls]) => calls > 0).sort((a, b) => b[1] - a[1]);
		// Everything the service started when the cgroup counts it; else only what /proc/<pid>/stat sees.
		const cpuMs = row.serviceTreeCpuMs ?? row.serviceCpuMs + row.serviceChildrenCpuMs;
		// The run's own CPU demand (service, redis-server, this process as the model server) spread over
		// every core: the makespan an otherwise idle machine could reach at best.
		const benchCpuMs = (benchCpu.user + benchCpu.system) / 1000;
		const cpuBoundMs = (cpuMs + redisCpuMs + benchCpuMs) / os.cpus().length;
		return {
			...row,
			requirements,
			provider,
			concurrency: started?.concurrency,
			peakSlots: ctx.server.peakActive,
			redisCommandsPerProject: redisCommands / k,
			redisCommandsByNamePerProject: Object.fromEntries(byCommand),
			redisCpuSecondsPerProject: redisCpuMs / 1000 / k,
			benchCpuSecondsPerProject: benchCpuMs / 1000 / k,
			cpuBoundMakespanMs: cpuBoundMs,
			// The efficiency this machine's cores allow at best for this CPU per project, whoever else is running.
			efficiencyCeiling: row.idealMs / Math.max(row.idealMs, cpuBoundMs),
			callsByRole: ctx.server.byRole,
			cpuMeasure: row.serviceTreeCpuMs === null ? '/proc/<pid>/stat: the service and its reaped children (the tests in bubblewrap missing)' : 'cpuacct cgroup: the service and everything it started, the tests in bubblewrap included',
			serviceCpuSecondsPerProject: cpuMs / 1000 / k,
			serviceOwnCpuSecondsPerProject: row.serviceCpuMs / 1000 / k,
			serviceReapedChildrenCpuSecondsPerProject: row.serviceChildrenCpuMs / 1000 / k,
			loadAverage: os.loadavg(),
		};
	});
	const r = results.batching;
	console.error(`  batching K=${k} S=${slots} L=${latencyMs} (${provider}, CONCURRENCY ${r.concurrency}): ${s1(r.makespanMs)} s, efficiency ${r.efficiency.toFixed(2)}, CPU ${r.serviceCpuSecondsPerProject.toFixed(2)} s/project (own ${r.serviceOwnCpuSecondsPerProject.toFixed(2)}, reaped children ${r.serviceReapedChildrenCpuSecondsPerProject.toFixed(2)}), peak slots ${r.peakSlots}, Redis commands/project ${r.redisCommandsPerProject.toFixed(0)} (${Object.entries(r.redisCommandsByNamePerProject).slice(0, 8).map(([n, c]) => `${n} ${c.toFixed(0)}`).join(', ')}), redis-server CPU ${r.redisCpuSecondsPerProject.toFixed(3)} s/project, bench process ${r.benchCpuSecondsPerProject.toFixed(3)} s/project, ceiling on an idle machine ${r.efficiencyCeiling.toFixed(2)}, cores busy ${(100 * r.machineBusy).toFixed(0)} %`);
	if (prof) console.error(`  CPU profile in ${prof}`);
}

// ---------------------------------------------------------------- report
const s1 = (ms) => (ms / 1000).toFixed(2);
function table(head, rows) {
	return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function report(results) {
	const out = [];
	out.push(`Bench ${results.startedAt} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}, load average at start ${results.loadAtStart.map((l) => l.toFixed(1)).join(' / ')}${Object.keys(serviceEnvOverrides()).length ? `, service env ${JSON.stringify(serviceEnvOverrides())}` : ''}`);
	if (results.scale?.length) {
		out.push('', `### 1–2. Scale: K concurrent projects (${SMALL}), S = ${S} slots, L = ${L} ms; baseline one call at a time (S = 1, OLLAMA_NUM_PARALLEL = 1, CONCURRENCY = 1)`, '');
		const base = new Map((results.baseline ?? []).map((b) => [b.k, b]));
		out.push(table(['K', 'makespan s', 'ideal s', 'efficiency', 'slot util.', 'calls/project', 'p50 s', 'p95 s', 'peak RSS MB', 'cores busy', 'CPU s/project', 'baseline makespan s', 'speed-up'], results.scale.map((r) => {
			const b = base.get(r.k);
			return [r.k, s1(r.makespanMs), s1(r.idealMs), r.efficiency.toFixed(2), r.utilisation.toFixed(2), r.callsPerProject.toFixed(1), s1(r.p50Ms), s1(r.p95Ms), r.peakRssMb.toFixed(0), `${(100 * r.machineBusy).toFixed(0)} %`, r.coreSecondsPerProject.toFixed(2), b ? s1(b.makespanMs) : '—', b ? `${(b.makespanMs / r.makespanMs).toFixed(2)}×` : '—'];
		})));
		const busy = results.scale.reduce((a, r) => a + r.busy503, 0);
		out.push('', `503 "server busy" answers: ${busy}; largest bench-server queue: ${Math.max(...results.scale.map((r) => r.peakServerQueue))}`);
	}
	if (results.slowModel) {
		const r = results.slowModel;
		out.push('', `### 1b. The same with a slower model: K = ${r.k}, S = ${r.slots}, L = ${r.latencyMs} ms`, '');
		out.push(table(['K', 'L ms', 'makespan s', 'ideal s', 'efficiency', 'slot util.', 'p50 s', 'p95 s', 'cores busy', 'CPU s/project'], [[r.k, r.latencyMs, s1(r.makespanMs), s1(r.idealMs), r.efficiency.toFixed(2), r.utilisation.toFixed(2), s1(r.p50Ms), s1(r.p95Ms), `${(100 * r.machineBusy).toFixed(0)} %`, r.coreSecondsPerProject.toFixed(2)]]));
	}
	if (results.overhead) {
		const o = results.overhead;
		out.push('', `### 3. Overhead at L = 0 (${o.projects} projects of ${SMALL} at once, own redis-server)`, '');
		const a = o.phases.all;
		out.push(table(['jobs', 'makespan s', 'jobs/s', 'own ms/job', 'service CPU ms/job', 'its children CPU ms/job', 'queue wait ms/job', 'Redis commands/job', 'peak RSS MB'], [[o.jobs, s1(o.makespanMs), o.jobsPerSecond.toFixed(1), a.ownMs.toFixed(1), o.serviceCpuMsPerJob.toFixed(1), o.serviceChildrenCpuMsPerJob.toFixed(1), a.queuedMs.toFixed(1), o.redisCommandsPerJob.toFixed(1), o.peakRssMb.toFixed(0)]]));
		out.push('', 'Where the time of each kind of job went (means, ms; own = duration − model − sandbox − git: store, queue calls, bookkeeping):', '');
		out.push(table(['job', 'count', 'duration', 'queue wait', 'model', 'sandbox', 'git', 'own'], Object.entries(o.phases.byJob).map(([name, r]) => [name, r.count, r.meanMs.toFixed(0), r.queuedMs.toFixed(0), r.llmMs.toFixed(0), r.sandboxMs.toFixed(0), r.gitMs.toFixed(0), r.ownMs.toFixed(0)])));
	}
	if (results.fairness) {
		const f = results.fairness;
		out.push('', `### 4. Fairness: ${f.big} posted first, then 5 × ${f.small} (S = ${S}, L = ${L} ms)`, '');
		out.push(table(['5 small alone: mean s', 'max s', 'with big: mean s', 'max s', 'mean / alone', 'max / alone', 'big project s'], [[s1(f.aloneMs), s1(f.aloneMaxMs), s1(f.smallMeanMs), s1(f.smallMaxMs), `${f.ratioMean.toFixed(2)}×`, `${f.ratioMax.toFixed(2)}×`, s1(f.bigMs)]]));
	}
	if (results.context) {
		out.push('', '### 5. Context growth: prompt tokens (characters / 4) of first developer turns', '');
		out.push(table(['tasks', 'developer calls', 'mean prompt tokens', 'max prompt tokens'], results.context.map((c) => [c.tasks, c.developerCalls, c.meanPromptTokens.toFixed(0), c.maxPromptTokens])));
	}
	if (results.scaleout?.length) {
		out.push('', `### 6. Scale-out: K = ${results.scaleoutK} (${SMALL}), S = 8, L = ${L} ms`, '');
		out.push(table(['workers', 'makespan s', 'ideal s', 'efficiency', 'slot util.', 'p95 s', 'peak RSS MB (largest process)', 'cores busy'], results.scaleout.map((r) => [r.label, s1(r.makespanMs), s1(r.idealMs), r.efficiency.toFixed(2), r.utilisation.toFixed(2), s1(r.p95Ms), r.peakRssMb.toFixed(0), `${(100 * r.machineBusy).toFixed(0)} %`])));
	}
	if (results.batching) {
		const r = results.batching;
		out.push('', `### 7. A batching server with default settings: K = ${r.k} × ${r.requirements}, S = ${r.slots}, L = ${r.latencyMs} ms, ${r.provider} path (CONCURRENCY by default: ${r.concurrency ?? '?'})`, '');
		out.push(table(['makespan s', 'ideal s', 'efficiency', 'peak slots', 'slot util.', 'calls/project', 'service CPU s/project', 'its own process', 'its reaped children', 'Redis commands/project', 'cores busy', 'machine CPU s/project', 'load avg after'], [[s1(r.makespanMs), s1(r.idealMs), r.efficiency.toFixed(2), `${r.peakSlots} / ${r.slots}`, r.utilisation.toFixed(2), r.callsPerProject.toFixed(1), r.serviceCpuSecondsPerProject.toFixed(2), r.serviceOwnCpuSecondsPerProject.toFixed(2), r.serviceReapedChildrenCpuSecondsPerProject.toFixed(2), r.redisCommandsPerProject.toFixed(0), `${(100 * r.machineBusy).toFixed(0)} %`, r.coreSecondsPerProject.toFixed(2), r.loadAverage.map((l) => l.toFixed(1)).join(' / ')]]));
		out.push('', `Service CPU measured by ${r.cpuMeasure}; machine CPU: the whole machine's busy time over K, whoever used it. redis-server ${r.redisCpuSecondsPerProject.toFixed(3)} s/project, the bench process (model server) ${r.benchCpuSecondsPerProject.toFixed(3)} s/project. With all of it spread over ${os.cpus().length} otherwise idle cores the batch takes at least ${s1(r.cpuBoundMakespanMs)} s: efficiency ${r.efficiencyCeiling.toFixed(2)} at best on this machine.`);
	}
	// Targets
	const t = [];
	const met = (ok) => (ok === undefined ? 'not run' : ok ? 'yes' : 'no');
	const largest = results.scale?.[results.scale.length - 1];
	if (largest) t.push([`efficiency at largest K (${largest.k})`, '≥ 0.90', largest.efficiency.toFixed(2), met(largest.efficiency >= 0.9)]);
	if (results.slowModel) t.push([`the same with the slower model (K = ${results.slowModel.k}, L = ${results.slowModel.latencyMs} ms; not the issue's target, for reading it)`, '≥ 0.90', results.slowModel.efficiency.toFixed(2), met(results.slowModel.efficiency >= 0.9)]);
	const sameK = results.scale && results.baseline ? results.baseline.map((b) => [b, results.scale.find((r) => r.k === b.k)]).filter(([, r]) => r).pop() : undefined;
	if (sameK) {
		const [b, r] = sameK;
		const speedup = b.makespanMs / r.makespanMs;
		t.push([`speed-up over one call at a time (K = ${b.k})`, `≥ ${(0.9 * S).toFixed(1)}× (0.9 × S)`, `${speedup.toFixed(2)}×`, met(speedup >= 0.9 * S)]);
	}
	if (results.overhead) {
		const own = results.overhead.phases.all.ownMs;
		t.push(['per-job overhead at L = 0 (the service\'s own ms / job)', '≤ 5 ms', `${own.toFixed(1)} ms`, met(own <= 5)]);
	}
	const rss = [...(results.scale ?? []), ...(results.scaleout ?? [])].map((r) => r.peakRssMb);
	if (results.overhead) rss.push(results.overhead.peakRssMb);
	if (rss.length) t.push(['peak RSS of a service process', '≤ 300 MB', `${Math.max(...rss).toFixed(0)} MB`, met(Math.max(...rss) <= 300)]);
	if (results.batching) {
		t.push([`batching server, default settings (K = ${results.batching.k}, S = ${results.batching.slots}, L = ${results.batching.latencyMs} ms): efficiency`, '≥ 0.80', results.batching.efficiency.toFixed(2), met(results.batching.efficiency >= 0.8)]);
		t.push(['the same: service CPU per project', '≤ 0.6 s', `${results.batching.serviceCpuSecondsPerProject.toFixed(2)} s`, met(results.batching.serviceCpuSecondsPerProject <= 0.6)]);
	}
	if (results.fairness) t.push(['small projects behind an 80-task one (max / alone)', '≤ 1.5×', `${results.fairness.ratioMax.toFixed(2)}×`, met(results.fairness.ratioMax <= 1.5)]);
	if (results.context) {
		const c5 = results.context.find((c) => c.tasks === 5);
		const c80 = results.context.find((c) => c.tasks === 80);
		const ratio = c80.meanPromptTokens / c5.meanPromptTokens;
		t.push(['developer prompt tokens, 80 tasks / 5 tasks', '≤ 1.2×', `${ratio.toFixed(2)}×`, met(ratio <= 1.2)]);
	}
	out.push('', '### Targets', '', table(['target', 'wanted', 'measured', 'met?'], t));
	out.push('', `Parts: ${Object.entries(results.seconds).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')}; total ${results.totalSeconds.toFixed(0)} s`);
	return out.join('\n');
}

// ---------------------------------------------------------------- main
async function main() {
	const onlyArg = process.argv.indexOf('--only');
	const only = list(onlyArg > 0 ? process.argv[onlyArg + 1] ?? '' : process.env.BENCH_ONLY ?? 'scale,slowmodel,baseline,overhead,fairness,context,scaleout,batching');
	const parts = { scale, slowmodel: slowModel, baseline, overhead, fairness, context, scaleout, batching };
	const unknown = only.filter((name) => !parts[name]);
	if (unknown.length) throw new Error(`unknown bench part ${unknown.join(', ')}: one of ${Object.keys(parts).join(', ')}`);
	for (const file of ['bin/aiCompanyWorker.js', 'prompts/developer.hbs']) if (!fs.existsSync(path.join(BUILT, file))) throw new Error(`${path.relative(ROOT, BUILT)}/${file} is missing: run npm run build`);
	fs.cpSync(BUILT, path.join(SNAPSHOT, 'dist'), { recursive: true });
	fs.cpSync(path.join(ROOT, 'runtime/package.json'), path.join(SNAPSHOT, 'package.json'));
	const results = { startedAt: new Date().toISOString(), loadAtStart: os.loadavg(), machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version }, serviceEnv: serviceEnvOverrides(), seconds: {} };
	const t0 = Date.now();
	// Ctrl-C or a timeout: stop what the bench started (services, bench servers, Redis) and remove its folders.
	for (const signal of ['SIGINT', 'SIGTERM']) {
		process.once(signal, () => {
			for (const s of live.services) if (s.child.exitCode === null) s.child.kill('SIGKILL');
			for (const s of live.services) if (s.cpuGroup) fs.rmSync(s.cpuGroup.dir, { recursive: false, force: true, maxRetries: 5 });
			if (redis?.child?.exitCode === null) redis.child.kill('SIGKILL');
			for (const dir of [gitBase, SNAPSHOT, redis?.dir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
			process.exit(130);
		});
	}
	redis = await new OwnRedis().start();
	ends = await new Ends().start();
	try {
		for (const name of only) {
			const started = Date.now();
			console.error(`${name}…`);
			try {
				await parts[name](results);
			} catch (error) {
				results[`${name}Error`] = String(error?.stack ?? error);
				console.error(`  ${name} failed: ${error?.message ?? error}`);
			}
			results.seconds[name] = (Date.now() - started) / 1000;
			console.error(`  ${name}: ${results.seconds[name].toFixed(0)} s`);
		}
	} finally {
		for (const s of live.services) await s.stop().catch(() => {});
		for (const s of live.servers) await s.close().catch(() => {});
		await ends.close();
		await redis.stop();
		fs.rmSync(gitBase, { recursive: true, force: true });
		fs.rmSync(SNAPSHOT, { recursive: true, force: true });
	}
	results.totalSeconds = (Date.now() - t0) / 1000;
	const markdown = report(results);
	results.markdown = markdown;
	const dir = path.join(__dirname, 'results');
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `bench-${results.startedAt.replace(/[:.]/g, '-')}.json`);
	fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
	console.log(markdown);
	console.log(`\nJSON: ${path.relative(ROOT, file)}`);
}

main().then(
	() => process.exit(0), // a project's end wait still timing out after a failed part must not keep the bench alive
	(error) => {
		console.error(error);
		for (const dir of [gitBase, SNAPSHOT]) fs.rmSync(dir, { recursive: true, force: true });
		process.exit(1);
	},
);

import type { Redis } from 'ioredis';

import { ProjectStore } from '../../../runtime/state/projectStore';
import { diamondPlan } from '../../support/fixtures/plans';
import type { RuntimeProcess } from '../../support/runtimeProcess';

export const INJECTION = '<img src=x onerror=alert(1)>';

/** Signs in through the form as a browser would (same Origin) and gives the session cookie ("name=value"). */
export async function signIn(service: RuntimeProcess, token: string): Promise<{ status: number; cookie: string | null; setCookie: string | null; location: string | null }> {
	const response = await fetch(`${service.url}/ui/sign-in`, {
		method: 'POST',
		redirect: 'manual',
		headers: { origin: service.url!, 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ token }).toString(),
	});
	const setCookie = response.headers.get('set-cookie');
	return { status: response.status, setCookie, cookie: setCookie ? setCookie.split(';')[0] : null, location: response.headers.get('location') };
}

/** A page of the dashboard as a browser asks for it. */
export async function getPage(service: RuntimeProcess, path: string, cookie?: string): Promise<{ status: number; text: string; headers: Headers }> {
	const response = await fetch(`${service.url}${path}`, { redirect: 'manual', headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } });
	return { status: response.status, text: await response.text(), headers: response.headers };
}

/**
 * A project stored as the worker would leave it mid-run: a plan, T1 done with a test report whose
 * output is markup, T2 failed once, title, requirements and client written by an attacker.
 */
export async function storedInjectionProject(redis: Redis, prefix: string): Promise<string> {
	const store = new ProjectStore(redis, { prefix, source: 'test' });
	const { project } = await store.create({ title: INJECTION, requirements: `Build ${INJECTION} and <script>alert(2)</script>`, client: { name: `<b onmouseover=alert(3)>Eve</b>`, email: 'eve@example.com' } });
	const plan = diamondPlan();
	plan.summary = `Summary ${INJECTION}`;
	plan.tasks[0].title = `<svg onload=alert(4)>`;
	await store.updateStatus(project.id, 'planning');
	await store.setPlan(project.id, plan);
	await store.updateStatus(project.id, 'planned');
	await store.updateStatus(project.id, 'development');
	await store.startTask(project.id, 'T1');
	await store.recordTaskResult(project.id, 'T1', {
		status: 'done',
		files: [{ path: 'src/t1.js', content: 'module.exports = 1;' }],
		testReport: { status: 'passed', passed: 1, failed: 0, output: '<script>alert(5)</script> ok 1 - T1 works' },
	});
	await store.startTask(project.id, 'T2');
	await store.recordTaskResult(project.id, 'T2', { status: 'failed', error: `expected <iframe src=javascript:alert(6)>` });
	await store.setRepository(project.id, { url: 'javascript:alert(7)', branch: 'main' });
	return project.id;
}

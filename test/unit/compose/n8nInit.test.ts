import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { REPO } from './composeSupport';

// docker/n8n/init.js (service n8n-init) run with node, as its container runs it, with a stand-in
// for n8n's CLI that records each call and the file it was given. The real CLI's import and
// publish commands are exercised by the e2e tests (scripts/lib/n8nInstance.js).

const INIT = join(REPO, 'docker/n8n/init.js');
const TEMPLATES = join(REPO, 'workflows');

const FAKE_N8N = `
const fs = require('node:fs');
const args = process.argv.slice(2);
const input = args.find((a) => a.startsWith('--input='));
fs.appendFileSync(process.env.FAKE_N8N_LOG, JSON.stringify({ args, input: input ? JSON.parse(fs.readFileSync(input.slice(8), 'utf8')) : null }) + '\\n');
if (process.env.FAKE_N8N_FAIL && args[0] === process.env.FAKE_N8N_FAIL) { console.log('An error occurred while importing credentials'); }
`;

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'aic-n8n-init-'));
	mkdirSync(join(dir, 'home'));
	writeFileSync(join(dir, 'fake-n8n.js'), FAKE_N8N);
	// The package as docker/n8n/Dockerfile leaves it in /opt/ai-company.
	mkdirSync(join(dir, 'package', 'dist'), { recursive: true });
	writeFileSync(join(dir, 'package', 'package.json'), JSON.stringify({ name: 'n8n-nodes-ai-company', version: '9.9.9' }));
	writeFileSync(join(dir, 'package', 'dist', 'marker.js'), '');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function runInit(extra: Record<string, string> = {}) {
	const result = spawnSync(process.execPath, [INIT], {
		encoding: 'utf8',
		env: {
			PATH: process.env.PATH,
			HOME: join(dir, 'home'),
			API_TOKEN: 'token-0123456789',
			AIC_RUNTIME_URL: 'http://runtime:8000',
			AIC_TEMPLATES_DIR: TEMPLATES,
			AIC_PACKAGE_DIR: join(dir, 'package'),
			AIC_N8N_COMMAND: `${process.execPath} ${join(dir, 'fake-n8n.js')}`,
			FAKE_N8N_LOG: join(dir, 'calls.log'),
			...extra,
		},
	});
	const calls = existsSync(join(dir, 'calls.log'))
		? readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { args: string[]; input: unknown })
		: [];
	rmSync(join(dir, 'calls.log'), { force: true });
	return { ...result, calls };
}

const templateIds = readdirSync(TEMPLATES).filter((f) => f.endsWith('.json')).sort().map((f) => (JSON.parse(readFileSync(join(TEMPLATES, f), 'utf8')) as { id: string }).id);

test('first start: installs the package into ~/.n8n/nodes, imports the credential for the runtime, imports and publishes every template', () => {
	const run = runInit();
	expect(run.status).toBe(0);
	const nodes = join(dir, 'home', '.n8n', 'nodes');
	expect(existsSync(join(nodes, 'node_modules', 'n8n-nodes-ai-company', 'dist', 'marker.js'))).toBe(true);
	expect(JSON.parse(readFileSync(join(nodes, 'package.json'), 'utf8'))).toEqual({ name: 'installed-nodes', private: true, dependencies: { 'n8n-nodes-ai-company': '9.9.9' } });
	expect(run.calls[0]).toEqual({
		args: ['import:credentials', expect.stringMatching(/^--input=/)],
		input: [{ id: 'aicCompanyApiLocal1', name: 'AI Company (local)', type: 'aiCompanyApi', data: { baseUrl: 'http://runtime:8000', apiToken: 'token-0123456789' } }],
	});
	const rest = run.calls.slice(1).map((c) => c.args[0] === 'publish:workflow' ? c.args.join(' ') : c.args[0]);
	expect(rest).toEqual(templateIds.flatMap((id) => ['import:workflow', `publish:workflow --id=${id}`]));
	// The token file is gone once imported.
	expect(readdirSync(join(dir, 'home', '.n8n')).filter((f) => f.includes('credential'))).toEqual([]);
});

test('later starts: the package and the credential again, the templates not (your edits stay) unless AIC_REIMPORT_TEMPLATES=1', () => {
	expect(runInit().status).toBe(0);
	const again = runInit({ API_TOKEN: 'another-token-42' });
	expect(again.status).toBe(0);
	expect(again.calls.map((c) => c.args[0])).toEqual(['import:credentials']);
	expect(again.calls[0].input).toEqual([expect.objectContaining({ data: { baseUrl: 'http://runtime:8000', apiToken: 'another-token-42' } })]);
	const reimport = runInit({ AIC_REIMPORT_TEMPLATES: '1' });
	expect(reimport.calls.filter((c) => c.args[0] === 'publish:workflow')).toHaveLength(templateIds.length);
});

test('fails, and says why, without API_TOKEN or when n8n reports a failed import', () => {
	const noToken = runInit({ API_TOKEN: '' });
	expect(noToken.status).toBe(1);
	expect(noToken.stderr).toContain('API_TOKEN is not set');
	const failed = runInit({ FAKE_N8N_FAIL: 'import:credentials' });
	expect(failed.status).toBe(1);
	expect(failed.stderr).toContain('n8n import:credentials');
});

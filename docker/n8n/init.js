#!/usr/bin/env node
// Service n8n-init of docker-compose.yml: runs once before n8n starts, with n8n's data volume, and
// exits. Plain CommonJS on Node's built-ins (it runs on the n8n image's node), in three steps:
//
// 1. installs the package (/opt/ai-company/n8n-nodes-ai-company, put there by docker/n8n/Dockerfile)
//    into <user folder>/.n8n/nodes as n8n's Community Nodes installer does, replacing an older copy;
// 2. creates or updates the credential the templates use: "AI Company (local)" (type AI Company API,
//    id aicCompanyApiLocal1) with Base URL AIC_RUNTIME_URL (http://runtime:8000) and API_TOKEN;
// 3. imports and publishes every template of AIC_TEMPLATES_DIR (/workflows) the first time it sees
//    it; later starts keep your edited copy (AIC_REIMPORT_TEMPLATES=1 replaces them).
//
// Environment: API_TOKEN (required), AIC_RUNTIME_URL, AIC_TEMPLATES_DIR, AIC_REIMPORT_TEMPLATES,
// AIC_PACKAGE_DIR, AIC_N8N_COMMAND (how to run n8n's CLI, default "n8n"), N8N_USER_FOLDER or HOME.

const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const env = process.env;
const CREDENTIAL = { id: 'aicCompanyApiLocal1', name: 'AI Company (local)', type: 'aiCompanyApi' };

function say(message) {
	process.stdout.write(`n8n-init: ${message}\n`);
}

function fail(message) {
	process.stderr.write(`n8n-init: ${message}\n`);
	process.exit(1);
}

function readJson(file, fallback) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return fallback;
	}
}

/** Runs n8n's CLI; n8n exits 0 on some failed imports, so its output is checked too. */
function n8n(args) {
	const [command, ...prefix] = (env.AIC_N8N_COMMAND || 'n8n').split(' ').filter(Boolean);
	const result = spawnSync(command, [...prefix, ...args], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
	const output = `${result.stdout || ''}${result.stderr || ''}`;
	if (result.error || result.status !== 0 || /An error occurred while importing|Error updating database/.test(output)) {
		fail(`n8n ${args.join(' ')} failed (${result.error ? result.error.message : `exit ${result.status}`}):\n${output.trim().split('\n').slice(-30).join('\n')}`);
	}
}

function installPackage(nodesDir, source) {
	const manifest = readJson(path.join(source, 'package.json'), null);
	if (!manifest || !manifest.name) fail(`no package at ${source}`);
	const modules = path.join(nodesDir, 'node_modules');
	const target = path.join(modules, manifest.name);
	const fresh = `${target}.new-${process.pid}`;
	fs.mkdirSync(modules, { recursive: true });
	fs.rmSync(fresh, { recursive: true, force: true });
	fs.cpSync(source, fresh, { recursive: true });
	fs.rmSync(target, { recursive: true, force: true });
	fs.renameSync(fresh, target);
	const ledgerPath = path.join(nodesDir, 'package.json');
	const ledger = readJson(ledgerPath, null);
	const next = ledger && typeof ledger.dependencies === 'object' && ledger.dependencies ? ledger : { name: 'installed-nodes', private: true, dependencies: {} };
	next.dependencies[manifest.name] = manifest.version;
	fs.writeFileSync(ledgerPath, JSON.stringify(next, null, 2));
	say(`installed ${manifest.name}@${manifest.version} into ${modules}`);
}

function main() {
	const token = env.API_TOKEN;
	if (!token) fail('API_TOKEN is not set: the credential needs the runtime service\'s token');
	const runtimeUrl = (env.AIC_RUNTIME_URL || 'http://runtime:8000').replace(/\/+$/, '');
	const userFolder = env.N8N_USER_FOLDER || env.HOME || '/home/node';
	const n8nDir = path.join(userFolder, '.n8n');
	fs.mkdirSync(n8nDir, { recursive: true });

	installPackage(path.join(n8nDir, 'nodes'), env.AIC_PACKAGE_DIR || '/opt/ai-company/n8n-nodes-ai-company');

	const credentialFile = path.join(n8nDir, `.aic-credential-${process.pid}.json`);
	fs.writeFileSync(credentialFile, JSON.stringify([{ ...CREDENTIAL, data: { baseUrl: runtimeUrl, apiToken: token } }]), { mode: 0o600 });
	try {
		n8n(['import:credentials', `--input=${credentialFile}`]);
	} finally {
		fs.rmSync(credentialFile, { force: true });
	}
	say(`credential "${CREDENTIAL.name}" (id ${CREDENTIAL.id}) -> ${runtimeUrl} with the API token`);

	const templatesDir = env.AIC_TEMPLATES_DIR || '/workflows';
	const statePath = path.join(n8nDir, 'ai-company-templates.json');
	const state = readJson(statePath, {});
	const reimport = env.AIC_REIMPORT_TEMPLATES === '1';
	const files = fs.existsSync(templatesDir) ? fs.readdirSync(templatesDir).filter((f) => f.endsWith('.json')).sort() : [];
	for (const file of files) {
		const text = fs.readFileSync(path.join(templatesDir, file), 'utf8');
		const sha256 = createHash('sha256').update(text).digest('hex');
		const workflow = JSON.parse(text);
		if (!workflow.id) fail(`${file} has no "id": n8n import:workflow needs one`);
		if (state[workflow.id] && !reimport) {
			if (state[workflow.id].sha256 !== sha256) say(`${file} changed since imported: kept your copy (AIC_REIMPORT_TEMPLATES=1 replaces it)`);
			continue;
		}
		n8n(['import:workflow', `--input=${path.join(templatesDir, file)}`]);
		n8n(['publish:workflow', `--id=${workflow.id}`]);
		state[workflow.id] = { file, sha256 };
		fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
		say(`imported and published ${file} ("${workflow.name}")`);
	}
}

main();

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const runtimeDir = join(__dirname, '../../../runtime');
const pkg = JSON.parse(readFileSync(join(runtimeDir, 'package.json'), 'utf8')) as {
	name: string;
	main: string;
	bin: Record<string, string>;
	dependencies: Record<string, string>;
};

describe('the runtime package (npm workspace "runtime")', () => {
	it('ships the ai-company-worker bin, built, as a node script', () => {
		const bin = join(runtimeDir, pkg.bin['ai-company-worker']);
		expect(existsSync(bin)).toBe(true);
		expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
	});

	it('owns every heavy dependency, bullmq with ioredis beside it', () => {
		expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['bullmq', 'ioredis', 'ollama', '@octokit/rest', 'handlebars', 'ajv', 'fastify', 'pino', 'prom-client']));
		expect(pkg.dependencies.bullmq).toMatch(/^\^6\./);
	});

	it('shows a small, namespaced face: starting the service, its configuration, errors and contracts', () => {
		const face = require(join(runtimeDir, pkg.main)) as Record<string, unknown>;
		expect(Object.keys(face).sort()).toEqual(['ConflictError', 'InvalidInputError', 'contracts', 'describeFailure', 'environmentHelp', 'loadConfig', 'serviceContracts', 'startService']);
		expect(Object.keys(face.contracts as object)).toContain('planSchema');
	});
});

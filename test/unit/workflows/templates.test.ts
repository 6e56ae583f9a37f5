import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeType } from 'n8n-workflow';

import { AiDeveloper } from '../../../nodes/AiDeveloper/AiDeveloper.node';
import { AiPlanner } from '../../../nodes/AiPlanner/AiPlanner.node';
import { AiTester } from '../../../nodes/AiTester/AiTester.node';
import { ProjectState } from '../../../nodes/ProjectState/ProjectState.node';
import { TaskSplitter } from '../../../nodes/TaskSplitter/TaskSplitter.node';
import { cacheRoot } from '../../../scripts/lib/n8nInstance';

const PACKAGE = 'n8n-nodes-ai-company';
const ourNodes = new Map<string, INodeType>(
	[new AiPlanner(), new TaskSplitter(), new ProjectState(), new AiDeveloper(), new AiTester()].map((n) => [`${PACKAGE}.${n.description.name}`, n]),
);
const packageJson = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { n8n: { nodes: string[] } };

/**
 * The n8n-nodes-base node types of n8n 2.41.1, with their type versions. From the installed n8n
 * when the cache has it (`scripts/install-n8n.sh`, which the e2e tests and `npm run start:local`
 * run): its package.json's `n8n.nodes` are the node files n8n loads, and `dist/types/nodes.json`,
 * generated from those same files, has each one's type name and versions (the type name cannot be
 * read off the file name: `GraphQL.node.js` is `graphql`). Without the cache, a small allow-list of
 * the types the templates use, copied from that same install.
 */
function n8nBaseNodeTypes(): { source: string; types: Map<string, number[]>; installed?: { version: string; nodeFiles: number } } {
	const base = join(cacheRoot(), 'n8n-2.41.1-node24', 'node_modules', 'n8n-nodes-base');
	if (existsSync(join(base, 'package.json'))) {
		const pkg = JSON.parse(readFileSync(join(base, 'package.json'), 'utf8')) as { version: string; n8n: { nodes: string[] } };
		const described = JSON.parse(readFileSync(join(base, 'dist', 'types', 'nodes.json'), 'utf8')) as Array<{ name: string; version: number | number[] }>;
		const types = new Map<string, number[]>();
		for (const { name, version } of described) types.set(`n8n-nodes-base.${name}`, [...(types.get(`n8n-nodes-base.${name}`) ?? []), ...[version].flat()]);
		return {
			source: `the installed n8n 2.41.1 (${pkg.n8n.nodes.length} node files)`,
			types,
			installed: { version: pkg.version, nodeFiles: pkg.n8n.nodes.length },
		};
	}
	return {
		source: 'the allow-list in this test (no n8n 2.41.1 in the cache)',
		types: new Map([
			['n8n-nodes-base.webhook', [1, 1.1, 2, 2.1]],
			['n8n-nodes-base.if', [1, 2, 2.1, 2.2, 2.3]],
			['n8n-nodes-base.stickyNote', [1]],
		]),
	};
}
const n8nBase = n8nBaseNodeTypes();

/** The credentials `npm run start:local` creates (a plain CommonJS script; main() runs only when run itself). */
const runLocal = require('../../../scripts/run-local.js') as Record<'LOCAL_OLLAMA_CREDENTIAL' | 'LOCAL_REDIS_CREDENTIAL', { id: string; name: string; type: string }>;
const localCredentials = new Map([runLocal.LOCAL_OLLAMA_CREDENTIAL, runLocal.LOCAL_REDIS_CREDENTIAL].map(({ type, id, name }) => [type, { id, name }]));

interface TemplateNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, unknown>;
}

const workflowsDir = join(__dirname, '../../../workflows');
const templates = readdirSync(workflowsDir)
	.filter((f) => f.endsWith('.json'))
	.map((file) => ({ file, workflow: JSON.parse(readFileSync(join(workflowsDir, file), 'utf8')) }));

describe('shipped workflow templates', () => {
	it('exist', () => {
		expect(templates.length).toBeGreaterThan(0);
	});

	it('declare every node of this package in package.json, so n8n loads it', () => {
		const declared = packageJson.n8n.nodes.map((p) => p.split('/').pop()!.split('.')[0]);
		for (const node of ourNodes.values()) {
			expect(declared.map((c) => c.toLowerCase())).toContain(node.description.name.toLowerCase());
		}
	});

	it(`know n8n 2.41.1's n8n-nodes-base types from ${n8nBase.source}`, () => {
		if (n8nBase.installed) {
			expect(n8nBase.installed.version).toBe('2.41.1');
			// One type per node file n8n loads (a versioned node's descriptions share its name).
			expect(n8nBase.types.size).toBe(n8nBase.installed.nodeFiles);
		}
		expect(n8nBase.types.get('n8n-nodes-base.webhook')).toContain(2);
	});

	describe.each(templates)('$file', ({ workflow }) => {
		const nodes = workflow.nodes as TemplateNode[];

		it('has an id so re-importing updates it instead of copying it', () => {
			expect(typeof workflow.id).toBe('string');
		});

		it('connects only nodes that exist', () => {
			const names = new Set(nodes.map((n) => n.name));
			for (const [from, outputs] of Object.entries(workflow.connections as Record<string, { main: { node: string }[][] }>)) {
				expect(names).toContain(from);
				for (const target of outputs.main.flat()) expect(names).toContain(target.node);
			}
		});

		it('uses only node types and parameters this package has', () => {
			for (const node of nodes.filter((n) => n.type.startsWith(`${PACKAGE}.`))) {
				const nodeType = ourNodes.get(node.type);
				expect(nodeType).toBeDefined();
				const known = new Set(nodeType!.description.properties.map((p) => p.name));
				for (const parameter of Object.keys(node.parameters)) expect(known).toContain(parameter);
				for (const credentialType of Object.keys(node.credentials ?? {})) {
					expect(nodeType!.description.credentials?.map((c) => c.name)).toContain(credentialType);
				}
			}
		});

		it(`uses only n8n-nodes-base node types and versions n8n 2.41.1 has (checked against ${n8nBase.source})`, () => {
			for (const node of nodes.filter((n) => !n.type.startsWith(`${PACKAGE}.`))) {
				expect(node.type).toMatch(/^n8n-nodes-base\./);
				expect([...n8nBase.types.keys()]).toContain(node.type);
				expect(n8nBase.types.get(node.type)).toContain(node.typeVersion);
			}
		});

		it('refers to the credentials `npm run start:local` creates, by type, id and name', () => {
			for (const node of nodes) {
				for (const [type, reference] of Object.entries(node.credentials ?? {})) expect(reference).toEqual(localCredentials.get(type));
			}
		});

		it('holds no secrets in credential references', () => {
			for (const node of nodes) {
				for (const reference of Object.values(node.credentials ?? {})) {
					expect(Object.keys(reference as object).sort()).toEqual(['id', 'name']);
				}
			}
		});
	});
});

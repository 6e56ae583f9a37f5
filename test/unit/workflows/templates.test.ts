import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeType } from 'n8n-workflow';

import { AiPlanner } from '../../../nodes/AiPlanner/AiPlanner.node';
import { ProjectState } from '../../../nodes/ProjectState/ProjectState.node';
import { TaskSplitter } from '../../../nodes/TaskSplitter/TaskSplitter.node';

const PACKAGE = 'n8n-nodes-ai-company';
const ourNodes = new Map<string, INodeType>([new AiPlanner(), new TaskSplitter(), new ProjectState()].map((n) => [`${PACKAGE}.${n.description.name}`, n]));
const packageJson = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { n8n: { nodes: string[] } };

interface TemplateNode {
	name: string;
	type: string;
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

		it('holds no secrets in credential references', () => {
			for (const node of nodes) {
				for (const reference of Object.values(node.credentials ?? {})) {
					expect(Object.keys(reference as object).sort()).toEqual(['id', 'name']);
				}
			}
		});
	});
});

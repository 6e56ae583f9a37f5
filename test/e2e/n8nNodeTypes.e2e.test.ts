/**
 * The node types of n8n 2.41.1 that the unit test of the templates checks against are pinned in
 * test/fixtures/n8n-2.41.1-node-types.json (the unit suite never reads the n8n cache). Here, where
 * n8n is installed, the list is read again from the install and must equal the fixture, so a stale
 * fixture (a changed pin, a hand edit) fails the e2e suite. Regenerate with
 * `node scripts/n8n-node-types.js`.
 */
import { readFileSync } from 'node:fs';

import * as n8n from '../../scripts/lib/n8nInstance';
import { START_TIMEOUT_MS } from './support/n8nWithWorkflows';

const nodeTypes = require('../../scripts/n8n-node-types.js') as {
	fixturePath: (version?: string) => string;
	nodeTypesOf: (installDir: string) => { n8nVersion: string; generatedFrom: string; types: Record<string, number[]> };
	formatFixture: (fixture: { n8nVersion: string; generatedFrom: string; types: Record<string, number[]> }) => string;
	differences: (pinned: unknown, installed: unknown) => string[];
};

test('the pinned node types of n8n 2.41.1 are those of the installed n8n, byte for byte as the script writes them', async () => {
	const install = await n8n.ensureN8nInstalled();
	const installed = nodeTypes.nodeTypesOf(install.dir);
	const text = readFileSync(nodeTypes.fixturePath(n8n.N8N_VERSION), 'utf8');
	expect(nodeTypes.differences(JSON.parse(text), installed)).toEqual([]);
	expect(text).toBe(nodeTypes.formatFixture(installed));
}, START_TIMEOUT_MS);

test('a fixture that lost a version or a type is told apart from the install, naming them', async () => {
	const install = await n8n.ensureN8nInstalled();
	const installed = nodeTypes.nodeTypesOf(install.dir);
	const { 'n8n-nodes-base.limit': _limit, ...withoutLimit } = installed.types;
	const stale = { ...installed, types: { ...withoutLimit, 'n8n-nodes-base.set': [1, 2, 3] } };
	expect(nodeTypes.differences(stale, installed)).toEqual([
		`n8n-nodes-base.set: pinned [1,2,3], installed ${JSON.stringify(installed.types['n8n-nodes-base.set'])}`,
		`n8n-nodes-base.limit: pinned null, installed [1]`,
	]);
}, START_TIMEOUT_MS);

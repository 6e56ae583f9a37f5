'use strict';
/**
 * The tests' scripted company (test/support/scriptedCompany.ts) for the plain-JS tools that stand
 * in for a model: the benchmark's and the screenshots' Ollama-speaking servers. Transpiled from
 * its TypeScript when loaded (TypeScript is a devDependency), so there is one script of the
 * company, not a copy per tool.
 */

const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const FILE = path.resolve(__dirname, '..', '..', 'test', 'support', 'scriptedCompany.ts');

/** @returns {{ callOf: (request: { body?: { messages?: Array<{ role: string, content: string }> } }) => { role: string, taskId: string | null, fix: boolean }, companyReply: (call: object, text: string) => unknown }} */
function loadScriptedCompany() {
	const ts = require('typescript');
	const { outputText } = ts.transpileModule(fs.readFileSync(FILE, 'utf8'), {
		compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
	});
	const loaded = new Module(FILE, module);
	loaded.filename = FILE;
	loaded.paths = /** @type {any} */ (Module)._nodeModulePaths(path.dirname(FILE));
	/** @type {any} */ (loaded)._compile(outputText, FILE);
	return loaded.exports;
}

module.exports = { loadScriptedCompany };

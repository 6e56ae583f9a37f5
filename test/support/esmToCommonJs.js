// A jest transformer for ESM-only dependencies (@octokit/rest 22 and what it pulls in). Node's own
// require() loads them (Node 20.19+, 22.12+), but jest's module system cannot, so jest gets them
// compiled to CommonJS by TypeScript's transpiler (no type checking, no config needed).
const { createHash } = require('node:crypto');
const ts = require('typescript');

const compilerOptions = {
	module: ts.ModuleKind.CommonJS,
	target: ts.ScriptTarget.ES2022,
	esModuleInterop: true,
	allowJs: true,
	sourceMap: false,
	inlineSourceMap: true,
};

module.exports = {
	process(sourceText, sourcePath) {
		const { outputText } = ts.transpileModule(sourceText, { compilerOptions, fileName: sourcePath });
		return { code: outputText };
	},
	getCacheKey(sourceText, sourcePath) {
		return createHash('sha256').update(ts.version).update('\0').update(sourcePath).update('\0').update(sourceText).digest('hex');
	},
};

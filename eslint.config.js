// n8n's community-package lint rules, applied as the n8n-nodes-starter applies them:
// package.json with the community rules, credentials and nodes with theirs.
const n8nNodesBase = require('eslint-plugin-n8n-nodes-base');
const tsParser = require('@typescript-eslint/parser');
const jsoncParser = require('jsonc-eslint-parser');

const plugins = { 'n8n-nodes-base': n8nNodesBase };
const tsLanguage = { parser: tsParser, parserOptions: { project: './tsconfig.json', sourceType: 'module' } };

module.exports = [
	{ ignores: ['dist/**', 'runtime/dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '!eslint.config.js'] },
	{
		files: ['package.json'],
		languageOptions: { parser: jsoncParser },
		plugins,
		rules: {
			...n8nNodesBase.configs.community.rules,
			// We publish from a public repository but the registry entry is ours to write.
			'n8n-nodes-base/community-package-json-name-still-default': 'off',
		},
	},
	{
		files: ['credentials/**/*.ts'],
		languageOptions: tsLanguage,
		plugins,
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// This rule expects a docs.n8n.io slug; a community package links its own docs by URL
			// (n8n-nodes-starter turns it off for the same reason).
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		languageOptions: tsLanguage,
		plugins,
		rules: n8nNodesBase.configs.nodes.rules,
	},
	{
		files: ['runtime/**/*.ts', 'test/**/*.ts'],
		languageOptions: tsLanguage,
		rules: {},
	},
];

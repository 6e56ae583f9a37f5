// The runtime service, the tests and the scripts: TypeScript's recommended checks. The node
// package itself is linted by n8n's own config (eslint.config.js).
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
	{ ignores: ['**/dist/**', 'node_modules/**', 'coverage/**', 'reports/**', '.stryker-tmp/**'] },
	{
		files: ['runtime/**/*.ts', 'test/**/*.ts'],
		extends: [tseslint.configs.recommended],
		rules: {
			// Tests and the runtime's JSON plumbing read untyped data on purpose, checked at run time.
			'@typescript-eslint/no-explicit-any': 'off',
			'@typescript-eslint/no-require-imports': 'off',
			'@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_' }],
		},
	},
	{
		files: ['test/**/*.ts'],
		rules: {
			// Servers built before the object that handles their requests: assigned once, after a closure reads it.
			'prefer-const': 'off',
			'@typescript-eslint/no-unsafe-function-type': 'off',
		},
	},
);

// n8n's own lint for community packages (@n8n/node-cli's `config`, the one ready for n8n Cloud:
// no runtime dependencies, no process or timers, only n8n-workflow imported), on what the package
// ships: package.json, nodes/ and credentials/. The runtime service and the tests have their own
// config (eslint.runtime.config.js): they are not part of the package.
const { config } = require('@n8n/node-cli/eslint');

module.exports = [
	{ ignores: ['dist/**', 'runtime/**', 'test/**', 'scripts/**', 'docs/**', 'docker/**', 'coverage/**', 'reports/**', '.stryker-tmp/**', '**/*.js', '**/*.mjs'] },
	...config,
];

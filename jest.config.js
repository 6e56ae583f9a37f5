/** Three suites: fast unit tests, integration tests against real servers, and the real-n8n e2e. */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }];

// ESM-only packages in node_modules that jest must compile to CommonJS (test/support/esmToCommonJs.js).
const esmPackages = ['@octokit', 'before-after-hook', 'universal-user-agent', 'content-type', 'json-with-bigint'];
const esmPattern = `/node_modules/(${esmPackages.join('|')})/`;

const project = (name, extra = {}) => ({
	displayName: name,
	testEnvironment: 'node',
	transform: {
		'^.+\\.ts$': tsJest,
		[`${esmPattern}.+\\.js$`]: '<rootDir>/test/support/esmToCommonJs.js',
	},
	transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
	testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
	...extra,
});

module.exports = {
	projects: [project('unit'), project('integration'), project('e2e')],
	testTimeout: 30_000,
};

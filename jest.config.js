/** Three suites: fast unit tests, integration tests against real servers, and the real-n8n e2e. */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }];

const project = (name, extra = {}) => ({
	displayName: name,
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': tsJest },
	testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
	...extra,
});

module.exports = {
	projects: [project('unit'), project('integration'), project('e2e')],
	testTimeout: 30_000,
};

// The suites StrykerJS runs against each mutant of runtime/: unit and integration, without the
// tests that drive the compiled service process or a real n8n (a mutant of the sources never
// reaches those builds, so they could only report it as survived).
const base = require('./jest.config.js');

module.exports = {
	...base,
	projects: base.projects
		.filter((project) => project.displayName !== 'e2e')
		.map((project) => ({ ...project, testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/service/', '<rootDir>/test/unit/packaging/'] })),
};

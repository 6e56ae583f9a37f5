// The suites StrykerJS runs against each mutant of runtime/: unit and integration, without the
// tests that drive the compiled service process (test/integration/service, and test/integration/nodes
// through the step nodes) or a real n8n (a mutant of the sources never reaches those builds, so
// they could only report it as survived).
//
// MUTATE_TESTS=state,workspace narrows them to test/{unit,integration}/<folder> of the folders
// named (and files named by their path under test/, e.g. unit/service/callLimiter.test.ts): a folder measured against its own tests only, much faster (the pipeline tests run real
// sandboxes and git for any mutant of the store), and a lower bound of the score with every suite.
const base = require('./jest.config.js');

const only = (process.env.MUTATE_TESTS ?? '')
	.split(',')
	.map((folder) => folder.trim())
	.filter(Boolean);

/** A folder name ("llm": test/unit/llm and test/integration/llm), or one file ("unit/service/callLimiter.test.ts"). */
function testsOf(suite, entry) {
	if (!entry.includes('/')) return [`<rootDir>/test/${suite}/${entry}/**/*.test.ts`];
	return entry.startsWith(`${suite}/`) ? [`<rootDir>/test/${entry}`] : [];
}

module.exports = {
	...base,
	projects: base.projects
		.filter((project) => project.displayName !== 'e2e')
		// A project none of the named tests is in is left out: jest reads an empty testMatch as its default, every test.
		.filter((project) => !only.length || only.some((entry) => testsOf(project.displayName, entry).length))
		.map((project) => ({
			...project,
			...(only.length ? { testMatch: only.flatMap((entry) => testsOf(project.displayName, entry)) } : {}),
			testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/service/', '<rootDir>/test/integration/nodes/', '<rootDir>/test/unit/packaging/'],
		})),
};

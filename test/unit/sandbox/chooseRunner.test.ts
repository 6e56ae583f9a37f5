import { chooseRunner, isNodeTestFile } from '../../../runtime/sandbox/runners';

const files = (...paths: string[]) => paths.map((path) => ({ path }));

describe('chooseRunner', () => {
	it('follows the test files when they are all in one language, whatever the tech stack says', () => {
		expect(chooseRunner(['Node.js'], files('app.py', 'tests/test_app.py'))).toBe('python');
		expect(chooseRunner(['Python'], files('src/app.js', 'src/app.test.js'))).toBe('node');
	});

	it('follows the tech stack when there are no test files yet', () => {
		expect(chooseRunner(['Python 3.12', 'FastAPI'], files('main.js'))).toBe('python');
		expect(chooseRunner(['TypeScript', 'Express'], files())).toBe('node');
		expect(chooseRunner(['Node.js'], files())).toBe('node');
		// One entry that names Node is enough; the others (a database, a tool) name no language.
		expect(chooseRunner(['Node.js', 'PostgreSQL'], files())).toBe('node');
	});

	it('counts the files when the stack names both or neither', () => {
		expect(chooseRunner(['Django', 'React'], files('a.py', 'b.py', 'ui.jsx'))).toBe('python');
		expect(chooseRunner([], files('a.ts', 'b.ts', 'tool.py'))).toBe('node');
	});

	it('follows the only language with files when there are neither test files nor a stack', () => {
		expect(chooseRunner([], files('main.py'))).toBe('python');
		expect(chooseRunner([], files('index.js'))).toBe('node');
	});

	it('gives up when nothing points anywhere', () => {
		expect(chooseRunner(['Rust'], files('src/main.rs'))).toBeNull();
	});
});

describe('isNodeTestFile', () => {
	it.each(['a.test.js', 'src/a.spec.ts', 'test/helpers.mjs', 'tests/api.js', '__tests__/x.cjs', 'test.js', 'test-login.js', 'login_test.mts'])('%s is a test file', (path) => {
		expect(isNodeTestFile(path)).toBe(true);
	});

	it.each(['src/index.js', 'types.d.ts', 'node_modules/x/a.test.js', 'testing.js', 'README.md', 'contest.js'])('%s is not', (path) => {
		expect(isNodeTestFile(path)).toBe(false);
	});
});

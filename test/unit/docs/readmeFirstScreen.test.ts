import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a new user sees before scrolling: the README's first 40 lines. */
const firstScreen = readFileSync(join(__dirname, '../../../README.md'), 'utf8').split('\n').slice(0, 40).join('\n');

describe("the README's first screen", () => {
	it('shows the command that starts everything, with what it needs', () => {
		expect(firstScreen).toMatch(/^npm ci && npm run build && .*npm run start:local$/m);
		expect(firstScreen).toMatch(/OLLAMA_HOST/);
		expect(firstScreen).toMatch(/Redis/);
	});

	it('shows the command that runs the tests, the one .ci/run calls', () => {
		expect(firstScreen).toMatch(/^npm ci && npm run lint && npm test$/m);
		const ciRun = readFileSync(join(__dirname, '../../../.ci/run'), 'utf8');
		expect(ciRun).toMatch(/^npm ci\b/m);
		expect(ciRun).toMatch(/^npm run lint$/m);
		expect(ciRun).toMatch(/npm test\b/);
	});
});

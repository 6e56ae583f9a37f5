import { estimateTokens, MAX_LISTED_PATHS } from '../../../runtime/agents/developer';
import type { PlanTask, ProducedFile } from '../../../runtime/contracts';
import { runDeveloperStep } from '../../../runtime/pipeline';
import { TestRedis } from '../../support/redis';
import { isolatedStore } from '../state/fixtures';
import { developerSettings, FIXED_SUM, mathPlan, stepContext, storedProject, SUM_TASK, turns, useModelServer } from './support';

// However many files a project has, the developer's prompt holds only what fits its token budget,
// and names a bounded list of the rest: the 80th file costs the prompt almost nothing.

const redis = new TestRedis('context');
const server = useModelServer(redis, () => ({ summary: 'Write sum', files: [{ path: 'src/sum.js', content: FIXED_SUM }] }));

const BUDGET = 2000;
const EARLIER: PlanTask = { ...SUM_TASK, id: 'T0', title: 'Write the helpers', description: 'lib/' };

/** `count` files of about 2 KB each, as an earlier task left them. */
function libraryFiles(count: number): ProducedFile[] {
	return Array.from({ length: count }, (_, i) => {
		const name = String(i).padStart(2, '0');
		const lines = [`// helper module ${name}`];
		for (let n = 0; lines.join('\n').length < 2000 + (i % 7) * 20; n++) lines.push(`exports.helper${name}_${n} = (value) => value * ${n} + ${i};`);
		return { path: `lib/module-${name}.js`, content: `${lines.join('\n')}\n` };
	});
}

/** The developer's prompt for T1 in a project where T0 finished with `files`. */
async function developerPrompt(files: ProducedFile[], task: PlanTask = SUM_TASK): Promise<{ prompt: string; contextFiles: string[] }> {
	server().requests.splice(0);
	const store = isolatedStore(redis);
	const projectId = await storedProject(store, mathPlan([EARLIER, task]));
	await store.startTask(projectId, 'T0');
	await store.recordTaskResult(projectId, 'T0', { status: 'done', files });
	const { output } = await runDeveloperStep(stepContext(store, server()), projectId, 'T1', developerSettings({ contextTokens: BUDGET }));
	const [turn] = turns(server());
	expect(turn.role).toBe('developer');
	return { prompt: turn.prompt, contextFiles: output.contextFiles };
}

function namedLibraryPaths(prompt: string): Set<string> {
	return new Set(prompt.match(/lib\/module-\d\d\.js/g) ?? []);
}

describe('the developer\'s context within a token budget', () => {
	it('keeps the prompt for 80 stored files of ~2 KB under 1.5× the prompt for 5, and names a bounded list of paths', async () => {
		const all = libraryFiles(80);
		const none = await developerPrompt([]);
		const five = await developerPrompt(all.slice(0, 5));
		const eighty = await developerPrompt(all);

		// 160 KB of code stored, yet the prompt barely grows.
		expect(all.reduce((sum, f) => sum + f.content.length, 0)).toBeGreaterThan(160_000);
		expect(eighty.prompt.length).toBeLessThan(1.5 * five.prompt.length);
		// Whole files within the budget (the same estimate the selection uses), plus a bounded list of paths.
		const shown = all.filter((f) => eighty.contextFiles.includes(f.path));
		expect(shown.length).toBeGreaterThan(0);
		expect(shown.reduce((sum, f) => sum + estimateTokens(f.content) + estimateTokens(f.path) + 8, 0)).toBeLessThanOrEqual(BUDGET);
		for (const file of shown) expect(eighty.prompt).toContain(`--- ${file.path}\n${file.content}`);
		expect(eighty.prompt.length - none.prompt.length).toBeLessThan(BUDGET * 4 + 2000);
		const named = namedLibraryPaths(eighty.prompt);
		expect(named.size).toBe(shown.length + MAX_LISTED_PATHS);
		expect(eighty.prompt).toContain(`and ${80 - shown.length - MAX_LISTED_PATHS} more`);
		// Files neither shown nor listed are absent from the prompt, content and all.
		const hidden = all.filter((f) => !named.has(f.path));
		expect(hidden.length).toBeGreaterThan(30);
		for (const file of hidden) expect(eighty.prompt).not.toContain(file.content.split('\n')[1]);

		// With 5 files, the same budget shows as many whole and lists the rest, without "more".
		expect(five.contextFiles).toHaveLength(shown.length);
		expect(namedLibraryPaths(five.prompt).size).toBe(5);
		expect(five.prompt).not.toMatch(/ and \d+ more/);
	});

	it('shows first the files the task names, wherever they are among the 80', async () => {
		const all = libraryFiles(80);
		const task = { ...SUM_TASK, description: 'src/sum.js exports sum(a, b); reuse lib/module-77.js and lib/module-63.js.' };
		const { prompt, contextFiles } = await developerPrompt(all, task);
		expect(contextFiles.slice(0, 2).sort()).toEqual(['lib/module-63.js', 'lib/module-77.js']);
		expect(prompt).toContain(`--- lib/module-77.js\n${all[77].content}`);
	});
});

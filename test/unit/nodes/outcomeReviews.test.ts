import { projectOutcome as nodeOutcome, type ProjectView } from '../../../nodes/AiCompany/projectOutcome';
import { FAILURE_EXCERPT_CHARS, reporterInputOf } from '../../../runtime/agents/reporter/reporterInput';
import type { Delivery, Project, TaskState } from '../../../runtime/contracts/project';
import type { StoredReview } from '../../../runtime/contracts/review';
import { projectOutcome as serviceOutcome } from '../../../runtime/driver/projectOutcome';
import { newProject } from '../../../runtime/state/intake';

// Reviews and the delivery in a project's outcome (end callback, webhooks, the AI Company node) and
// in the client report's input: each task's review, the whole project's, and what DevOps delivered.

const review = (verdict: StoredReview['verdict'], round: number, summary: string, warned = false): StoredReview => ({
	verdict,
	summary,
	comments: verdict === 'approve' ? [] : [{ path: 'src/a.js', severity: 'minor', message: 'm' }],
	model: 'qwen2.5-coder:7b',
	round,
	attempt: round,
	...(warned ? { warned } : {}),
	at: '2026-01-01T00:09:00.000Z',
});

const delivery: Delivery = {
	stack: 'node',
	testCommand: 'npm test',
	verified: true,
	files: [
		{ path: 'package.json', content: '{}' },
		{ path: 'README.md', content: '# x' },
	],
	notes: [],
	rounds: 1,
	packagedAt: '2026-01-01T00:10:00.000Z',
	proof: { status: 'passed', passed: 2, failed: 0, command: ['node', '--test'], runner: 'node', durationMs: 10, output: '' },
};

function task(status: TaskState['status'], attempts: number, taskReview?: StoredReview): TaskState {
	return { status, attempts, files: [{ path: 'src/a.js', content: '' }], testFiles: [], testReport: null, updatedAt: '2026-01-01T00:10:00.000Z', ...(taskReview ? { review: taskReview } : {}) };
}

function reviewedProject(): Project {
	const project = newProject('acme-2', { title: 'Todo API', requirements: 'Users add todos.', client: { name: 'Ada' } }, 'key-2', '2026-01-01T00:00:00.000Z');
	return {
		...project,
		status: 'completed',
		plan: { summary: 's', techStack: ['Node.js'], risks: [], tasks: ['T1', 'T2', 'T3'].map((id) => ({ id, title: id, description: 'd', dependsOn: [], acceptanceCriteria: ['a'], estimateHours: 1 })) },
		tasks: { T1: task('done', 1, review('approve', 1, 'T1 is fine')), T2: task('done', 2, review('request_changes', 2, 'T2 still lacks a comment', true)), T3: task('done', 1) },
		review: review('approve', 2, 'The whole is fine'),
		delivery,
	};
}

describe('a project outcome tells the reviews and the delivery', () => {
	it("gives each task's review (verdict, summary, rounds, warned), the project's, and the delivery's test command, proof and file paths", () => {
		const outcome = serviceOutcome(reviewedProject());
		expect(outcome.tasks).toEqual([
			{ id: 'T1', status: 'done', attempts: 1, review: { verdict: 'approve', summary: 'T1 is fine', rounds: 1, warned: false } },
			{ id: 'T2', status: 'done', attempts: 2, review: { verdict: 'request_changes', summary: 'T2 still lacks a comment', rounds: 2, warned: true } },
			{ id: 'T3', status: 'done', attempts: 1, review: null },
		]);
		expect(outcome.review).toEqual({ verdict: 'approve', summary: 'The whole is fine', rounds: 2, warned: false });
		expect(outcome.delivery).toEqual({ testCommand: 'npm test', verified: true, files: ['package.json', 'README.md'] });
	});

	it('is null for the review and the delivery before there are any', () => {
		const outcome = serviceOutcome({ ...reviewedProject(), review: null, delivery: undefined });
		expect({ review: outcome.review, delivery: outcome.delivery }).toEqual({ review: null, delivery: null });
	});

	it('the AI Company node outputs the same outcome from GET /api/projects/:id', () => {
		const project = reviewedProject();
		const answer = JSON.parse(JSON.stringify(project)) as ProjectView;
		expect(nodeOutcome(answer)).toEqual(serviceOutcome(project));
		expect(nodeOutcome({ ...answer, review: null, delivery: null })).toEqual(serviceOutcome({ ...project, review: null, delivery: null }));
	});
});

describe("the client report's input tells the reviews and the delivery", () => {
	it("gives each reviewed task its review, the project's review, and the delivery", () => {
		const input = reporterInputOf(reviewedProject());
		expect(input.tasks.map((t) => t.review ?? null)).toEqual([
			{ verdict: 'approve', summary: 'T1 is fine', rounds: 1, warned: false },
			{ verdict: 'request_changes', summary: 'T2 still lacks a comment', rounds: 2, warned: true },
			null,
		]);
		expect(input.review).toEqual({ verdict: 'approve', summary: 'The whole is fine', rounds: 2, warned: false });
		expect(input.delivery).toEqual({ testCommand: 'npm test', verified: true, files: ['package.json', 'README.md'], rounds: 1 });
	});

	it("shortens a long review summary as it does a failure", () => {
		const project = reviewedProject();
		const input = reporterInputOf({ ...project, review: review('approve', 1, 'x'.repeat(5000)) });
		expect(input.review!.summary).toHaveLength(FAILURE_EXCERPT_CHARS);
		expect(input.review!.summary.endsWith('…')).toBe(true);
	});
});

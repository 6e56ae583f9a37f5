import { projectOutcome as nodeOutcome, type ProjectView } from '../../../nodes/AiCompany/projectOutcome';
import { RUN_ENDED_STATUSES } from '../../../runtime/contracts/outcome';
import { PROJECT_STATUSES, type Project, type TaskState } from '../../../runtime/contracts/project';
import { runEnded } from '../../../runtime/driver/continueProject';
import { projectOutcome as serviceOutcome } from '../../../runtime/driver/projectOutcome';
import { newProject } from '../../../runtime/state/intake';
import { TERMINAL_STATUSES } from '../../../runtime/state/lifecycle';

// The AI Company node makes a project's outcome from GET /api/projects/:id; the service makes it for
// its end callback and its webhooks. The compiled node cannot require the service's function, so it
// is written twice: a workflow must read the end alike from the node, the callback and the trigger.

function endedProject(): Project {
	const project = newProject('acme-1', { title: 'Todo API', requirements: 'Users add todos.', client: { name: 'Ada', email: 'ada@example.com' } }, 'key-1', '2026-01-01T00:00:00.000Z');
	return {
		...project,
		status: 'failed',
		statusReason: 'T2 failed its tests 3 times',
		tasks: {
			T1: task('done', 1),
			T2: task('failed', 3),
		},
		repository: { url: 'file:///srv/git/acme-1.git', branch: 'main', lastCommit: 'abc123' },
		usage: { total: { promptTokens: 120, completionTokens: 80, totalTokens: 200, llmMs: 3000, wallMs: 4000, calls: 3 }, byRole: {} },
	};
}

function task(status: TaskState['status'], attempts: number): TaskState {
	return { status, attempts, files: [{ path: 'src/todo.js', content: 'module.exports = {};' }], testFiles: [], testReport: null, updatedAt: '2026-01-01T00:10:00.000Z' };
}

describe("a project's outcome", () => {
	it('the AI Company node outputs what the service POSTs to the end callback and the webhooks', () => {
		const project = endedProject();
		// The node reads the project as JSON from the API.
		const answer = JSON.parse(JSON.stringify({ ...project, run: { mode: 'auto', round: 1 } })) as ProjectView;
		expect(nodeOutcome(answer)).toEqual(serviceOutcome(project));
		expect(Object.keys(nodeOutcome(answer))).toEqual(Object.keys(serviceOutcome(project)));
	});

	it('a run ends in the store\'s terminal statuses and in failed (which waits for a retry)', () => {
		expect([...RUN_ENDED_STATUSES].sort()).toEqual([...TERMINAL_STATUSES, 'failed'].sort());
		expect(PROJECT_STATUSES.filter((status) => runEnded({ status } as Project)).sort()).toEqual([...RUN_ENDED_STATUSES].sort());
	});
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_STATUSES, type ProjectStatus } from '../../../runtime/contracts';
import { canMoveProject, InvalidTransitionError, nextProjectStatuses, type ProjectStore } from '../../../runtime/state';
import { TestRedis } from '../../support/redis';
import { intake, isolatedStore } from './fixtures';

// Every project move, allowed or not, from every status a project can be in, against the table in
// README.md "#### Lifecycle": first the lifecycle functions, then the store itself.

const RESUME = 'resumeStatus';

/** The README's lifecycle table: for each status, where it may go; RESUME stands for its resumeStatus. */
function readmeLifecycle(): Map<ProjectStatus, string[]> {
	const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
	const section = readme.slice(readme.indexOf('#### Lifecycle'));
	const lines = section.split('\n');
	const start = lines.findIndex((line) => line.startsWith('| '));
	// The table only: its rows run up to the first line that is not one (later tables are others').
	const end = lines.findIndex((line, i) => i > start && !line.startsWith('| '));
	const rows = lines
		.slice(start, end)
		.map((line) => line.split('|').map((cell) => cell.trim()))
		.filter(([, from]) => from !== 'from' && !from.startsWith('---'));
	const ticked = (cell: string) => [...cell.matchAll(/`([a-zA-Z_]+)`/g)].map((m) => m[1]);
	const table = new Map<ProjectStatus, string[]>();
	for (const [, from, to] of rows) {
		if (from === 'any of the above') {
			for (const targets of table.values()) targets.push(...ticked(to));
			continue;
		}
		for (const status of ticked(from)) {
			expect(PROJECT_STATUSES).toContain(status);
			table.set(status as ProjectStatus, to === 'nothing: final' ? [] : ticked(to));
		}
	}
	return table;
}

const README = readmeLifecycle();
// In their order along the way: each is reached from the one before (planned → awaiting_approval → development too).
const WORKING: ProjectStatus[] = ['intake', 'planning', 'planned', 'awaiting_approval', 'development', 'testing', 'review', 'deployment'];

/** Every state a project can be in: a status and, for failed and on_hold, the status it left. */
interface State {
	status: ProjectStatus;
	resume: ProjectStatus | null;
}
const STATES: State[] = PROJECT_STATUSES.flatMap((status): State[] =>
	status === 'failed' || status === 'on_hold' ? WORKING.map((resume) => ({ status, resume })) : [{ status, resume: null }],
);

function allowedByReadme(status: ProjectStatus, resume: ProjectStatus | null): ProjectStatus[] {
	const targets = README.get(status) ?? [];
	return [...new Set(targets.map((t) => (t === RESUME ? resume : t)))].filter((t): t is ProjectStatus => t !== null);
}

const label = ({ status, resume }: State) => (resume === null ? status : `${status} (left ${resume})`);

describe('the README lifecycle table', () => {
	it('lists every status once, and the rows the lifecycle has', () => {
		expect([...README.keys()].sort()).toEqual([...PROJECT_STATUSES].sort());
		expect(README.get('intake')).toEqual(['planning', 'failed', 'cancelled', 'on_hold']);
		expect(README.get('failed')).toEqual([RESUME, 'planning', 'development', 'cancelled']);
		expect(README.get('on_hold')).toEqual([RESUME, 'cancelled']);
		expect(README.get('awaiting_approval')).toEqual(['development', 'planning', 'failed', 'cancelled', 'on_hold']);
		expect(README.get('completed')).toEqual([]);
		expect(STATES).toHaveLength(WORKING.length * 3 + 2);
	});
});

describe('nextProjectStatuses and canMoveProject follow the README table for every status pair', () => {
	it.each(STATES.map((state) => [label(state), state] as const))('from %s', (_label, { status, resume }) => {
		const allowed = allowedByReadme(status, resume);
		expect([...nextProjectStatuses(status, resume)].sort()).toEqual([...allowed].sort());
		for (const to of PROJECT_STATUSES) expect([to, canMoveProject(status, resume, to)]).toEqual([to, allowed.includes(to)]);
	});

	it('has no moves from a paused status without a resumeStatus but the restarts and cancel', () => {
		expect(nextProjectStatuses('failed', null).sort()).toEqual(['cancelled', 'development', 'planning']);
		expect(nextProjectStatuses('on_hold', null)).toEqual(['cancelled']);
	});
});

const redis = new TestRedis('lifecycletable');
afterAll(() => redis.cleanup());

/** The moves that take a new project to this state. */
function pathTo(status: ProjectStatus, resume: ProjectStatus | null): ProjectStatus[] {
	const forward = (to: ProjectStatus) => WORKING.slice(1, WORKING.indexOf(to) + 1);
	if (status === 'failed' || status === 'on_hold') return [...forward(resume as ProjectStatus), status];
	if (status === 'completed') return [...WORKING.slice(1), 'completed'];
	if (status === 'cancelled') return ['cancelled'];
	return forward(status);
}

async function projectIn(store: ProjectStore, status: ProjectStatus, resume: ProjectStatus | null): Promise<string> {
	const { project } = await store.create(intake({ title: `In ${status} ${resume ?? ''} ${Math.random()}` }));
	for (const step of pathTo(status, resume)) await store.updateStatus(project.id, step, { source: 'test' });
	const reached = await store.get(project.id);
	expect([reached.status, reached.resumeStatus]).toEqual([status, resume]);
	return project.id;
}

describe('the store refuses every move the table forbids, changing no byte in Redis', () => {
	it.each(STATES.map((state) => [label(state), state] as const))('from %s', async (_label, { status, resume }) => {
		const store = isolatedStore(redis);
		const id = await projectIn(store, status, resume);
		const forbidden = PROJECT_STATUSES.filter((to) => !allowedByReadme(status, resume).includes(to));
		expect(forbidden).toContain(status);
		const before = await redis.snapshot(store.keys.prefix);
		for (const to of forbidden) {
			const error = await store.updateStatus(id, to, { reason: 'try' }).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(InvalidTransitionError);
			expect(error).toMatchObject({ projectId: id, from: status, to });
			expect(await redis.snapshot(store.keys.prefix)).toEqual(before);
		}
	});
});

describe('the store makes every move the table allows', () => {
	it.each(STATES.filter(({ status }) => status !== 'completed' && status !== 'cancelled').map((state) => [label(state), state] as const))(
		'from %s',
		async (_label, { status, resume }) => {
			const store = isolatedStore(redis);
			for (const to of allowedByReadme(status, resume)) {
				const id = await projectIn(store, status, resume);
				const moved = await store.updateStatus(id, to, { reason: 'because' });
				const pausing = to === 'failed' || to === 'on_hold';
				expect(moved).toMatchObject({ status: to, resumeStatus: pausing ? status : null, statusReason: 'because' });
			}
		},
	);
});

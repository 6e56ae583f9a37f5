import type { Plan, PlanTask, ProjectIntake } from '../../../runtime/contracts';
import { ProjectStore, type ProjectStoreOptions } from '../../../runtime/state';
import type { TestRedis } from '../../support/redis';

export function intake(overrides: Partial<ProjectIntake> = {}): ProjectIntake {
	return {
		title: 'Bakery website',
		requirements: 'A site for a bakery: menu page, opening hours, contact form that emails the owner.',
		client: { name: 'Ana Baker', email: 'ana@example.com' },
		...overrides,
	};
}

export function planTask(id: string, dependsOn: string[] = []): PlanTask {
	return { id, title: `Task ${id}`, description: `Do ${id}`, dependsOn, acceptanceCriteria: [`${id} works`], estimateHours: 1 };
}

export function plan(taskIds: string[] = ['t1', 't2']): Plan {
	return { summary: 'Build it', techStack: ['typescript'], tasks: taskIds.map((id) => planTask(id)), risks: [] };
}

let storeCount = 0;

/**
 * A store under a prefix of its own inside the test file's prefix, so tests in one file never see
 * each other's projects in listings, and the file's cleanup still removes everything.
 */
export function isolatedStore(redis: TestRedis, options: ProjectStoreOptions = {}): ProjectStore {
	storeCount++;
	return new ProjectStore(redis.client(), { prefix: `${redis.prefix}s${storeCount}:`, ...options });
}

/** A clock that moves one second per reading, so every timestamp (and creation order) is distinct. */
export function steppingClock(start = Date.parse('2025-01-01T00:00:00.000Z')): () => Date {
	let t = start;
	return () => new Date((t += 1000));
}

/** A store holding one project in planning with tasks "a" and "b", "a" in progress: where most refusals are tried. */
export async function storeWithTaskInProgress(redis: TestRedis): Promise<{ store: ProjectStore; id: string }> {
	const store = isolatedStore(redis);
	const { project } = await store.create(intake());
	await store.updateStatus(project.id, 'planning');
	await store.setPlan(project.id, plan(['a', 'b']));
	await store.startTask(project.id, 'a');
	return { store, id: project.id };
}

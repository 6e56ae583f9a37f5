import type { EffectiveSettings } from '../config/projectSettings';
import type { Project, ProjectStatus } from '../contracts/project';
import type { JobName, ProjectRun } from '../contracts/service';
import { InvalidInputError } from '../errors';
import { deliveryIsCurrent } from '../pipeline/buildRepository';
import { jobIds } from './jobIds';

/** One job the driver wants queued; its id makes queueing it twice harmless. */
export interface PlannedJob {
	name: JobName;
	jobId: string;
	data: Record<string, unknown>;
	priority: number;
}

/** What comes next for a project in auto mode: status moves (in order) and jobs to queue. */
export interface NextStep {
	moves: ProjectStatus[];
	jobs: PlannedJob[];
}

const NOTHING: NextStep = { moves: [], jobs: [] };

/**
 * Decides, from the stored project alone, what happens next in whole-project mode: plan; then the
 * tasks whose dependencies are done (a wave's tasks in parallel); when all are done, walk to
 * deployment, package and prove it (DevOps), and publish (or complete when there is nowhere to publish). Pure, so any worker can
 * decide again after a crash and reach the same jobs, whose ids then find the ones already queued.
 *
 * Priorities make projects share the workers fairly: a project's jobs get priority 1 + the number of
 * its tasks already started, so a project just posted runs its first jobs before the later jobs of
 * one posted earlier.
 */
export function nextStep(project: Project, run: ProjectRun, settings: EffectiveSettings): NextStep {
	const id = project.id;
	switch (project.status) {
		case 'intake':
		case 'planning':
			// A plan again after the client requested changes is new work: its own job id.
			return { moves: [], jobs: [{ name: 'plan', jobId: jobIds.plan(id, run.round, project.approval?.changeRequests ?? 0), data: { projectId: id }, priority: 1 }] };
		case 'planned':
			return { moves: [settings.approval === 'plan' ? 'awaiting_approval' : 'development'], jobs: [] };
		case 'awaiting_approval':
			// Waits for the client's decision (runtime/driver/decideApproval.ts), which moves it on: nothing to queue, nothing stuck.
			return NOTHING;
		case 'development':
			return developmentStep(project, run, settings);
		case 'testing':
			return { moves: settings.review.enabled ? ['review'] : ['review', 'deployment'], jobs: [] };
		case 'review':
			// The whole project's review loop (review, rework the tasks it names, review again), one job per retry round; on once it approved or only warned.
			if (!settings.review.enabled || (project.review && (project.review.verdict === 'approve' || project.review.warned))) return { moves: ['deployment'], jobs: [] };
			return { moves: [], jobs: [{ name: 'review', jobId: jobIds.projectReview(id, run.round), data: { projectId: id, roundLimit: (project.review?.round ?? 0) + settings.review.rounds }, priority: 1 }] };
		case 'deployment':
			// DevOps first: package and prove from a clean clone (whether or not there is somewhere to publish).
			if (settings.packaging && !(project.delivery?.verified && deliveryIsCurrent(project))) {
				return { moves: [], jobs: [{ name: 'package', jobId: jobIds.package(id, project.version), data: { projectId: id }, priority: 1 }] };
			}
			if (!settings.publishTarget) return { moves: ['completed'], jobs: [] };
			return { moves: [], jobs: [{ name: 'publish', jobId: jobIds.publish(id, project.version), data: { projectId: id }, priority: 1 }] };
		default:
			return NOTHING;
	}
}

function developmentStep(project: Project, run: ProjectRun, settings: EffectiveSettings): NextStep {
	const tasks = project.plan?.tasks ?? [];
	// Never "all of no tasks are done": a project without a plan has nothing to publish.
	if (!tasks.length) throw new InvalidInputError('projectId', `project "${project.id}" is in development without a planned task: plan it again`);
	const state = (taskId: string) => (Object.hasOwn(project.tasks, taskId) ? project.tasks[taskId] : undefined);
	if (tasks.every((t) => state(t.id)?.status === 'done')) return { moves: settings.review.enabled ? ['testing', 'review'] : ['testing', 'review', 'deployment'], jobs: [] };
	const started = tasks.filter((t) => state(t.id)?.status !== 'pending').length;
	const ready = tasks.filter((t) => state(t.id)?.status !== 'done' && t.dependsOn.every((d) => state(d)?.status === 'done'));
	return {
		moves: [],
		jobs: ready.map((task, index) => ({
			name: 'task',
			jobId: jobIds.task(project.id, task.id, run.round),
			data: { projectId: project.id, taskId: task.id, attemptLimit: (state(task.id)?.attempts ?? 0) + settings.maxFixAttempts },
			priority: 1 + started + index,
		})),
	};
}

import type { Job } from 'bullmq';

import type { Services } from '../../service/services';
import type { CompanyGlance } from '../../ui/dashboard/company';

const HOUR_MS = 3600_000;
/** Jobs read per state to count waiting and running work by kind. */
const JOBS_READ = 1000;

/**
 * The company at a glance from what this process counts (its model and test slots, its error
 * counter) and what the queue holds (jobs by kind and state, jobs failed in the last hour).
 * With the api and the worker in separate processes, the slots are the api process's own (idle).
 */
export async function companyGlanceOf(services: Services): Promise<CompanyGlance> {
	const { queue, modelSlots: providerSlots, testSlots, metrics, redis } = services;
	const bull = queue.queue;
	const since = Date.now() - HOUR_MS;
	const [waiting, active, delayed, failedLastHour, recentFailed, errors, registry] = await Promise.all([
		bull.getJobs(['waiting', 'prioritized', 'waiting-children'], 0, JOBS_READ - 1),
		bull.getJobs(['active'], 0, JOBS_READ - 1),
		bull.getJobs(['delayed'], 0, JOBS_READ - 1),
		redis.zcount(bull.keys.failed, since, '+inf'),
		bull.getJobs(['failed'], 0, 4, false),
		metrics.errors.get(),
		metrics.registry.getMetricsAsJSON(),
	]);
	const kinds = new Map<string, { kind: string; waiting: number; active: number; delayed: number }>();
	const count = (jobs: Array<Job | undefined>, state: 'waiting' | 'active' | 'delayed') => {
		for (const job of jobs) {
			if (!job) continue;
			const row = kinds.get(job.name) ?? { kind: job.name, waiting: 0, active: 0, delayed: 0 };
			row[state]++;
			kinds.set(job.name, row);
		}
	};
	count(waiting, 'waiting');
	count(active, 'active');
	count(delayed, 'delayed');

	// A per-provider busy-slots gauge, when the service keeps one; else this process's model-call limiter.
	const providerGauge = registry.find((m) => /slots/.test(m.name) && m.values.some((v) => v.labels.provider !== undefined));
	const modelSlots = providerGauge
		? providerGauge.values.map((v) => ({ provider: String(v.labels.provider), busy: v.value }))
		: Object.entries(providerSlots).map(([provider, limiter]) => ({ provider, busy: limiter.inFlight, slots: limiter.slots, waiting: limiter.queued }));

	return {
		modelSlots,
		queue: [...kinds.values()].sort((a, b) => a.kind.localeCompare(b.kind)),
		testSlots: { busy: testSlots.inFlight, slots: testSlots.slots, waiting: testSlots.queued },
		failures: {
			lastHour: failedLastHour,
			recent: recentFailed
				.filter((job): job is Job => job !== undefined && (job.finishedOn ?? 0) >= since)
				.map((job) => ({
					kind: job.name,
					projectId: typeof job.data?.projectId === 'string' ? job.data.projectId : undefined,
					reason: (job.failedReason ?? '').slice(0, 300),
					at: new Date(job.finishedOn ?? 0).toISOString(),
				})),
		},
		errorsSinceStart: errors.values.reduce((sum, v) => sum + v.value, 0),
	};
}

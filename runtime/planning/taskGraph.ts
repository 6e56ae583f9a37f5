import type { PlanTask } from '../contracts/plan';

export interface ScheduledEntry {
	task: PlanTask;
	/** 1 for tasks without dependencies; otherwise one more than the latest wave it depends on. */
	wave: number;
}

export type TaskGraphResult = { ok: true; schedule: ScheduledEntry[]; waveCount: number } | { ok: false; problems: string[] };

/**
 * Orders tasks so that every task comes after what it depends on, grouped in waves of tasks that
 * can run in parallel. Reports every duplicate id, unknown dependency and cycle, naming the tasks.
 */
export function scheduleTasks(tasks: readonly PlanTask[]): TaskGraphResult {
	const problems = [...duplicateIdProblems(tasks), ...unknownDependencyProblems(tasks)];
	if (problems.length) return { ok: false, problems };

	const byId = new Map(tasks.map((t) => [t.id, t]));
	const wave = new Map<string, number>();
	const remaining = new Set(tasks.map((t) => t.id));
	let current = 0;
	while (remaining.size) {
		current++;
		// Tasks whose dependencies all sit in earlier waves; plan order is kept inside a wave.
		const ready = tasks.filter((t) => remaining.has(t.id) && uniqueDeps(t).every((d) => (wave.get(d) ?? current) < current));
		if (!ready.length) return { ok: false, problems: cycleProblems(remaining, byId) };
		for (const t of ready) {
			wave.set(t.id, current);
			remaining.delete(t.id);
		}
	}
	const schedule = tasks
		.map((task, index) => ({ task, wave: wave.get(task.id)!, index }))
		.sort((a, b) => a.wave - b.wave || a.index - b.index)
		.map(({ task, wave: w }) => ({ task, wave: w }));
	return { ok: true, schedule, waveCount: current };
}

/** Problems only, for checking a model's plan inside the repair loop. */
export function taskGraphProblems(tasks: readonly PlanTask[]): string[] {
	const result = scheduleTasks(tasks);
	return result.ok ? [] : result.problems;
}

function uniqueDeps(task: PlanTask): string[] {
	return [...new Set(task.dependsOn)];
}

function duplicateIdProblems(tasks: readonly PlanTask[]): string[] {
	const positions = new Map<string, number[]>();
	tasks.forEach((t, i) => positions.set(t.id, [...(positions.get(t.id) ?? []), i + 1]));
	return [...positions]
		.filter(([, at]) => at.length > 1)
		.map(([id, at]) => `duplicate task id "${id}" (tasks ${at.join(', ')} in the list)`);
}

function unknownDependencyProblems(tasks: readonly PlanTask[]): string[] {
	const ids = new Set(tasks.map((t) => t.id));
	return tasks.flatMap((t) =>
		uniqueDeps(t)
			.filter((d) => !ids.has(d))
			.map((d) => `task "${t.id}" depends on unknown task "${d}"`),
	);
}

/**
 * Names one concrete cycle (A → B → A) for every group of tasks that depend on each other in a
 * circle (a strongly connected component of the tasks that could not be scheduled). Tasks that
 * merely wait on a cycle are not named: breaking the cycle frees them.
 */
function cycleProblems(stuck: Set<string>, byId: Map<string, PlanTask>): string[] {
	const order = new Map([...byId.keys()].map((id, index) => [id, index]));
	const next = (id: string) => uniqueDeps(byId.get(id)!).filter((d) => stuck.has(d));
	return stronglyConnected([...stuck], next)
		.filter((group) => group.length > 1 || next(group[0]).includes(group[0]))
		.map((group) => {
			const members = new Set(group);
			// Start from the group's first task in plan order; every member has a dependency inside
			// the group, so following the first one always comes back round.
			let node = group.reduce((a, b) => (order.get(a)! <= order.get(b)! ? a : b));
			const path: string[] = [];
			const onPath = new Map<string, number>();
			while (!onPath.has(node)) {
				onPath.set(node, path.length);
				path.push(node);
				node = next(node).find((d) => members.has(d))!;
			}
			const cycle = [...path.slice(onPath.get(node)), node];
			return {
				first: Math.min(...group.map((id) => order.get(id)!)),
				text: `dependency cycle: ${cycle.map((id) => `"${id}"`).join(' → ')}`,
			};
		})
		.sort((a, b) => a.first - b.first)
		.map(({ text }) => text);
}

/** Tarjan's algorithm without recursion (a plan can be a long chain). */
function stronglyConnected(nodes: string[], next: (id: string) => string[]): string[][] {
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const onStack = new Set<string>();
	const groups: string[][] = [];
	let counter = 0;
	for (const root of nodes) {
		if (index.has(root)) continue;
		const work: { id: string; deps: string[]; at: number }[] = [];
		const visit = (id: string) => {
			index.set(id, counter);
			low.set(id, counter);
			counter++;
			stack.push(id);
			onStack.add(id);
			work.push({ id, deps: next(id), at: 0 });
		};
		visit(root);
		while (work.length) {
			const frame = work[work.length - 1];
			if (frame.at < frame.deps.length) {
				const dep = frame.deps[frame.at++];
				if (!index.has(dep)) visit(dep);
				else if (onStack.has(dep)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(dep)!));
				continue;
			}
			work.pop();
			if (work.length) {
				const parent = work[work.length - 1].id;
				low.set(parent, Math.min(low.get(parent)!, low.get(frame.id)!));
			}
			if (low.get(frame.id) === index.get(frame.id)) {
				const group: string[] = [];
				let member: string;
				do {
					member = stack.pop()!;
					onStack.delete(member);
					group.push(member);
				} while (member !== frame.id);
				groups.push(group);
			}
		}
	}
	return groups;
}

import { isJobId, jobId, jobIds } from '../../../runtime/queue/jobIds';

describe('jobIds', () => {
	it.each(['a:b', 'T.1', 'x::y', 'plain', 'a b/c?d#e%f'])('makes an id without ":" for task id %j, which BullMQ would refuse', (taskId) => {
		for (const id of [jobIds.develop('proj:1', taskId, 1), jobIds.test('proj:1', taskId, 1), jobIds.task('proj:1', taskId, 1)]) {
			expect(id).not.toContain(':');
		}
	});

	it('never makes an all-digits id, which BullMQ would refuse as an integer', () => {
		expect(jobIds.plan('42', 1)).not.toMatch(/^\d+$/);
		expect(jobIds.publish('42', 7)).not.toMatch(/^\d+$/);
	});

	it('gives the same id for the same input, so a repeated request finds the queued job', () => {
		expect(jobIds.task('p1', 'T1', 2)).toBe(jobIds.task('p1', 'T1', 2));
		expect(jobIds.publish('p1', 9)).toBe(jobIds.publish('p1', 9));
	});

	it('gives a report of the same project version the same id, and of another version another one', () => {
		expect(jobIds.report('p1', 4)).toBe(jobIds.report('p1', 4));
		expect(jobIds.report('p1', 5)).not.toBe(jobIds.report('p1', 4));
		expect(jobIds.report('p1', 4)).not.toBe(jobIds.publish('p1', 4));
		expect(jobIds.report('42', 7)).not.toMatch(/^\d+$/);
	});

	it('keeps a task id with a dot apart from a shorter task id plus attempt', () => {
		// Joined naively with '.', task 'a.b' attempt 1 and task 'a' with parts 'b', 1 would both read 'develop.p.a.b.1'.
		expect(jobIds.develop('p', 'a.b', 1)).not.toBe(jobIds.develop('p', 'a', 1));
		expect(jobId('develop', 'p', 'a.b', 1)).not.toBe(jobId('develop', 'p', 'a', 'b', 1));
		expect(jobIds.develop('p', 'a.1', 1)).not.toBe(jobId('develop', 'p', 'a', 1, 1));
	});

	it('keeps a project id with a dot apart from a project id plus a task id', () => {
		expect(jobIds.task('p.T1', 'x', 1)).not.toBe(jobId('task', 'p', 'T1', 'x', 1));
	});

	it('keeps ":" and its encoding apart', () => {
		expect(jobIds.task('p', 'a:b', 1)).not.toBe(jobIds.task('p', 'a%3Ab', 1));
	});

	it('keeps the attempt, round and version in the id', () => {
		expect(jobIds.develop('p', 'T1', 1)).not.toBe(jobIds.develop('p', 'T1', 2));
		expect(jobIds.test('p', 'T1', 1)).not.toBe(jobIds.test('p', 'T1', 2));
		expect(jobIds.task('p', 'T1', 1)).not.toBe(jobIds.task('p', 'T1', 2));
		expect(jobIds.plan('p', 1)).not.toBe(jobIds.plan('p', 2));
		expect(jobIds.publish('p', 3)).not.toBe(jobIds.publish('p', 4));
		expect(jobIds.advance('p', 3)).not.toBe(jobIds.advance('p', 4));
	});

	it('keeps jobs of different kinds on the same work apart', () => {
		const ids = [jobIds.develop('p', 'T1', 1), jobIds.test('p', 'T1', 1), jobIds.task('p', 'T1', 1), jobIds.publish('p', 1), jobIds.advance('p', 1), jobIds.plan('p', 1)];
		expect(new Set(ids).size).toBe(ids.length);
	});

	it('keeps different projects apart', () => {
		expect(jobIds.plan('p1', 1)).not.toBe(jobIds.plan('p2', 1));
		expect(jobIds.callback('p1', 'done')).not.toBe(jobIds.callback('p2', 'done'));
	});

	it('starts with the job name, so ids read well in logs', () => {
		expect(jobIds.publish('p1', 4)).toBe('publish.p1.4');
		expect(jobIds.task('p1', 'T.1', 2)).toMatch(/^task\.p1\./);
	});
});

describe('task ids a model may write that encodeURIComponent refuses', () => {
	it('gives a lone surrogate an id of its own, without ":" and distinct from its look-alikes', () => {
		const lone = jobIds.task('p', '\ud800', 1);
		expect(lone).not.toContain(':');
		expect(new Set([lone, jobIds.task('p', '\ud801', 1), jobIds.task('p', '~00d8', 1), jobIds.task('p', '\ufffd', 1)]).size).toBe(4);
		expect(jobIds.task('p', '\ud800', 1)).toBe(lone);
	});
});

describe('isJobId: only the shapes the builders make are job ids', () => {
	it('recognises every id the builders make, encoded task ids and numeric projects included', () => {
		const ids = [
			jobIds.plan('p1', 1),
			jobIds.develop('proj:1', 'a b/c?d#e%f', 2),
			jobIds.test('p', 'T.1', 1),
			jobIds.task('p.T1', '\ud800', 3),
			jobIds.task('p', '~x', 1),
			jobIds.publish('42', 7),
			jobIds.report('p', 4),
			jobIds.advance('p', 9),
			jobIds.plan('p', 0, 2),
			jobIds.callback('p', 'job-develop.p.T1.1-abc'),
			jobIds.callback('p', 'hook-w1-1700000000000-0'),
		];
		for (const id of ids) expect({ id, recognised: isJobId(id) }).toEqual({ id, recognised: true });
	});

	it.each(['meta', 'id', 'events', 'completed', 'failed', 'wait', 'paused', 'stalled-check', 'de', 'limiter'])('is not %j, a key BullMQ keeps beside the jobs', (id) => {
		expect(isJobId(id)).toBe(false);
	});

	it.each([
		['an unknown job name', 'deploy.p.1'],
		['a job name alone', 'plan'],
		['no parts after the project', 'plan.p'],
		['a part too many', 'plan.p.1.2.3'],
		['a text where a number belongs', 'publish.p.x'],
		['an empty project', 'plan..1'],
		['a character part() always escapes', 'task.p.a:b.1'],
		['a lower-case percent escape', 'task.p.a%3ab.1'],
		['an odd hex run after "~"', 'task.p.~d80.1'],
	])('is not an id with %s', (_what, id) => {
		expect(isJobId(id)).toBe(false);
	});
});

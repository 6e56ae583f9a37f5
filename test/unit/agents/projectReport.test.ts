import { FAILURE_EXCERPT_CHARS, REQUIREMENTS_EXCERPT_CHARS, reporterInputOf } from '../../../runtime/agents/reporter/reporterInput';
import { reportProblems, writeReport } from '../../../runtime/agents/reporter/writeReport';
import type { PlanTask } from '../../../runtime/contracts/plan';
import type { Project, TaskState } from '../../../runtime/contracts/project';
import { projectReportSchema, REPORT_LIMITS, type ProjectReport } from '../../../runtime/contracts/report';
import { emptyUsage } from '../../../runtime/contracts/usage';
import { InvalidInputError } from '../../../runtime/errors';
import type { LlmClient, StructuredRequest } from '../../../runtime/llm/llmClient';
import { schemaProblems } from '../../../runtime/contracts/schemaValidator';

const valid: ProjectReport = {
	summary: 'The shop is half built: the catalogue works, checkout is next.',
	done: ['The product catalogue'],
	next: ['Checkout'],
	risks: [],
};

describe('the report contract refuses', () => {
	it('accepts a report with all four fields, lists empty or not', () => {
		expect(schemaProblems(projectReportSchema, valid)).toEqual([]);
		expect(schemaProblems(projectReportSchema, { ...valid, done: [], next: [], risks: [] })).toEqual([]);
	});

	it.each(['summary', 'done', 'next', 'risks'] as const)('a report without %s, naming the field', (field) => {
		const { [field]: _left, ...rest } = valid;
		expect(schemaProblems(projectReportSchema, rest)).toEqual([`(the top level) is missing the required field "${field}"`]);
	});

	it('an empty summary and an empty point', () => {
		expect(schemaProblems(projectReportSchema, { ...valid, summary: '' })).toEqual(['/summary must NOT have fewer than 1 characters']);
		expect(schemaProblems(projectReportSchema, { ...valid, next: ['Checkout', ''] })).toEqual(['/next/1 must NOT have fewer than 1 characters']);
	});

	it('a summary or a point longer than its bound', () => {
		expect(schemaProblems(projectReportSchema, { ...valid, summary: 'x'.repeat(REPORT_LIMITS.summaryChars + 1) })).toEqual([
			`/summary must NOT have more than ${REPORT_LIMITS.summaryChars} characters`,
		]);
		expect(schemaProblems(projectReportSchema, { ...valid, summary: 'x'.repeat(REPORT_LIMITS.summaryChars) })).toEqual([]);
		expect(schemaProblems(projectReportSchema, { ...valid, risks: ['x'.repeat(REPORT_LIMITS.pointChars + 1)] })).toEqual([
			`/risks/0 must NOT have more than ${REPORT_LIMITS.pointChars} characters`,
		]);
	});

	it('a list with more points than its bound', () => {
		const many = Array.from({ length: REPORT_LIMITS.pointsPerList + 1 }, (_, i) => `point ${i}`);
		expect(schemaProblems(projectReportSchema, { ...valid, done: many })).toEqual([`/done must NOT have more than ${REPORT_LIMITS.pointsPerList} items`]);
		expect(schemaProblems(projectReportSchema, { ...valid, done: many.slice(1) })).toEqual([]);
	});

	it('points that are not text, and lists that are not lists', () => {
		expect(schemaProblems(projectReportSchema, { ...valid, done: ['ok', 7] })).toEqual(['/done/1 must be of type string']);
		expect(schemaProblems(projectReportSchema, { ...valid, next: 'Checkout' })).toEqual(['/next must be of type array']);
	});
});

describe("the reporter's own checks", () => {
	it('pass a plain report', () => {
		expect(reportProblems(valid)).toEqual([]);
	});

	it('refuse blank text and code blocks, naming where they are', () => {
		expect(reportProblems({ ...valid, summary: '   ', next: ['Checkout', ' \n'], risks: ['Run ```npm test``` first'] })).toEqual([
			'/summary is blank: say in two or three sentences where the project stands',
			'/next/1 is blank: leave it out or say something',
			'/risks/0 contains a code block: write plain language for the client, no code',
		]);
	});
});

/** A model that answers at once with `reply` and keeps the requests it was sent. */
function recordingModel(reply: unknown): { llm: LlmClient; requests: Array<StructuredRequest<ProjectReport>> } {
	const requests: Array<StructuredRequest<ProjectReport>> = [];
	const llm = {
		generateStructured: async (request: StructuredRequest<ProjectReport>) => {
			requests.push(request);
			return { value: reply, raw: JSON.stringify(reply), model: request.model, usage: { ...emptyUsage(), calls: 1 }, repairs: 0 };
		},
	} as unknown as LlmClient;
	return { llm, requests };
}

describe('writeReport', () => {
	const input = reporterInputOf(storedProject());

	it("sends the report contract as the schema, with the reporter's checks, the model and the repair bound", async () => {
		const { llm, requests } = recordingModel(valid);
		const output = await writeReport(input, llm, { model: 'llama3.2:3b', maxRepairs: 3, options: { temperature: 0.4 } });
		expect(requests[0]).toMatchObject({ model: 'llama3.2:3b', schema: projectReportSchema, maxRepairs: 3, options: { temperature: 0.4 } });
		expect(requests[0].check).toBe(reportProblems);
		expect(output).toEqual({ report: valid, model: 'llama3.2:3b', usage: { ...emptyUsage(), calls: 1 }, repairs: 0 });
	});

	it('keeps only the four fields of the reply, trimmed', async () => {
		const { llm } = recordingModel({ summary: ' On track. ', done: [' A '], next: ['B\n'], risks: [], mood: 'great' });
		expect((await writeReport(input, llm, { model: 'm', maxRepairs: 0 })).report).toEqual({ summary: 'On track.', done: ['A'], next: ['B'], risks: [] });
	});

	it('refuses an empty model before any call, naming the field', async () => {
		const { llm, requests } = recordingModel(valid);
		const error = await writeReport(input, llm, { model: ' ', maxRepairs: 0 }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(InvalidInputError);
		expect((error as InvalidInputError).field).toBe('model');
		expect(requests).toHaveLength(0);
	});
});

describe('reporterInputOf', () => {
	it('takes the tasks in plan order with status and attempts, and the last failure of failed tasks only', () => {
		const input = reporterInputOf(storedProject());
		expect(input.tasks).toEqual([
			{ id: 'T1', title: 'Catalogue', status: 'done', attempts: 1 },
			{ id: 'T2', title: 'Checkout', status: 'failed', attempts: 3, lastFailure: 'Expected 5, got -1' },
			{ id: 'T3', title: 'Emails', status: 'in_progress', attempts: 2 },
			{ id: 'T4', title: 'Launch', status: 'pending', attempts: 0 },
		]);
		expect(input).toMatchObject({ title: 'Shop', client: { name: 'Ada' }, status: 'development', planSummary: 'An online shop.' });
		expect(input.usage.totalTokens).toBe(1234);
	});

	it('shortens the requirements, a long failure and a long status reason, and leaves out the client email', () => {
		const project = storedProject({ requirements: 'r'.repeat(REQUIREMENTS_EXCERPT_CHARS * 2), statusReason: 's'.repeat(FAILURE_EXCERPT_CHARS * 2) });
		project.tasks.T2.error = 'e'.repeat(FAILURE_EXCERPT_CHARS * 2);
		const input = reporterInputOf(project);
		expect(input.requirementsExcerpt).toHaveLength(REQUIREMENTS_EXCERPT_CHARS);
		expect(input.requirementsExcerpt.endsWith('…')).toBe(true);
		expect(input.tasks[1].lastFailure).toHaveLength(FAILURE_EXCERPT_CHARS);
		expect(input.statusReason).toHaveLength(FAILURE_EXCERPT_CHARS);
		expect(JSON.stringify(input)).not.toContain('ada@example.com');
	});

	it('gives a project not planned yet no plan and no tasks', () => {
		const input = reporterInputOf({ ...storedProject(), status: 'intake', plan: null, tasks: {} });
		expect(input).toMatchObject({ planSummary: null, tasks: [], status: 'intake' });
	});
});

function taskState(status: TaskState['status'], attempts: number, error?: string): TaskState {
	return { status, attempts, files: [{ path: 'src/a.js', content: 'code' }], testFiles: [], testReport: null, ...(error ? { error } : {}), updatedAt: '2026-01-01T00:00:00.000Z' };
}

function storedProject(overrides: Partial<Project> = {}): Project {
	const planTask = (id: string, title: string): PlanTask => ({ id, title, description: '', dependsOn: [], acceptanceCriteria: [], estimateHours: 1 });
	return {
		id: 'p1',
		title: 'Shop',
		client: { name: 'Ada', email: 'ada@example.com' },
		requirements: 'An online shop with a catalogue and checkout.',
		status: 'development',
		resumeStatus: null,
		statusReason: null,
		plan: { summary: 'An online shop.', techStack: ['Node.js'], tasks: [planTask('T1', 'Catalogue'), planTask('T2', 'Checkout'), planTask('T3', 'Emails'), planTask('T4', 'Launch')], risks: [] },
		tasks: {
			T1: taskState('done', 1),
			T2: taskState('failed', 3, 'Expected 5, got -1'),
			// An attempt that failed before the one in progress: its error is not the task's news.
			T3: taskState('in_progress', 2, 'an earlier failure'),
			T4: taskState('pending', 0),
		},
		repository: null,
		usage: { total: { ...emptyUsage(), totalTokens: 1234 }, byRole: {} },
		createdAt: '2026-01-01T00:00:00.000Z',
		updatedAt: '2026-01-01T00:00:00.000Z',
		archivedAt: null,
		version: 7,
		idempotencyKey: 'k',
		...overrides,
	};
}

import { reporterInputOf } from '../../agents/reporter/reporterInput';
import { writeReport } from '../../agents/reporter/writeReport';
import type { ReportJobData } from '../../contracts/service';
import { LlmOutputError } from '../../llm/errors';
import { reporterSettings } from '../agentSettings';
import type { JobContext } from '../jobContext';

/**
 * Writes the client's progress report on the project as it stands. It only reads the project: no
 * status, task or usage of the project changes (its model calls are counted in the service's
 * metrics), so a report of the same project version is the same job.
 */
export async function reportJob(context: JobContext): Promise<Record<string, unknown>> {
	const data = context.job.data as ReportJobData;
	const { store, metrics } = context.services;
	const project = await store.get(data.projectId);
	const settings = reporterSettings(context.settings, data);
	context.progress({ phase: 'reporting' });
	try {
		const output = await writeReport(reporterInputOf(project), context.step.llm, settings);
		metrics.recordUsage('reporter', output.model, output.usage);
		return {
			projectId: project.id,
			title: project.title,
			status: project.status,
			report: output.report,
			model: output.model,
			usage: output.usage,
			repairs: output.repairs,
		};
	} catch (error) {
		// Calls that never gave a usable report were still made.
		if (error instanceof LlmOutputError && error.usage) metrics.recordUsage('reporter', settings.model, error.usage);
		throw error;
	}
}

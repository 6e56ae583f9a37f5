import { reporterInputOf } from '../../agents/reporter/reporterInput';
import { writeReport } from '../../agents/reporter/writeReport';
import { deliveryBrief, reviewBrief } from '../../contracts/outcome';
import type { ReportJobData } from '../../contracts/service';
import { costOfWork, recordUsage, unusableOutput } from '../../pipeline/metering';
import { reporterSettings } from '../agentSettings';
import type { JobContext } from '../jobContext';

/**
 * Writes the client's progress report on the project as it stands. It reads the project and changes
 * nothing but its usage: the report's model calls are metered under the role `reporter` (and counted
 * in the service's metrics). While only that usage changed, the project stands at the version the
 * report was written from (usage.report), so asking again answers with the same job.
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
		await recordUsage(context.step, project.id, 'reporter', output, project.version);
		return {
			projectId: project.id,
			title: project.title,
			status: project.status,
			report: output.report,
			// The facts beside the model's prose: the whole project's review and what DevOps delivered.
			review: reviewBrief(project.review),
			delivery: deliveryBrief(project.delivery),
			model: output.model,
			usage: output.usage,
			// What this report's calls cost, in USD (0: an unpriced model).
			cost: costOfWork(context.step, output),
			repairs: output.repairs,
		};
	} catch (error) {
		// Calls that never gave a usable report were still made.
		const failed = unusableOutput(error);
		if (failed) {
			metrics.recordUsage('reporter', failed.model, failed.usage);
			await recordUsage(context.step, project.id, 'reporter', failed).catch(() => undefined);
		}
		throw error;
	}
}


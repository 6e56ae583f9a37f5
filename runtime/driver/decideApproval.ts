import type { ApprovalBody, ApprovalSource } from '../contracts/approval';
import type { Project } from '../contracts/project';
import { continueProject } from './continueProject';
import type { DriverServices } from './driverServices';

/**
 * The one place a decision on a plan awaiting approval is made, whoever makes it: the HTTP API
 * (an operator, a Project State node), the operator dashboard or the client portal (`source`).
 * Stored atomically with its status move and its `project.approval_decided` event (409 unless the
 * project awaits approval), then the driver goes on: approved, the tasks start; changes requested,
 * the planner plans again with the comment and the project waits for approval again.
 */
export async function decideApproval(services: DriverServices, projectId: string, body: ApprovalBody, source: ApprovalSource): Promise<Project> {
	const project = await services.store.decideApproval(projectId, body.decision, body.comment, { source });
	await continueProject(services, project);
	return project;
}

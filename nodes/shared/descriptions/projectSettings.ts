import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { RunSettings } from '../../../runtime/contracts/service';

/**
 * A project's own settings (the intake's `settings`); each one left out falls back to the
 * service's environment (MODEL_*, MAX_FIX_ATTEMPTS, GIT_REMOTE_BASE, GITHUB_OWNER, ...).
 */
export const projectSettingsProperty: INodeProperties = {
	displayName: 'Project Settings',
	name: 'settings',
	type: 'collection',
	placeholder: 'Add Setting',
	default: {},
	options: [
		{
			displayName: 'Approval',
			name: 'approval',
			type: 'options',
			options: [
				{ name: 'None', value: 'none', description: 'Development starts as soon as the plan is made' },
				{ name: 'Plan', value: 'plan', description: 'The project waits (Awaiting Approval) until the client approves the plan in the portal, or requests changes' },
			],
			default: 'none',
			description: "Whether the plan waits for the client's approval before development (whole-project runs; the AI Company Trigger's Project Awaiting Approval tells a workflow to send the client a portal link)",
		},
		{
			displayName: 'Deploy Hook URL',
			name: 'deployHookUrl',
			type: 'string',
			default: '',
			placeholder: 'https://api.vercel.com/v1/integrations/deploy/...',
			description: 'POSTed once the repository is published (e.g. a Vercel or Netlify deploy hook)',
		},
		{
			displayName: 'Developer Model',
			name: 'developerModel',
			type: 'string',
			default: '',
			description: "The model that writes the code (provider:model, e.g. openai:gpt-4o-mini; a bare name is an Ollama model); empty: the service's MODEL_* setting",
			placeholder: 'qwen2.5-coder:7b',
		},
		{
			displayName: 'End Callback URL',
			name: 'callbackUrl',
			type: 'string',
			default: '',
			placeholder: '={{ $execution.resumeUrl }}',
			description: 'POSTed once with the outcome when the project ends (completed, failed or cancelled); a Wait node\'s resume URL goes on with it',
		},
		{
			displayName: 'Escalate After Attempts',
			name: 'escalateAfterAttempts',
			type: 'number',
			default: 2,
			typeOptions: { minValue: 1, maxValue: 20 },
			description: "A task's developer attempts from this one on use the Escalation Model (when one is set here or in the service's MODEL_ESCALATION)",
		},
		{
			displayName: 'Escalation Model',
			name: 'escalationModel',
			type: 'string',
			default: '',
			description: "A stronger model for a task's later attempts (see Escalate After Attempts); empty: the service's MODEL_ESCALATION, or none",
			placeholder: 'anthropic:claude-sonnet-4-5',
		},
		{
			displayName: 'Git Remote Base',
			name: 'gitRemoteBase',
			type: 'string',
			default: '',
			placeholder: 'https://git.example.com/acme or /srv/git',
			description: 'The repository is this base + "/" + the project ID + ".git"; a local folder works too (a bare repository is created). The service accepts only its GIT_REMOTE_BASE or a base of its GIT_REMOTE_ALLOW, or a folder under one; anything else is refused (400).',
		},
		{
			displayName: 'GitHub Owner',
			name: 'githubOwner',
			type: 'string',
			default: '',
			description: 'Publish to github.com/&lt;owner&gt;/&lt;project ID&gt; with the service\'s GITHUB_TOKEN instead of the Git Remote Base',
		},
		{
			displayName: 'Last Review Rejection',
			name: 'reviewLastRejection',
			type: 'options',
			options: [
				{ name: 'Fail the Task', value: 'fail', description: "The task fails with the reviewer's summary as the reason, and the project with it" },
				{ name: 'Warn Only', value: 'warn', description: 'The task is done; its review is kept, marked as a warning' },
			],
			default: 'fail',
			description: "What a request for changes in a task's last review round does",
		},
		{
			displayName: 'License',
			name: 'license',
			type: 'options',
			options: [
				{ name: 'BSD 2-Clause', value: 'BSD-2-Clause' },
				{ name: 'ISC', value: 'ISC' },
				{ name: 'MIT', value: 'MIT' },
			],
			default: 'MIT',
			description: "The delivered repository's LICENSE file (the copyright holder: the client's name, or the project's title); left out: no LICENSE file",
		},
		{
			displayName: 'Max Fix Attempts',
			name: 'maxFixAttempts',
			type: 'number',
			default: 3,
			typeOptions: { minValue: 1, maxValue: 20 },
			description: 'Attempts per task (first code + fixes) before the task, and the project, fail',
		},
		{
			displayName: 'Max Plan Tasks',
			name: 'maxPlanTasks',
			type: 'number',
			default: 12,
			typeOptions: { minValue: 1, maxValue: 200 },
			description: 'Largest plan accepted; a bigger plan is sent back to the model to merge tasks',
		},
		{
			displayName: 'Packaging',
			name: 'packaging',
			type: 'boolean',
			default: true,
			description:
				'Whether the delivered repository is made a project a client can run before it is published (manifest with its test command, README, .gitignore, CI workflow, Dockerfile for a service, LICENSE when set), proven by running that test command in a clean clone',
		},
		{
			displayName: 'Planner Model',
			name: 'plannerModel',
			type: 'string',
			default: '',
			description: "The model that plans the project (provider:model, e.g. openai:gpt-4o-mini; a bare name is an Ollama model); empty: the service's MODEL_* setting",
			placeholder: 'llama3.1:8b',
		},
		{
			displayName: 'Review',
			name: 'review',
			type: 'boolean',
			default: true,
			description:
				"Whether the reviewer reviews every task after its tests pass, before it is done (and the whole project before delivery). Left out: on when the service runs the project, off for step-by-step workflows; on there, the AI Tester leaves a passing task waiting for the AI Reviewer node.",
		},
		{
			displayName: 'Review Rounds',
			name: 'reviewRounds',
			type: 'number',
			default: 2,
			typeOptions: { minValue: 1, maxValue: 10 },
			description: "Reviews per task at most; each request for changes also uses one of the task's Max Fix Attempts, and the last round's verdict is final",
		},
		{
			displayName: 'Reviewer Model',
			name: 'reviewerModel',
			type: 'string',
			default: '',
			description: "The model that reviews the code (provider:model; a bare name is an Ollama model); empty: the service's MODEL_REVIEWER setting",
			placeholder: 'qwen2.5-coder:7b',
		},
		{
			displayName: 'Tester Model',
			name: 'testerModel',
			type: 'string',
			default: '',
			description: "The model that writes the tests (provider:model, e.g. openai:gpt-4o-mini; a bare name is an Ollama model); empty: the service's MODEL_* setting",
			placeholder: 'qwen2.5-coder:7b',
		},
	],
};

/** The collection as the service's `settings` object (contracts/service.ts RunSettings); blanks left out. */
export function runSettingsBody(collection: IDataObject): RunSettings {
	const text = (name: string) => (typeof collection[name] === 'string' && (collection[name] as string).trim() ? (collection[name] as string).trim() : undefined);
	const settings: RunSettings = {};
	const models: NonNullable<RunSettings['models']> = {};
	for (const role of ['planner', 'developer', 'tester', 'reviewer', 'escalation'] as const) {
		const model = text(`${role}Model`);
		if (model) models[role] = model;
	}
	if (Object.keys(models).length) settings.models = models;
	for (const name of ['maxFixAttempts', 'maxPlanTasks', 'reviewRounds', 'escalateAfterAttempts'] as const) {
		const value = collection[name];
		if (typeof value === 'number') settings[name] = value;
	}
	for (const name of ['review', 'packaging'] as const) {
		const value = collection[name];
		if (typeof value === 'boolean') settings[name] = value;
	}
	for (const name of ['gitRemoteBase', 'deployHookUrl', 'callbackUrl'] as const) {
		const value = text(name);
		if (value) settings[name] = value;
	}
	const lastRejection = text('reviewLastRejection');
	if (lastRejection) settings.reviewLastRejection = lastRejection as NonNullable<RunSettings['reviewLastRejection']>;
	const approval = text('approval');
	if (approval) settings.approval = approval as NonNullable<RunSettings['approval']>;
	const license = text('license');
	if (license) settings.license = license as NonNullable<RunSettings['license']>;
	const owner = text('githubOwner');
	if (owner) settings.github = { owner };
	return settings;
}

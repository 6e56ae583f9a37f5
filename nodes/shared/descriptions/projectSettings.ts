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
			description: "The Ollama model that writes the code; empty: the service's MODEL_* setting",
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
			displayName: 'Planner Model',
			name: 'plannerModel',
			type: 'string',
			default: '',
			description: "The Ollama model that plans the project; empty: the service's MODEL_* setting",
			placeholder: 'llama3.1:8b',
		},
		{
			displayName: 'Tester Model',
			name: 'testerModel',
			type: 'string',
			default: '',
			description: "The Ollama model that writes the tests; empty: the service's MODEL_* setting",
			placeholder: 'qwen2.5-coder:7b',
		},
	],
};

/** The collection as the service's `settings` object (contracts/service.ts RunSettings); blanks left out. */
export function runSettingsBody(collection: IDataObject): RunSettings {
	const text = (name: string) => (typeof collection[name] === 'string' && (collection[name] as string).trim() ? (collection[name] as string).trim() : undefined);
	const settings: RunSettings = {};
	const models: NonNullable<RunSettings['models']> = {};
	for (const role of ['planner', 'developer', 'tester'] as const) {
		const model = text(`${role}Model`);
		if (model) models[role] = model;
	}
	if (Object.keys(models).length) settings.models = models;
	for (const name of ['maxFixAttempts', 'maxPlanTasks'] as const) {
		const value = collection[name];
		if (typeof value === 'number') settings[name] = value;
	}
	for (const name of ['gitRemoteBase', 'deployHookUrl', 'callbackUrl'] as const) {
		const value = text(name);
		if (value) settings[name] = value;
	}
	const owner = text('githubOwner');
	if (owner) settings.github = { owner };
	return settings;
}

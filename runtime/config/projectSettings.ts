import { InvalidInputError } from '../errors';
import type { RunSettings } from '../contracts/service';
import type { PublishTarget } from '../pipeline/publishProject';
import type { ServiceConfig } from './environment';

/** What a job runs with: the project's own settings where it has them, the service's otherwise. */
export interface EffectiveSettings {
	/** The reporter's is the service's MODEL_REPORTER: project settings do not name one. */
	models: { planner: string; developer: string; tester: string; reporter: string };
	maxFixAttempts: number;
	maxPlanTasks: number;
	/** null: nowhere to publish (no GIT_REMOTE_BASE, no GitHub token): the project completes unpublished. */
	publishTarget: PublishTarget | null;
	deployHookUrl?: string;
	callbackUrl?: string;
}

export function effectiveSettings(config: ServiceConfig, projectId: string, settings: RunSettings): EffectiveSettings {
	return {
		models: {
			planner: settings.models?.planner ?? config.models.planner,
			developer: settings.models?.developer ?? config.models.developer,
			tester: settings.models?.tester ?? config.models.tester,
			reporter: config.models.reporter,
		},
		maxFixAttempts: settings.maxFixAttempts ?? config.maxFixAttempts,
		maxPlanTasks: settings.maxPlanTasks ?? config.maxPlanTasks,
		publishTarget: publishTargetOf(config, projectId, settings),
		deployHookUrl: settings.deployHookUrl,
		callbackUrl: settings.callbackUrl,
	};
}

function publishTargetOf(config: ServiceConfig, projectId: string, settings: RunSettings): PublishTarget | null {
	const base = settings.gitRemoteBase ?? (settings.github ? undefined : config.gitRemoteBase);
	if (base) return { kind: 'git', url: `${base.replace(/\/+$/, '')}/${projectId}.git` };
	if (config.githubToken && (settings.github || !config.gitRemoteBase)) {
		const org = settings.github?.owner ?? config.githubOwner;
		return {
			kind: 'github',
			token: config.githubToken,
			name: settings.github?.repo ?? projectId,
			...(org ? { org } : {}),
			private: settings.github?.private ?? true,
			existingOk: true,
		};
	}
	return null;
}

const REMOTE_BASE = /^(https?:\/\/|ssh:\/\/|file:\/\/|\/)[^\s]*$/i;

/**
 * A remote base ends up as git's push target: only http(s), ssh, file URLs or an absolute path,
 * never something git could read as an option (`-…`) or a helper transport (`ext::…`), and no
 * credentials in it (they would be logged and stored).
 */
export function checkRemoteBase(value: string, field: string): string {
	if (!REMOTE_BASE.test(value)) {
		throw new InvalidInputError(field, `must be an http(s)://, ssh://, file:// URL or an absolute path, got ${JSON.stringify(value)}`);
	}
	if (/^[a-z]+:\/\/[^/@]*@/i.test(value) && !/^ssh:\/\/[^/:@]+@/i.test(value)) {
		throw new InvalidInputError(field, 'must not carry credentials: use GITHUB_TOKEN, or an ssh key');
	}
	return value.replace(/\/+$/, '');
}

/** What JSON schema cannot say about the intake's settings. */
export function checkRunSettings(settings: RunSettings | null | undefined, field = 'settings'): RunSettings {
	if (!settings) return {};
	if (settings.gitRemoteBase !== undefined) checkRemoteBase(settings.gitRemoteBase, `${field}.gitRemoteBase`);
	return settings;
}

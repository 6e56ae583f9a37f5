import { InvalidInputError } from '../errors';
import type { RunMode, RunSettings } from '../contracts/service';
import type { GitHubRepositoryOptions } from '../workspace/github';
import { remoteRefusal } from '../workspace/remotes';
import { DEFAULT_APPROVAL, ESCALATION_DEFAULTS, REVIEW_DEFAULTS } from './defaults';
import type { ServiceConfig } from './environment';
import { checkSettingsModels } from './modelProviders';

/** Where a project's repository is published, as its settings and the service's configuration resolve it. */
export type PublishTarget =
	| { kind: 'git'; url: string; branch?: string; token?: string }
	| ({ kind: 'github'; branch?: string } & GitHubRepositoryOptions)
	/** The project names a remote the operator does not allow (stored before the rule, or since narrowed): publishing fails for good. */
	| { kind: 'refused'; field: string; problem: string; branch?: string };

/** What a job runs with: the project's own settings where it has them, the service's otherwise. */
export interface EffectiveSettings {
	/** The reporter's is the service's MODEL_REPORTER: project settings do not name one. */
	models: { planner: string; developer: string; tester: string; reviewer: string; reporter: string };
	maxFixAttempts: number;
	/** The developer's stronger model for a task's later attempts (settings.models.escalation, MODEL_ESCALATION); absent: none. */
	escalation?: { model: string; fromAttempt: number };
	/** The reviewer's gate: on or off, review rounds per task, and what a last rejection does. */
	review: { enabled: boolean; rounds: number; lastRejection: 'fail' | 'warn' };
	maxPlanTasks: number;
	/** null: nowhere to publish (no GIT_REMOTE_BASE, no GitHub token): the project completes unpublished. */
	publishTarget: PublishTarget | null;
	deployHookUrl?: string;
	callbackUrl?: string;
	/** DevOps packages and proves the finished project before it completes (settings.packaging, default true). */
	packaging: boolean;
	/** The delivered repository's LICENSE id (settings.license); none when absent. */
	license?: string;
	/** "plan": the whole project waits in awaiting_approval after planning until the plan is approved (settings.approval). */
	approval: 'plan' | 'none';
}

/** `mode`: how the project is run; review is on by default in whole-project mode only (a step workflow runs the AI Reviewer node where it wants one). */
export function effectiveSettings(config: ServiceConfig, projectId: string, settings: RunSettings, mode: RunMode = 'auto'): EffectiveSettings {
	return {
		models: {
			planner: settings.models?.planner ?? config.models.planner,
			developer: settings.models?.developer ?? config.models.developer,
			tester: settings.models?.tester ?? config.models.tester,
			reviewer: settings.models?.reviewer ?? config.models.reviewer,
			reporter: config.models.reporter,
		},
		review: {
			enabled: settings.review ?? mode === 'auto',
			rounds: settings.reviewRounds ?? REVIEW_DEFAULTS.rounds,
			lastRejection: settings.reviewLastRejection ?? REVIEW_DEFAULTS.lastRejection,
		},
		maxFixAttempts: settings.maxFixAttempts ?? config.maxFixAttempts,
		...escalationOf(config, settings),
		maxPlanTasks: settings.maxPlanTasks ?? config.maxPlanTasks,
		publishTarget: publishTargetOf(config, projectId, settings),
		deployHookUrl: settings.deployHookUrl,
		callbackUrl: settings.callbackUrl,
		packaging: settings.packaging ?? true,
		approval: settings.approval ?? DEFAULT_APPROVAL,
		...(settings.license ? { license: settings.license } : {}),
	};
}

function escalationOf(config: ServiceConfig, settings: RunSettings): Pick<EffectiveSettings, 'escalation'> {
	const model = settings.models?.escalation ?? config.escalationModel;
	return model ? { escalation: { model, fromAttempt: settings.escalateAfterAttempts ?? ESCALATION_DEFAULTS.afterAttempts } } : {};
}

function publishTargetOf(config: ServiceConfig, projectId: string, settings: RunSettings): PublishTarget | null {
	// Checked again at every job, against today's configuration: a project stored before the
	// operator's rules (or with rules since narrowed) fails its publish instead of writing elsewhere.
	const refused = settings.gitRemoteBase === undefined ? null : remoteRefusal(settings.gitRemoteBase, allowedRemoteBases(config));
	if (refused) return { kind: 'refused', field: 'settings.gitRemoteBase', problem: refused };
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

/** Where a request's settings.gitRemoteBase may point: GIT_REMOTE_BASE and GIT_REMOTE_ALLOW's bases, or under them. */
export function allowedRemoteBases(config: Pick<ServiceConfig, 'gitRemoteBase' | 'gitRemoteAllow'>): string[] {
	return [...(config.gitRemoteBase ? [config.gitRemoteBase] : []), ...(config.gitRemoteAllow ?? [])];
}

/** What JSON schema cannot say about the intake's settings, some of it by the service's configuration. */
export function checkRunSettings(settings: RunSettings | null | undefined, config: ServiceConfig, field = 'settings'): RunSettings {
	if (!settings) return {};
	checkSettingsModels(settings.models, config, field);
	if (settings.gitRemoteBase !== undefined) {
		const refused = remoteRefusal(settings.gitRemoteBase, allowedRemoteBases(config));
		if (refused) throw new InvalidInputError(`${field}.gitRemoteBase`, refused);
	}
	return settings;
}

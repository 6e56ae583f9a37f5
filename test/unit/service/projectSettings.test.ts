import { loadConfig, type ServiceConfig } from '../../../runtime/config/environment';
import { checkRunSettings, effectiveSettings } from '../../../runtime/config/projectSettings';
import { checkRemoteBase } from '../../../runtime/config/remoteBase';
import { InvalidInputError } from '../../../runtime/errors';

function config(overrides: Partial<ServiceConfig> = {}): ServiceConfig {
	return { ...loadConfig({}), models: { planner: 'env-planner', developer: 'env-developer', tester: 'env-tester', reviewer: 'env-reviewer', reporter: 'env-reporter' }, ...overrides };
}

function refusal(action: () => unknown): InvalidInputError {
	try {
		action();
	} catch (error) {
		if (error instanceof InvalidInputError) return error;
		throw new Error(`expected an InvalidInputError, got ${String(error)}`);
	}
	throw new Error('expected an InvalidInputError, nothing was thrown');
}

describe('effectiveSettings', () => {
	it('takes models and maxFixAttempts from the service config when the project sets none', () => {
		const settings = effectiveSettings(config({ maxFixAttempts: 3 }), 'p1', {});
		expect(settings.models).toEqual({ planner: 'env-planner', developer: 'env-developer', tester: 'env-tester', reviewer: 'env-reviewer', reporter: 'env-reporter' });
		expect(settings.maxFixAttempts).toBe(3);
	});

	it('lets the project\'s own settings win, model by model', () => {
		const settings = effectiveSettings(config({ maxFixAttempts: 3 }), 'p1', { models: { developer: 'project-dev' }, maxFixAttempts: 7 });
		expect(settings.models).toEqual({ planner: 'env-planner', developer: 'project-dev', tester: 'env-tester', reviewer: 'env-reviewer', reporter: 'env-reporter' });
		expect(settings.maxFixAttempts).toBe(7);
	});

	it('reviews tasks by default in whole-project mode only, 2 rounds, a last rejection failing; the project\'s review settings and reviewer model win', () => {
		expect(effectiveSettings(config(), 'p1', {}).review).toEqual({ enabled: true, rounds: 2, lastRejection: 'fail' });
		expect(effectiveSettings(config(), 'p1', {}, 'steps').review.enabled).toBe(false);
		expect(effectiveSettings(config(), 'p1', { review: true }, 'steps').review.enabled).toBe(true);
		const own = effectiveSettings(config(), 'p1', { review: false, reviewRounds: 4, reviewLastRejection: 'warn', models: { reviewer: 'project-reviewer' } });
		expect(own.review).toEqual({ enabled: false, rounds: 4, lastRejection: 'warn' });
		expect(own.models.reviewer).toBe('project-reviewer');
	});

	it('passes the project\'s deploy hook and callback through', () => {
		const settings = effectiveSettings(config(), 'p1', { deployHookUrl: 'https://deploy.example.com/hook', callbackUrl: 'https://n8n.example.com/resume' });
		expect(settings.deployHookUrl).toBe('https://deploy.example.com/hook');
		expect(settings.callbackUrl).toBe('https://n8n.example.com/resume');
	});

	describe('publish target', () => {
		it('is null when there is neither a remote base nor a GitHub token', () => {
			expect(effectiveSettings(config(), 'p1', {}).publishTarget).toBeNull();
		});

		it('pushes to <GIT_REMOTE_BASE>/<projectId>.git', () => {
			const settings = effectiveSettings(config({ gitRemoteBase: 'ssh://git@git.example.com/clients' }), 'p1', {});
			expect(settings.publishTarget).toEqual({ kind: 'git', url: 'ssh://git@git.example.com/clients/p1.git' });
		});

		it('prefers the project\'s gitRemoteBase over the service\'s, without doubling a trailing slash', () => {
			const settings = effectiveSettings(config({ gitRemoteBase: 'ssh://git@git.example.com/clients', gitRemoteAllow: ['/srv/git'] }), 'p1', { gitRemoteBase: '/srv/git/' });
			expect(settings.publishTarget).toEqual({ kind: 'git', url: '/srv/git/p1.git' });
		});

		it('publishes to GitHub only when the service has a token', () => {
			const settings = effectiveSettings(config({ githubToken: 'ghp_12345678' }), 'p1', {});
			expect(settings.publishTarget).toEqual({ kind: 'github', token: 'ghp_12345678', name: 'p1', private: true, existingOk: true });
		});

		it('does not publish to GitHub when the project asks for it but the service has no token', () => {
			expect(effectiveSettings(config(), 'p1', { github: { repo: 'todo-api' } }).publishTarget).toBeNull();
		});

		it('uses the project\'s GitHub owner, repository and visibility, over GITHUB_OWNER', () => {
			const settings = effectiveSettings(config({ githubToken: 'ghp_12345678', githubOwner: 'acme' }), 'p1', {
				github: { owner: 'client-org', repo: 'todo-api', private: false },
			});
			expect(settings.publishTarget).toEqual({ kind: 'github', token: 'ghp_12345678', name: 'todo-api', org: 'client-org', private: false, existingOk: true });
		});

		it('uses GITHUB_OWNER as the organisation when the project names none', () => {
			const settings = effectiveSettings(config({ githubToken: 'ghp_12345678', githubOwner: 'acme' }), 'p1', {});
			expect(settings.publishTarget).toMatchObject({ kind: 'github', org: 'acme', name: 'p1' });
		});

		it('prefers GIT_REMOTE_BASE over GitHub when the service has both and the project asks for neither', () => {
			const settings = effectiveSettings(config({ gitRemoteBase: '/srv/git', githubToken: 'ghp_12345678' }), 'p1', {});
			expect(settings.publishTarget).toEqual({ kind: 'git', url: '/srv/git/p1.git' });
		});

		it('goes to GitHub when the project asks for GitHub, even if the service has a GIT_REMOTE_BASE', () => {
			const settings = effectiveSettings(config({ gitRemoteBase: '/srv/git', githubToken: 'ghp_12345678' }), 'p1', { github: {} });
			expect(settings.publishTarget).toMatchObject({ kind: 'github', name: 'p1' });
		});
	});
});

describe('checkRemoteBase', () => {
	it.each([
		['https://git.example.com/clients', 'https://git.example.com/clients'],
		['http://git.local/clients/', 'http://git.local/clients'],
		['ssh://git@git.example.com/clients', 'ssh://git@git.example.com/clients'],
		['file:///srv/git', 'file:///srv/git'],
		['/srv/git//', '/srv/git'],
		// "::" only names a remote helper at the very start ("ext::…"); inside a URL it is an IPv6 address.
		['ssh://git@[::1]/clients', 'ssh://git@[::1]/clients'],
	])('accepts %s as a push target', (value, expected) => {
		expect(checkRemoteBase(value, 'settings.gitRemoteBase')).toBe(expected);
	});

	it.each(['-oProxyCommand=x', '--upload-pack=touch /tmp/x', 'ext::sh -c x', 'fd::17', 'relative/path', 'git@github.com:acme', 'https://host/with space', ''])(
		'refuses %j, which git could run or misread',
		(value) => {
			const error = refusal(() => checkRemoteBase(value, 'settings.gitRemoteBase'));
			expect(error.field).toBe('settings.gitRemoteBase');
			expect(error.message).toMatch(/http\(s\):\/\/, ssh:\/\/, file:\/\/ URL or an absolute path/);
		},
	);

	it.each(['https://token@github.com/acme', 'https://user:secret@git.example.com/clients', 'http://user:pw@git.local', 'ssh://user:secret@git.example.com/x'])(
		'refuses credentials in %s without repeating them',
		(value) => {
			const error = refusal(() => checkRemoteBase(value, 'settings.gitRemoteBase'));
			expect(error.field).toBe('settings.gitRemoteBase');
			expect(error.message).toMatch(/credentials/);
			expect(error.message).not.toMatch(/secret|token@|pw@/);
		},
	);

	it('names whatever field it is given', () => {
		expect(refusal(() => checkRemoteBase('ext::x', 'GIT_REMOTE_BASE')).field).toBe('GIT_REMOTE_BASE');
	});
});

describe('checkRunSettings', () => {
	it('turns missing settings into empty ones', () => {
		expect(checkRunSettings(undefined, config())).toEqual({});
	});

	it('returns acceptable settings unchanged', () => {
		const settings = { gitRemoteBase: 'https://git.example.com/clients', maxFixAttempts: 2 };
		expect(checkRunSettings(settings, config({ gitRemoteBase: 'https://git.example.com/clients' }))).toBe(settings);
	});

	it('refuses an unsafe gitRemoteBase naming settings.gitRemoteBase', () => {
		const error = refusal(() => checkRunSettings({ gitRemoteBase: '-oProxyCommand=x' }, config({ gitRemoteBase: '/srv/git' })));
		expect(error.field).toBe('settings.gitRemoteBase');
		expect(error.message).toMatch(/^settings\.gitRemoteBase: /);
	});

	it('refuses credentials in an https gitRemoteBase', () => {
		const error = refusal(() => checkRunSettings({ gitRemoteBase: 'https://user:pass@git.example.com/x' }, config({ gitRemoteBase: 'https://git.example.com' })));
		expect(error.field).toBe('settings.gitRemoteBase');
		expect(error.message).toMatch(/credentials/);
	});

	it('prefixes the field with the name it is given', () => {
		expect(refusal(() => checkRunSettings({ gitRemoteBase: 'ext::x' }, config({ gitRemoteBase: '/srv/git' }), 'body.settings')).field).toBe('body.settings.gitRemoteBase');
	});
});

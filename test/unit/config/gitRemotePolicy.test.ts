import { loadConfig, type ServiceConfig } from '../../../runtime/config/environment';
import { allowedRemoteBases, checkRunSettings, effectiveSettings } from '../../../runtime/config/projectSettings';
import { InvalidInputError } from '../../../runtime/errors';
import { publishProject } from '../../../runtime/pipeline/publishProject';
import type { Project } from '../../../runtime/contracts/project';

function config(env: NodeJS.ProcessEnv = {}): ServiceConfig {
	return loadConfig(env);
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

describe('a request\'s settings.gitRemoteBase is accepted only inside what the operator allows', () => {
	it('is refused when the operator set neither GIT_REMOTE_BASE nor GIT_REMOTE_ALLOW, naming the field and what to set', () => {
		const error = refusal(() => checkRunSettings({ gitRemoteBase: '/srv/git' }, config()));
		expect(error.field).toBe('settings.gitRemoteBase');
		expect(error.message).toMatch(/^settings\.gitRemoteBase: .*allows no remote chosen by a request.*GIT_REMOTE_BASE or GIT_REMOTE_ALLOW/);
	});

	it.each([
		['/etc/ai-probe'],
		['file:///tmp/../etc'],
		['file:///srv/git/../../etc'],
		['/srv/git/%2e%2e/etc'],
		['/srv/git-evil'],
		['ssh://-oProxyCommand=x/y'],
		['git@git.example.com:clients'],
	])('refuses %s under GIT_REMOTE_BASE=/srv/git, naming settings.gitRemoteBase', (value) => {
		const error = refusal(() => checkRunSettings({ gitRemoteBase: value }, config({ GIT_REMOTE_BASE: '/srv/git' })));
		expect(error.field).toBe('settings.gitRemoteBase');
	});

	it('says which bases the operator allows', () => {
		const error = refusal(() => checkRunSettings({ gitRemoteBase: '/etc/ai-probe' }, config({ GIT_REMOTE_BASE: '/srv/git', GIT_REMOTE_ALLOW: 'ssh://git@git.example.com/clients' })));
		expect(error.message).toContain('(/srv/git, ssh://git@git.example.com/clients)');
	});

	it.each([
		['GIT_REMOTE_BASE itself', '/srv/git'],
		['a folder under GIT_REMOTE_BASE', '/srv/git/team-a'],
		['the same folder as a file:// URL', 'file:///srv/git/team-a'],
		['a base of GIT_REMOTE_ALLOW', 'https://git.example.com/acme'],
		['a folder under a base of GIT_REMOTE_ALLOW', 'ssh://git@git.example.com/clients/acme'],
	])('accepts %s', (_, value) => {
		const settings = { gitRemoteBase: value };
		expect(checkRunSettings(settings, config({ GIT_REMOTE_BASE: '/srv/git', GIT_REMOTE_ALLOW: 'ssh://git@git.example.com/clients, https://git.example.com/acme/' }))).toBe(settings);
	});

	it('accepts a remote under GIT_REMOTE_ALLOW when GIT_REMOTE_BASE is unset', () => {
		expect(checkRunSettings({ gitRemoteBase: '/var/repos/acme' }, config({ GIT_REMOTE_ALLOW: '/var/repos' }))).toEqual({ gitRemoteBase: '/var/repos/acme' });
	});

	it('leaves settings without a gitRemoteBase alone when the operator allows none', () => {
		expect(checkRunSettings({ maxFixAttempts: 2 }, config())).toEqual({ maxFixAttempts: 2 });
	});
});

describe('GIT_REMOTE_ALLOW and GIT_REMOTE_BASE: the operator\'s bases are trusted, but their shape is checked', () => {
	it('reads GIT_REMOTE_ALLOW as comma-separated bases, without trailing slashes', () => {
		expect(config({ GIT_REMOTE_ALLOW: ' /var/repos/ ,ssh://git@git.example.com/clients,' }).gitRemoteAllow).toEqual(['/var/repos', 'ssh://git@git.example.com/clients']);
		expect(allowedRemoteBases(config({ GIT_REMOTE_BASE: '/srv/git', GIT_REMOTE_ALLOW: '/var/repos' }))).toEqual(['/srv/git', '/var/repos']);
	});

	it.each([
		['GIT_REMOTE_BASE', 'ssh://-oProxyCommand=x/y'],
		['GIT_REMOTE_BASE', 'ssh://%2DoProxyCommand=x/y'],
		['GIT_REMOTE_BASE', '/srv/../git'],
		['GIT_REMOTE_BASE', 'file:///srv/%2e%2e/git'],
		['GIT_REMOTE_ALLOW', '/var/repos,ssh://-oProxyCommand=x/y'],
		['GIT_REMOTE_ALLOW', '/var/repos/../etc'],
		['GIT_REMOTE_ALLOW', 'git@github.com:acme'],
		['GIT_REMOTE_ALLOW', ' , '],
	])('refuses %s=%s at start-up, naming the variable', (name, value) => {
		expect(refusal(() => config({ [name]: value })).field).toBe(name);
	});
});

describe('a project stored with a remote the operator does not allow fails its publish, writing nothing', () => {
	const project = { id: 'p1', title: 'P', tasks: {} } as unknown as Project;

	it.each([['/etc/ai-probe'], ['file:///tmp/../etc'], ['ssh://-oProxyCommand=x/y']])('gives %s a refused publish target', (value) => {
		const settings = effectiveSettings(config({ GIT_REMOTE_BASE: '/srv/git' }), 'p1', { gitRemoteBase: value });
		expect(settings.publishTarget).toMatchObject({ kind: 'refused', field: 'settings.gitRemoteBase' });
	});

	it('refuses it again when the operator has since unset every base', () => {
		expect(effectiveSettings(config(), 'p1', { gitRemoteBase: '/srv/git' }).publishTarget).toMatchObject({ kind: 'refused', problem: expect.stringMatching(/allows no remote/) });
	});

	it('publishes to an allowed remote as before', () => {
		expect(effectiveSettings(config({ GIT_REMOTE_BASE: '/srv/git' }), 'p1', { gitRemoteBase: '/srv/git/team/' }).publishTarget).toEqual({ kind: 'git', url: '/srv/git/team/p1.git' });
	});

	it('fails publishProject for good (an InvalidInputError naming the field) before anything is built or pushed', async () => {
		const target = effectiveSettings(config({ GIT_REMOTE_BASE: '/srv/git' }), 'p1', { gitRemoteBase: '/etc/ai-probe' }).publishTarget!;
		await expect(publishProject(project, target)).rejects.toMatchObject({ name: 'InvalidInputError', field: 'settings.gitRemoteBase', message: expect.stringMatching(/operator allows/) });
	});
});

import { hasOptionLikeSshHost, parseRemote, remoteRefusal, remoteWithin, RemoteProblem } from '../../../runtime/workspace/remotes';

function problemOf(value: string): string {
	try {
		parseRemote(value);
	} catch (error) {
		if (error instanceof RemoteProblem) return error.problem;
		throw error;
	}
	throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

describe('remoteRefusal: a request may choose a remote only inside what the operator allows', () => {
	const bases = ['/srv/git', 'ssh://git@git.example.com/clients', 'https://git.example.com:8443/acme'];

	it.each([
		['the base itself', '/srv/git'],
		['the base with a trailing slash', '/srv/git/'],
		['a folder under the base', '/srv/git/team-a'],
		['a folder under the base with doubled slashes and "." segments', '/srv//git/./team-a//'],
		['a file:// URL of a folder under the base', 'file:///srv/git/team-a'],
		['a percent-encoded file:// URL under the base', 'file:///srv/git/team%20a'],
		['an ssh URL under an ssh base', 'ssh://git@git.example.com/clients/acme'],
		['an ssh URL whose host differs only in case', 'ssh://git@GIT.example.com/clients/acme'],
		['an ssh URL with the default port written out', 'ssh://git@git.example.com:22/clients/acme'],
		['an https URL on the same non-default port', 'https://git.example.com:8443/acme/team'],
	])('accepts %s', (_, value) => {
		expect(remoteRefusal(value, bases)).toBeNull();
	});

	it.each([
		['a path outside every base', '/etc/ai-probe'],
		['a sibling whose name starts with the base\'s', '/srv/git-evil'],
		['a sibling written as a file:// URL', 'file:///srv/git-evil/x'],
		['the parent of the base', '/srv'],
		['a path whose raw reading leaves the base (%2f is no separator in a path)', '/srv/git%2fevil'],
		['another ssh host', 'ssh://git@evil.example.com/clients/acme'],
		['another ssh user', 'ssh://root@git.example.com/clients/acme'],
		['another ssh port', 'ssh://git@git.example.com:2222/clients/acme'],
		['a sibling path on the ssh host', 'ssh://git@git.example.com/clients-evil'],
		['http instead of https', 'http://git.example.com:8443/acme/team'],
		['https on the default port instead of 8443', 'https://git.example.com/acme/team'],
		['a URL for a path base', 'https://srv/git/x'],
	])('refuses %s, naming what the operator allows', (_, value) => {
		const problem = remoteRefusal(value, bases);
		expect(problem).toMatch(/must be one of the remote bases the operator allows, or under one/);
		expect(problem).toContain('/srv/git, ssh://git@git.example.com/clients, https://git.example.com:8443/acme');
	});

	it.each([
		['/srv/git/../../etc'],
		['/srv/git/team/../team'],
		['file:///tmp/../etc'],
		['file:///srv/git/%2e%2e/%2e%2e/etc'],
		['file:///srv/git/%2E%2E'],
		['file:///srv/git/%252e%252e/etc'],
		['/srv/git/%2e%2e/x'],
		['ssh://git@git.example.com/clients/../other'],
		['https://git.example.com:8443/acme/%2e%2e/x'],
	])('refuses %s: any ".." segment, in any spelling, even one that would end inside', (value) => {
		expect(remoteRefusal(value, bases)).toMatch(/must not contain a "\.\." segment/);
	});

	it.each([
		['ssh://-oProxyCommand=x/y'],
		['ssh://%2DoProxyCommand=x/y'],
		['ssh://git@-oProxyCommand=x/y'],
		['ssh://-oProxyCommand=x@git.example.com/y'],
		['ssh://git@git.example.com:-1/y'],
	])('refuses %s: an ssh user, host or port ssh would read as an option', (value) => {
		expect(remoteRefusal(value, bases)).toMatch(/beginning with "-", which ssh would read as an option/);
	});

	it.each(['git@git.example.com:clients/acme', '-oProxyCommand=x:y', 'relative/path', 'ext::sh -c x', ''])('refuses %j, a shape the service does not push to', (value) => {
		expect(remoteRefusal(value, bases)).toMatch(/must be an http\(s\):\/\/, ssh:\/\/, file:\/\/ URL or an absolute path/);
	});

	it('refuses every remote when the operator allows none, and says how to allow one', () => {
		const problem = remoteRefusal('/srv/git/team-a', []);
		expect(problem).toMatch(/allows no remote chosen by a request/);
		expect(problem).toMatch(/GIT_REMOTE_BASE or GIT_REMOTE_ALLOW/);
	});

	it('accepts a remote under any one of the allowed bases', () => {
		expect(remoteRefusal('/var/repos/x', ['/srv/git', '/var/repos'])).toBeNull();
	});
});

describe('parseRemote: the shape of a remote', () => {
	it('reads a file:// URL and an absolute path as the same place', () => {
		expect(remoteWithin(parseRemote('file:///srv/git/a'), parseRemote('/srv/git'))).toBe(true);
		expect(remoteWithin(parseRemote('/srv/git/a'), parseRemote('file:///srv/git'))).toBe(true);
	});

	it.each([
		['a file:// URL with a host', 'file://evil/srv/git', /has no host/],
		['a file:// URL naming localhost', 'file://localhost/srv/git', /has no host/],
		['an ssh URL without a host', 'ssh:///srv/git', /has no host/],
		['a bad percent-escape', 'file:///srv/git/%zz', /not a percent-escape/],
		['a NUL byte once decoded', 'file:///srv/git/a%00b', /control character/],
		['a query', 'https://git.example.com/acme?x=1', /query or fragment/],
		['a port that is not a number', 'https://git.example.com:http/acme', /port that is not a number/],
		['a host with characters no host has', 'https://git.example.com%2f@x/acme', /credentials/],
		['a host with characters no host has, percent-encoded', 'https://git%2fexample.com/acme', /neither a name nor an address/],
		['credentials in an https URL', 'https://user:secret@git.example.com/x', /credentials/],
		['a password in an ssh URL', 'ssh://git:secret@git.example.com/x', /credentials/],
		['a control character', '/srv/git/\x01', /must be an http/],
	])('refuses %s', (_, value, expected) => {
		expect(problemOf(value)).toMatch(expected);
	});

	it('keeps an IPv6 host in brackets', () => {
		expect(parseRemote('ssh://git@[::1]:22/clients')).toMatchObject({ kind: 'url', host: '[::1]', port: '22', user: 'git' });
	});
});

describe('hasOptionLikeSshHost: ssh targets refused by the service itself, not left to git', () => {
	it.each(['ssh://-oProxyCommand=x/y', 'ssh://%2doProxyCommand=x/y', 'ssh://git@-oProxyCommand=x/y', '-oProxyCommand=x:y', 'git@-oProxyCommand=x:y'])('finds %s', (url) => {
		expect(hasOptionLikeSshHost(url)).toBe(true);
	});

	it.each(['ssh://git@git.example.com/x', 'git@github.com:acme/x.git', '/srv/git/a:b', 'file:///srv/git', 'https://git.example.com/-x'])('leaves %s alone', (url) => {
		expect(hasOptionLikeSshHost(url)).toBe(false);
	});
});

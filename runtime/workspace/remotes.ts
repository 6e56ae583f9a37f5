// What the service accepts as a place to push to, and whether a remote lies inside a base the
// operator allows. One reading of a remote for every check: the API's (a request's
// settings.gitRemoteBase), the start-up's (GIT_REMOTE_BASE, GIT_REMOTE_ALLOW) and the push's.

import { AiCompanyError } from '../errors';

/**
 * A remote as the service compares it. `paths` holds the remote's path as segments (no empty or "."
 * segment), once for every way it may be read: a URL's path percent-decoded (git decodes URLs), an
 * absolute path as written and, when it holds percent-escapes, also decoded.
 */
export type RemoteLocation =
	| { kind: 'local'; paths: string[][] }
	| { kind: 'url'; scheme: 'ssh' | 'http' | 'https'; user: string; host: string; port: string; paths: string[][] };

/**
 * What is wrong with a remote, without the field name: the caller names the field (an
 * InvalidInputError). Bad input, never retried.
 */
export class RemoteProblem extends AiCompanyError {
	constructor(readonly problem: string) {
		super(problem);
		this.name = 'RemoteProblem';
	}

	get kind(): string {
		return 'invalid_input';
	}

	get httpStatus(): number {
		return 400;
	}

	get retryable(): boolean {
		return false;
	}
}

export const REMOTE_SHAPES = 'must be an http(s)://, ssh://, file:// URL or an absolute path';

const SHAPE = /^(https?:\/\/|ssh:\/\/|file:\/\/|\/)\S*$/i;
const CONTROL = /[\x00-\x1f\x7f]/;
const URL_FORM = /^([a-z]+):\/\/([^/]*)(.*)$/i;
const AUTHORITY = /^(?:([^@]*)@)?(\[[^\]]*\]|[^:]*)(?::(.*))?$/;
/** A host name or IPv4 address, or an IPv6 address in brackets (one beginning with "-" is refused before, with its reason). */
const HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9._~-]+)$/;
const DEFAULT_PORTS: Record<string, string> = { ssh: '22', http: '80', https: '443' };

/**
 * Reads a remote (base) and refuses every shape the service does not push to: anything but
 * http(s)://, ssh://, file:///… URLs and absolute paths (so no `-option`, `ext::` helper or
 * scp-like `host:path`), credentials, a `..` segment (in any spelling, even one that would end
 * inside), a `?` or `#` in a URL, a bad percent-escape, and an ssh user, host or port that ssh
 * could read as an option (`ssh://-oProxyCommand=…`).
 */
export function parseRemote(value: string): RemoteLocation {
	if (typeof value !== 'string' || !SHAPE.test(value) || CONTROL.test(value)) throw new RemoteProblem(`${REMOTE_SHAPES}, got ${JSON.stringify(value)}`);
	if (value.startsWith('/')) {
		const decoded = tryDecode(value);
		return { kind: 'local', paths: unique([segments(value, value), ...(decoded === null ? [] : [segments(decoded, value)])]) };
	}
	const [, rawScheme, authority, rest] = URL_FORM.exec(value)!;
	const scheme = rawScheme.toLowerCase();
	if (authority.includes('@') && !(scheme === 'ssh' && /^[^:@]+@[^@]*$/.test(authority))) {
		throw new RemoteProblem('must not carry credentials: use GITHUB_TOKEN, or an ssh key');
	}
	if (/[?#]/.test(rest)) throw new RemoteProblem(`must not have a query or fragment ("?" or "#"), got ${JSON.stringify(value)}`);
	if (rest !== '' && !rest.startsWith('/')) throw new RemoteProblem(`${REMOTE_SHAPES}, got ${JSON.stringify(value)}`);
	const path = decode(rest, value);
	if (scheme === 'file') {
		if (authority !== '') throw new RemoteProblem(`a file:// URL names a folder on this machine and has no host: file:///srv/git, got ${JSON.stringify(value)}`);
		return { kind: 'local', paths: [segments(path, value, rest)] };
	}
	const [, rawUser = '', rawHost = '', rawPort = ''] = AUTHORITY.exec(authority) ?? [];
	const user = decode(rawUser, value);
	const host = decode(rawHost, value).toLowerCase();
	const port = decode(rawPort, value);
	if (!host) throw new RemoteProblem(`has no host, got ${JSON.stringify(value)}`);
	for (const [part, text] of [['user', user], ['host', host], ['port', port]] as const) {
		if (text.startsWith('-')) throw new RemoteProblem(`has a ${part} beginning with "-", which ssh would read as an option: ${JSON.stringify(value)}`);
	}
	if (!HOST.test(host)) throw new RemoteProblem(`has a host that is neither a name nor an address, got ${JSON.stringify(value)}`);
	if (port !== '' && !/^\d{1,5}$/.test(port)) throw new RemoteProblem(`has a port that is not a number, got ${JSON.stringify(value)}`);
	return { kind: 'url', scheme: scheme as 'ssh' | 'http' | 'https', user, host, port: port === '' ? DEFAULT_PORTS[scheme] : String(Number(port)), paths: [segments(path, value, rest)] };
}

/**
 * Whether `remote` is `base` or lies under it: for paths segment by segment (`/srv/git-evil` is not
 * under `/srv/git`), for URLs also the same scheme, user, host and port. Every reading of the
 * remote must be under a reading of the base.
 */
export function remoteWithin(remote: RemoteLocation, base: RemoteLocation): boolean {
	if (remote.kind !== base.kind) return false;
	if (remote.kind === 'url' && base.kind === 'url') {
		if (remote.scheme !== base.scheme || remote.user !== base.user || remote.host !== base.host || remote.port !== base.port) return false;
	}
	return remote.paths.every((path) => base.paths.some((prefix) => prefix.length <= path.length && prefix.every((segment, i) => segment === path[i])));
}

/**
 * The one check of a remote a request chose: its shape (parseRemote), then that it is one of the
 * operator's `allowedBases` or under one. Returns what is wrong, or null when it may be pushed to.
 */
export function remoteRefusal(value: string, allowedBases: readonly string[]): string | null {
	let remote: RemoteLocation;
	try {
		remote = parseRemote(value);
	} catch (error) {
		if (error instanceof RemoteProblem) return error.problem;
		throw error;
	}
	if (!allowedBases.length) {
		return 'is not accepted: the operator of this service allows no remote chosen by a request (set GIT_REMOTE_BASE or GIT_REMOTE_ALLOW on the service, or leave settings.gitRemoteBase out)';
	}
	if (allowedBases.some((base) => remoteWithin(remote, parseRemote(base)))) return null;
	return `must be one of the remote bases the operator allows, or under one (${allowedBases.join(', ')}), got ${JSON.stringify(value)}`;
}

/** True for an ssh remote, as a URL or scp-like (`user@host:path`), whose user or host begins with "-". */
export function hasOptionLikeSshHost(url: string): boolean {
	const ssh = /^ssh:\/\/([^/]*)/i.exec(url);
	const authority = ssh ? ssh[1] : /^[^/:]*:/.test(url) && !url.includes('://') ? url.slice(0, url.indexOf(':')) : null;
	if (authority === null) return false;
	const decoded = ssh ? (tryDecode(authority) ?? authority) : authority;
	return decoded.split('@').some((part) => part.startsWith('-'));
}

function decode(text: string, whole: string): string {
	const decoded = tryDecode(text);
	if (decoded === null) throw new RemoteProblem(`has a "%" that is not a percent-escape such as %20, got ${JSON.stringify(whole)}`);
	if (CONTROL.test(decoded)) throw new RemoteProblem(`has a control character once percent-decoded, got ${JSON.stringify(whole)}`);
	return decoded;
}

function tryDecode(text: string): string | null {
	try {
		return decodeURIComponent(text);
	} catch {
		return null;
	}
}

/**
 * The path's segments without empty and "." ones. A ".." segment is refused in the path, as written
 * (`raw`) and decoded once more (`%252e%252e`), even where it would end inside: through a symbolic
 * link ".." is not the parent the text shows.
 */
function segments(path: string, whole: string, raw = path): string[] {
	const parts = path.split('/').filter((part) => part !== '' && part !== '.');
	if ([path, raw, tryDecode(path) ?? path].some((text) => text.split('/').includes('..'))) {
		throw new RemoteProblem(`must not contain a ".." segment (in any spelling): write the path without it, got ${JSON.stringify(whole)}`);
	}
	return parts;
}

function unique(paths: string[][]): string[][] {
	return paths.filter((path, i) => paths.findIndex((other) => other.join('/') === path.join('/')) === i);
}

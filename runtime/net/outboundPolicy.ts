import { BlockList, isIP, isIPv6 } from 'node:net';

import { InvalidInputError } from '../errors';

/**
 * What the operator opens with OUTBOUND_ALLOW despite the refused ranges: addresses and networks
 * (CIDRs, IPv4 and IPv6) and host names (exact, or `*.example.com` for any name under it).
 */
export interface OutboundAllow {
	/** The entries as the operator wrote them, for messages. */
	readonly entries: readonly string[];
	readonly addresses: BlockList;
	/** Lower case, without a trailing dot. */
	readonly names: readonly string[];
	/** `.example.com` for `*.example.com`. */
	readonly suffixes: readonly string[];
}

/**
 * Why an address is refused unless allowed: every range a request from the service must not reach
 * by default (the host itself, its networks, cloud metadata at 169.254.169.254, …). IPv6 forms that
 * carry an IPv4 address (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16, the old
 * IPv4-compatible ::a.b.c.d) are judged as that IPv4 address.
 */
const REFUSED_RANGES: ReadonlyArray<{ range: string; cidrs: readonly string[] }> = [
	{ range: 'unspecified', cidrs: ['0.0.0.0/8', '::/128'] },
	{ range: 'loopback', cidrs: ['127.0.0.0/8', '::1/128'] },
	{ range: 'private', cidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', 'fec0::/10', '64:ff9b:1::/48'] },
	{ range: 'shared (CGNAT)', cidrs: ['100.64.0.0/10'] },
	{ range: 'link-local', cidrs: ['169.254.0.0/16', 'fe80::/10'] },
	{ range: 'multicast', cidrs: ['224.0.0.0/4', 'ff00::/8'] },
	{ range: 'reserved or broadcast', cidrs: ['240.0.0.0/4'] },
];

const RANGE_LISTS = REFUSED_RANGES.map(({ range, cidrs }) => {
	const list = new BlockList();
	for (const cidr of cidrs) addCidr(list, cidr);
	return { range, list };
});

/** Every default-refused range, as CIDRs (for --help and the README). */
export const REFUSED_CIDRS: readonly string[] = REFUSED_RANGES.flatMap((r) => r.cidrs);

/** A URL parser reads a host whose last label is a number (127.1, 0x7f.1) as an IPv4 address. */
const NUMERIC_LAST_LABEL = /(^|\.)(\d+|0x[0-9a-f]*)\.?$/i;
const HOST_NAME = /^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.?$/i;

/**
 * Reads OUTBOUND_ALLOW: comma-separated CIDRs (`10.0.0.0/8`, `fd00::/8`), addresses (`127.0.0.1`,
 * `::1`) and host names (`n8n`, `*.example.com`). Anything else stops the service at start,
 * naming the entry.
 */
export function parseOutboundAllow(value: string, variable = 'OUTBOUND_ALLOW'): OutboundAllow {
	const entries = value
		.split(',')
		.map((entry) => entry.trim())
		.filter(Boolean);
	const addresses = new BlockList();
	const names: string[] = [];
	const suffixes: string[] = [];
	for (const entry of entries) {
		const bare = entry.replace(/^\[(.*)\]$/, '$1');
		if (bare.includes('/')) {
			if (!addCidr(addresses, bare)) throw new InvalidInputError(variable, `${JSON.stringify(entry)} is not a CIDR such as 10.0.0.0/8 or fd00::/8`);
		} else if (isIP(bare)) {
			addresses.addAddress(bare, isIPv6(bare) ? 'ipv6' : 'ipv4');
		} else if (HOST_NAME.test(entry) && !NUMERIC_LAST_LABEL.test(entry)) {
			const name = entry.toLowerCase().replace(/\.$/, '');
			if (name.startsWith('*.')) suffixes.push(name.slice(1));
			else names.push(name);
		} else {
			throw new InvalidInputError(variable, `${JSON.stringify(entry)} is neither an address, a CIDR (10.0.0.0/8, fd00::/8) nor a host name (n8n, *.example.com); write addresses in the usual notation`);
		}
	}
	return { entries, addresses, names, suffixes };
}

/** Nothing opened: every default-refused range stays refused. */
export const NOTHING_ALLOWED: OutboundAllow = parseOutboundAllow('');

/** A CIDR into the list; false when it is not one. */
function addCidr(list: BlockList, cidr: string): boolean {
	const [address, bits, ...rest] = cidr.split('/');
	const family = isIP(address);
	const max = family === 6 ? 128 : 32;
	if (!family || rest.length || !/^\d{1,3}$/.test(bits) || Number(bits) > max) return false;
	list.addSubnet(address, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
	return true;
}

/** A host name the operator allowed by name (whatever it resolves to). */
export function isAllowedName(hostname: string, allow: OutboundAllow): boolean {
	const name = hostname.toLowerCase().replace(/\.$/, '');
	return allow.names.includes(name) || allow.suffixes.some((suffix) => name.endsWith(suffix) && name.length > suffix.length);
}

/**
 * Why the service may not connect to `address` (an IP address as a resolver or a URL gives it),
 * e.g. "127.0.0.1 is a loopback address"; null when it may: outside every refused range, or
 * opened by OUTBOUND_ALLOW.
 */
export function addressRefusal(address: string, allow: OutboundAllow): string | null {
	const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
	const family = isIP(bare);
	if (!family) return `${JSON.stringify(address)} is not an IP address`;
	const ipv4 = family === 6 ? embeddedIPv4(bare) : null;
	if (allow.addresses.check(bare, family === 6 ? 'ipv6' : 'ipv4') || (ipv4 !== null && allow.addresses.check(ipv4, 'ipv4'))) return null;
	const own = refusedRangeOf(bare, family === 6 ? 'ipv6' : 'ipv4');
	if (own) return `${bare} is ${article(own)} ${own} address`;
	const carried = ipv4 === null ? null : refusedRangeOf(ipv4, 'ipv4');
	if (carried) return `${bare} carries ${ipv4}, ${article(carried)} ${carried} address`;
	return null;
}

function refusedRangeOf(address: string, family: 'ipv4' | 'ipv6'): string | null {
	return RANGE_LISTS.find(({ list }) => list.check(address, family))?.range ?? null;
}

function article(range: string): string {
	return /^[aeiou]/.test(range) ? 'an' : 'a';
}

/**
 * The IPv4 address an IPv6 address carries, judged in its place: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::…).
 */
export function embeddedIPv4(address: string): string | null {
	const g = ipv6Groups(address);
	const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
	const ipv4 = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
	if (zeros(0, 5) && g[5] === 0xffff) return ipv4(g[6], g[7]);
	if (zeros(0, 6) && (g[6] !== 0 || g[7] > 1)) return ipv4(g[6], g[7]);
	if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return ipv4(g[6], g[7]);
	if (g[0] === 0x2002) return ipv4(g[1], g[2]);
	return null;
}

/** The eight 16-bit groups of a valid IPv6 address (isIPv6 said so). */
function ipv6Groups(address: string): number[] {
	let text = address.toLowerCase();
	const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
	if (dotted) {
		const [a, b, c, d] = dotted.slice(1).map(Number);
		text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
	}
	const [head, tail] = text.split('::');
	const first = head ? head.split(':') : [];
	const last = tail ? tail.split(':') : [];
	const groups = tail === undefined ? first : [...first, ...Array<string>(8 - first.length - last.length).fill('0'), ...last];
	return groups.map((group) => parseInt(group, 16));
}

/**
 * A refused target: an address outside what the operator allows, a URL that is not http(s), or a
 * name that resolves only to refused addresses. Bad input, never retried; `field` names where the
 * URL came from.
 */
export class OutboundRefusedError extends InvalidInputError {
	constructor(
		field: string,
		readonly url: string,
		readonly reason: string,
	) {
		super(field, `${JSON.stringify(url)} is refused: ${reason}; the service sends requests only where its operator allows (OUTBOUND_ALLOW)`);
		this.name = 'OutboundRefusedError';
	}
}

/**
 * Checks a URL the service is asked to send requests to, when it is registered (and again before
 * each delivery): only http: and https:, and a host that is an IP literal in a refused range is
 * refused now, in whatever spelling it came (2130706433, 0177.0.0.1, 0x7f.1, 127.1 and
 * [::ffff:127.0.0.1] are all 127.0.0.1 to the WHATWG URL parser). A host name is judged when it
 * is resolved, at connect time (runtime/net/policyDispatcher.ts).
 */
export function checkOutboundUrl(value: string, field: string, allow: OutboundAllow = NOTHING_ALLOWED): URL {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new InvalidInputError(field, `is not a URL: ${JSON.stringify(value)}`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundRefusedError(field, value, `only http: and https: URLs are called, not ${url.protocol}`);
	if (!url.hostname) throw new InvalidInputError(field, `has no host: ${JSON.stringify(value)}`);
	const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
	if (isIP(host)) {
		const refusal = addressRefusal(host, allow);
		if (refusal) throw new OutboundRefusedError(field, value, refusal);
	}
	return url;
}

/** The URLs of a project's settings that the service will POST to, each checked under its field name. */
export function checkOutboundSettings(settings: { callbackUrl?: string; deployHookUrl?: string }, allow: OutboundAllow = NOTHING_ALLOWED, field = 'settings'): void {
	if (settings.callbackUrl !== undefined) checkOutboundUrl(settings.callbackUrl, `${field}.callbackUrl`, allow);
	if (settings.deployHookUrl !== undefined) checkOutboundUrl(settings.deployHookUrl, `${field}.deployHookUrl`, allow);
}

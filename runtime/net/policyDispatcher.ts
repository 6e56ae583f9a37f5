import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

import { Agent, buildConnector } from 'undici';

import { addressRefusal, isAllowedName, NOTHING_ALLOWED, OutboundRefusedError, type OutboundAllow } from './outboundPolicy';

/** dns.lookup's shape, as net.connect calls the `lookup` it is given. */
export type Lookup = (hostname: string, options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemLookup: Lookup = (hostname, options, callback) => dnsLookup(hostname, options, callback);

type NetLookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A resolver for net.connect that hands on only the addresses the policy allows: the check is on
 * what the connection will really use, at connect time, so a name that resolves (or is rebound) to
 * a refused address cannot reach it. A name the operator allowed by name keeps all its addresses.
 */
export function checkedLookup(allow: OutboundAllow, lookup: Lookup = systemLookup) {
	return (hostname: string, options: LookupOptions | number | undefined, callback: NetLookupCallback): void => {
		const given: LookupOptions = typeof options === 'object' ? options : typeof options === 'number' ? { family: options } : {};
		lookup(hostname, { ...given, all: true }, (error, addresses) => {
			if (error) return callback(error, []);
			const kept = isAllowedName(hostname, allow) ? addresses : addresses.filter((a) => addressRefusal(a.address, allow) === null);
			if (!kept.length) {
				const why = addresses.map((a) => addressRefusal(a.address, allow)).join('; ') || 'no address';
				return callback(new OutboundRefusedError('url', hostname, `${hostname} resolves only to refused addresses (${why})`) as NodeJS.ErrnoException, []);
			}
			if (given.all) return callback(null, kept);
			callback(null, kept[0].address, kept[0].family);
		});
	};
}

/**
 * The dispatcher every request the service sends to a client's URL goes through: connects only to
 * addresses the policy allows (an IP literal is judged here, a name by what it resolves to), and
 * with undici's `request` follows no redirects (a 3xx is the answer).
 */
export function policyAgent(allow: OutboundAllow, options: { lookup?: Lookup; connectTimeoutMs?: number } = {}): Agent {
	const connector = buildConnector({ timeout: options.connectTimeoutMs ?? 10_000, lookup: checkedLookup(allow, options.lookup) });
	return new Agent({
		connect: (connectOptions, callback) => {
			// net.connect does not resolve an IP literal, so it never reaches the lookup above.
			const refusal = isIP(connectOptions.hostname) ? addressRefusal(connectOptions.hostname, allow) : null;
			if (refusal) return callback(new OutboundRefusedError('url', connectOptions.hostname, refusal), null);
			connector(connectOptions, callback);
		},
	});
}

const agents = new WeakMap<OutboundAllow, Agent>();

/** One policy dispatcher per allow-list (per process, in practice). */
export function outboundDispatcher(allow: OutboundAllow = NOTHING_ALLOWED): Agent {
	let agent = agents.get(allow);
	if (!agent) {
		agent = policyAgent(allow);
		agents.set(allow, agent);
	}
	return agent;
}

/** The policy's refusal behind an error from undici, if that is what it is. */
export function refusalIn(error: unknown): OutboundRefusedError | null {
	for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
		if (e instanceof OutboundRefusedError) return e;
	}
	return null;
}

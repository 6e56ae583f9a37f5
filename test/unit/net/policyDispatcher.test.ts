// The dispatcher that every request to a client's URL goes through: it judges the address a
// connection really uses (after DNS), so a name resolving to a refused address cannot reach it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { request } from 'undici';

import { NOTHING_ALLOWED, OutboundRefusedError, parseOutboundAllow, type OutboundAllow } from '../../../runtime/net/outboundPolicy';
import { policyAgent, refusalIn, type Lookup } from '../../../runtime/net/policyDispatcher';

let server: Server;
let port: number;
let hits: string[];

beforeAll(async () => {
	server = createServer((req, res) => {
		hits.push(req.url ?? '');
		if (req.url === '/redirect') res.writeHead(302, { location: `http://127.0.0.1:${port}/target` }).end();
		else res.writeHead(204).end();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	port = (server.address() as AddressInfo).port;
});
beforeEach(() => {
	hits = [];
});
afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
});

/** A resolver that answers every name with these addresses (as a rebinding DNS server would). */
function resolvingTo(...addresses: string[]): Lookup {
	return (_hostname, _options, callback) => callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
}

async function post(url: string, allow: OutboundAllow, lookup?: Lookup): Promise<number> {
	const agent = policyAgent(allow, { lookup });
	try {
		const response = await request(url, { method: 'POST', body: '{}', dispatcher: agent });
		await response.body.dump();
		return response.statusCode;
	} finally {
		await agent.close();
	}
}

async function refusal(promise: Promise<unknown>): Promise<OutboundRefusedError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	const refused = refusalIn(error);
	if (!refused) throw new Error(`expected a refusal, got ${String(error)}`);
	return refused;
}

describe('policyAgent', () => {
	it('refuses an IP literal in a refused range before connecting', async () => {
		const refused = await refusal(post(`http://127.0.0.1:${port}/x`, NOTHING_ALLOWED));
		expect(refused.reason).toBe('127.0.0.1 is a loopback address');
		expect(hits).toEqual([]);
	});

	it('refuses IPv4-mapped IPv6 of a refused address', async () => {
		const refused = await refusal(post(`http://[::ffff:127.0.0.1]:${port}/x`, NOTHING_ALLOWED));
		expect(refused.reason).toContain('loopback');
		expect(hits).toEqual([]);
	});

	it('refuses a name that resolves to a refused address: localhost, by the system resolver', async () => {
		const refused = await refusal(post(`http://localhost:${port}/x`, NOTHING_ALLOWED));
		expect(refused.reason).toMatch(/^localhost resolves only to refused addresses \(.*127\.0\.0\.1 is a loopback address/);
		expect(hits).toEqual([]);
	});

	it('refuses a public-looking name that a resolver points at a refused address (DNS rebinding)', async () => {
		const refused = await refusal(post(`http://hooks.example.com:${port}/x`, NOTHING_ALLOWED, resolvingTo('169.254.169.254', '127.0.0.1')));
		expect(refused.reason).toContain('169.254.169.254 is a link-local address');
		expect(refused.reason).toContain('127.0.0.1 is a loopback address');
		expect(hits).toEqual([]);
	});

	it('connects only to the allowed addresses of a name that also resolves to refused ones', async () => {
		expect(await post(`http://hooks.example.com:${port}/x`, parseOutboundAllow('127.0.0.1'), resolvingTo('10.0.0.1', '127.0.0.1'))).toBe(204);
		expect(hits).toEqual(['/x']);
	});

	it('connects where OUTBOUND_ALLOW opens a CIDR', async () => {
		expect(await post(`http://127.0.0.1:${port}/cidr`, parseOutboundAllow('127.0.0.0/8'))).toBe(204);
		expect(hits).toEqual(['/cidr']);
	});

	it('connects to a name OUTBOUND_ALLOW opens, whatever it resolves to', async () => {
		expect(await post(`http://n8n:${port}/named`, parseOutboundAllow('n8n'), resolvingTo('127.0.0.1'))).toBe(204);
		expect(await post(`http://a.hooks.test:${port}/wild`, parseOutboundAllow('*.hooks.test'), resolvingTo('127.0.0.1'))).toBe(204);
		expect(hits).toEqual(['/named', '/wild']);
		await refusal(post(`http://n8n2:${port}/other`, parseOutboundAllow('n8n'), resolvingTo('127.0.0.1')));
	});

	it('follows no redirect: the 3xx is the answer, its target is never called', async () => {
		expect(await post(`http://127.0.0.1:${port}/redirect`, parseOutboundAllow('127.0.0.1'))).toBe(302);
		expect(hits).toEqual(['/redirect']);
	});
});

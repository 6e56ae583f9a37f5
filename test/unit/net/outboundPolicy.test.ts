// The outbound policy's address classification: which targets a request from the service may reach
// by default, in every spelling of an address, and what OUTBOUND_ALLOW opens.
import { environmentHelp, loadConfig } from '../../../runtime/config/environment';
import { InvalidInputError } from '../../../runtime/errors';
import { describeFailure } from '../../../runtime/failures';
import {
	addressRefusal,
	checkOutboundUrl,
	embeddedIPv4,
	isAllowedName,
	NOTHING_ALLOWED,
	OutboundRefusedError,
	parseOutboundAllow,
} from '../../../runtime/net/outboundPolicy';

describe('addressRefusal: the ranges refused by default', () => {
	it.each([
		['127.0.0.1', 'loopback'],
		['127.255.255.254', 'loopback'],
		['::1', 'loopback'],
		['169.254.169.254', 'link-local'],
		['fe80::1', 'link-local'],
		['10.1.2.3', 'private'],
		['172.16.0.1', 'private'],
		['172.31.255.255', 'private'],
		['192.168.1.1', 'private'],
		['fc00::1', 'private'],
		['fd12:3456::1', 'private'],
		['100.64.0.1', 'shared (CGNAT)'],
		['0.0.0.0', 'unspecified'],
		['0.1.2.3', 'unspecified'],
		['::', 'unspecified'],
		['224.0.0.1', 'multicast'],
		['239.255.255.250', 'multicast'],
		['ff02::1', 'multicast'],
		['255.255.255.255', 'reserved or broadcast'],
	])('refuses %s (%s)', (address, range) => {
		expect(addressRefusal(address, NOTHING_ALLOWED)).toContain(`${range} address`);
	});

	it.each([
		['::ffff:127.0.0.1', 'loopback'],
		['::ffff:7f00:1', 'loopback'],
		['::ffff:169.254.169.254', 'link-local'],
		['::ffff:10.0.0.1', 'private'],
		['64:ff9b::7f00:1', 'loopback'],
		['64:ff9b::a9fe:a9fe', 'link-local'],
		['2002:7f00:1::1', 'loopback'],
		['2002:c0a8:101::', 'private'],
		['::7f00:1', 'loopback'],
	])('judges the IPv4 address that %s carries (%s)', (address, range) => {
		expect(addressRefusal(address, NOTHING_ALLOWED)).toContain(`${range} address`);
	});

	it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::6810:84e5', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])('lets %s through', (address) => {
		expect(addressRefusal(address, NOTHING_ALLOWED)).toBeNull();
	});

	it('finds the IPv4 address inside mapped, compatible, NAT64 and 6to4 forms, and none in others', () => {
		expect(embeddedIPv4('::ffff:1.2.3.4')).toBe('1.2.3.4');
		expect(embeddedIPv4('::102:304')).toBe('1.2.3.4');
		expect(embeddedIPv4('64:ff9b::1.2.3.4')).toBe('1.2.3.4');
		expect(embeddedIPv4('2002:102:304:5::6')).toBe('1.2.3.4');
		expect(embeddedIPv4('::1')).toBeNull();
		expect(embeddedIPv4('::')).toBeNull();
		expect(embeddedIPv4('2001:db8::1')).toBeNull();
	});
});

describe('OUTBOUND_ALLOW', () => {
	it('opens an address, a CIDR (IPv4 and IPv6), and the IPv4-mapped form of an opened IPv4 address', () => {
		const allow = parseOutboundAllow(' 127.0.0.1 , 10.0.0.0/8,fd00::/8, [::1]');
		expect(addressRefusal('127.0.0.1', allow)).toBeNull();
		expect(addressRefusal('::ffff:127.0.0.1', allow)).toBeNull();
		expect(addressRefusal('127.0.0.2', allow)).toContain('loopback');
		expect(addressRefusal('10.200.3.4', allow)).toBeNull();
		expect(addressRefusal('192.168.0.1', allow)).toContain('private');
		expect(addressRefusal('fd00::5', allow)).toBeNull();
		expect(addressRefusal('fc00::5', allow)).toContain('private');
		expect(addressRefusal('::1', allow)).toBeNull();
		expect(allow.entries).toEqual(['127.0.0.1', '10.0.0.0/8', 'fd00::/8', '[::1]']);
	});

	it('opens host names: exact (any case, trailing dot) and *.domain for the names under it, not the domain itself', () => {
		const allow = parseOutboundAllow('n8n,*.hooks.example.com');
		expect(isAllowedName('n8n', allow)).toBe(true);
		expect(isAllowedName('N8N.', allow)).toBe(true);
		expect(isAllowedName('n8n2', allow)).toBe(false);
		expect(isAllowedName('a.hooks.example.com', allow)).toBe(true);
		expect(isAllowedName('b.a.hooks.example.com', allow)).toBe(true);
		expect(isAllowedName('hooks.example.com', allow)).toBe(false);
		expect(isAllowedName('evilhooks.example.com', allow)).toBe(false);
	});

	it('unset or empty opens nothing', () => {
		expect(parseOutboundAllow('').entries).toEqual([]);
		expect(parseOutboundAllow(' , ').entries).toEqual([]);
		expect(addressRefusal('127.0.0.1', parseOutboundAllow(''))).toContain('loopback');
	});

	it.each(['10.0.0.0/33', '::/129', '10.0.0.0/8/1', '2130706433', '0x7f.1', '127.1', 'http://n8n', 'n8n:5678', '*', 'a b', '10.0.0.0/x'])('refuses the entry %s, naming the variable', (entry) => {
		expect(() => parseOutboundAllow(entry)).toThrow(InvalidInputError);
		expect(() => parseOutboundAllow(entry)).toThrow(/^OUTBOUND_ALLOW: /);
	});
});

describe('checkOutboundUrl: a target refused when it is registered', () => {
	it.each([
		['http://127.0.0.1:6379/', 'loopback'],
		['http://2130706433/', 'loopback'],
		['http://0177.0.0.1/', 'loopback'],
		['http://0x7f.1/', 'loopback'],
		['http://127.1/', 'loopback'],
		['http://0x7f000001/', 'loopback'],
		['http://127.0.0.1./', 'loopback'],
		['http://%31%32%37.0.0.1/', 'loopback'],
		['http://[::1]:8000/', 'loopback'],
		['http://[::ffff:127.0.0.1]/', 'loopback'],
		['http://[0:0:0:0:0:ffff:7f00:1]/', 'loopback'],
		['http://169.254.169.254/latest/meta-data/', 'link-local'],
		['http://[fe80::1]/', 'link-local'],
		['https://10.0.0.5/hook', 'private'],
		['http://0/', 'unspecified'],
		['http://[::]/', 'unspecified'],
		['http://224.0.0.1/', 'multicast'],
		['http://255.255.255.255/', 'broadcast'],
	])('%s (%s)', (url, range) => {
		let error: unknown;
		try {
			checkOutboundUrl(url, 'settings.callbackUrl', NOTHING_ALLOWED);
		} catch (caught) {
			error = caught;
		}
		expect(error).toBeInstanceOf(OutboundRefusedError);
		expect((error as Error).message).toMatch(/^settings\.callbackUrl: /);
		expect((error as Error).message).toContain(range);
		expect((error as Error).message).toContain('OUTBOUND_ALLOW');
		expect(describeFailure(error)).toMatchObject({ kind: 'invalid_input', httpStatus: 400, retryable: false, field: 'settings.callbackUrl' });
	});

	it('refuses other schemes than http: and https:', () => {
		expect(() => checkOutboundUrl('ftp://example.com/', 'url', NOTHING_ALLOWED)).toThrow(/url: .*only http: and https:/);
		expect(() => checkOutboundUrl('file:///etc/passwd', 'url', NOTHING_ALLOWED)).toThrow(OutboundRefusedError);
	});

	it('passes public addresses and host names (a name is judged by what it resolves to, when it is called)', () => {
		expect(checkOutboundUrl('https://hooks.example.com/x', 'url', NOTHING_ALLOWED).hostname).toBe('hooks.example.com');
		expect(() => checkOutboundUrl('http://8.8.8.8/', 'url', NOTHING_ALLOWED)).not.toThrow();
		expect(() => checkOutboundUrl('http://localhost:5678/', 'url', NOTHING_ALLOWED)).not.toThrow();
	});

	it('passes a refused range once OUTBOUND_ALLOW opens it, in every spelling', () => {
		const allow = parseOutboundAllow('127.0.0.0/8');
		for (const url of ['http://127.0.0.1:5678/', 'http://2130706433/', 'http://0x7f.1/', 'http://[::ffff:127.0.0.1]/']) {
			expect(() => checkOutboundUrl(url, 'url', allow)).not.toThrow();
		}
		expect(() => checkOutboundUrl('http://[::1]/', 'url', allow)).toThrow(/loopback/);
	});
});

describe('the service reads OUTBOUND_ALLOW', () => {
	it('from the environment, lists it in --help, and stops at start on a bad entry, naming the variable', () => {
		const config = loadConfig({ OUTBOUND_ALLOW: 'n8n,10.0.0.0/8' });
		expect(config.outboundAllow?.entries).toEqual(['n8n', '10.0.0.0/8']);
		expect(loadConfig({}).outboundAllow).toBeUndefined();
		expect(environmentHelp()).toMatch(/^ {2}OUTBOUND_ALLOW +.*CIDRs.*host names.* \[\(unset\)\]$/m);
		expect(() => loadConfig({ OUTBOUND_ALLOW: 'n8n,10.0.0.0/40' })).toThrow(/^OUTBOUND_ALLOW: "10\.0\.0\.0\/40" is not a CIDR/);
	});
});

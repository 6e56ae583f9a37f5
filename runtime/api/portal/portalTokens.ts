import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import type { Redis } from 'ioredis';

import type { PortalLink } from '../../contracts/approval';
import type { ProjectRuns } from '../../state/projectRuns';

/** What a portal token says: whose project, which generation of its links, until when (seconds since the epoch). */
export interface PortalClaims {
	projectId: string;
	generation: number;
	expiresAt: number;
}

/** Why a token was refused; the portal answers every one the same (401, nothing shown), tests tell them apart. */
export type PortalRefusal = 'malformed' | 'forged' | 'other_project' | 'expired' | 'revoked';

export type PortalVerdict = { ok: true; claims: PortalClaims } | { ok: false; refusal: PortalRefusal };

// The signed text names what it is, so a signature made with the same secret for anything else never passes here.
const DOMAIN = 'aic-portal-link-v1';
const CLAIMS = /^([A-Za-z0-9][A-Za-z0-9._-]{0,127})\.(\d{1,15})\.(\d{1,12})$/;
const PART = /^[A-Za-z0-9_-]{1,400}$/;

function mac(secret: Buffer, payload: string): Buffer {
	return createHmac('sha256', secret).update(`${DOMAIN}\n${payload}`).digest();
}

/** `<claims, base64url>.<HMAC-SHA256 of them, base64url>`: URL- and cookie-safe, no padding. */
export function signPortalToken(secret: Buffer, claims: PortalClaims): string {
	const payload = `${claims.projectId}.${claims.generation}.${claims.expiresAt}`;
	return `${Buffer.from(payload).toString('base64url')}.${mac(secret, payload).toString('base64url')}`;
}

/**
 * Checks a token's signature (in constant time), that it is for `projectId` and not expired at
 * `nowSeconds`. The generation (revocation) is the caller's to compare: it lives in Redis.
 */
export function readPortalToken(secret: Buffer, token: unknown, projectId: string, nowSeconds: number): PortalVerdict {
	if (typeof token !== 'string') return { ok: false, refusal: 'malformed' };
	const [encoded, signature, extra] = token.split('.');
	if (extra !== undefined || !PART.test(encoded ?? '') || !PART.test(signature ?? '')) return { ok: false, refusal: 'malformed' };
	const payload = Buffer.from(encoded, 'base64url').toString('utf8');
	const expected = mac(secret, payload);
	const given = Buffer.from(signature, 'base64url');
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, refusal: 'forged' };
	const match = CLAIMS.exec(payload);
	if (!match) return { ok: false, refusal: 'malformed' };
	const claims: PortalClaims = { projectId: match[1], generation: Number(match[2]), expiresAt: Number(match[3]) };
	if (claims.projectId !== projectId) return { ok: false, refusal: 'other_project' };
	if (claims.expiresAt <= nowSeconds) return { ok: false, refusal: 'expired' };
	return { ok: true, claims };
}

export interface PortalLinksOptions {
	/** PORTAL_SECRET; unset: one random secret made once and kept in Redis under the key prefix. */
	secret?: string;
	now?: () => number;
}

/**
 * The client portal's links of every project: made signed with an expiry, checked, revoked. A link
 * carries its project's link generation (kept in the project's run record); revoking moves the
 * generation on, so every link made before stops working at once, in every API process.
 */
export class PortalLinks {
	private secret: Promise<Buffer> | undefined;
	private readonly now: () => number;

	constructor(
		private readonly redis: Redis,
		private readonly keyPrefix: string,
		private readonly runs: ProjectRuns,
		private readonly options: PortalLinksOptions = {},
	) {
		this.now = options.now ?? Date.now;
	}

	/** A link to the project's portal that works for `hours` hours, unless revoked before. */
	async create(projectId: string, hours: number): Promise<PortalLink> {
		const expiresAt = Math.floor(this.now() / 1000) + Math.round(hours * 3600);
		const generation = await this.runs.portalGeneration(projectId);
		const token = signPortalToken(await this.key(), { projectId, generation, expiresAt });
		return { url: `/portal/${encodeURIComponent(projectId)}?t=${token}`, expiresAt: new Date(expiresAt * 1000).toISOString() };
	}

	/** Whether `token` opens `projectId`'s portal now: signed here, for this project, not expired, not revoked. */
	async verify(projectId: string, token: unknown): Promise<PortalVerdict> {
		const verdict = readPortalToken(await this.key(), token, projectId, Math.floor(this.now() / 1000));
		if (!verdict.ok) return verdict;
		if (verdict.claims.generation !== (await this.runs.portalGeneration(projectId))) return { ok: false, refusal: 'revoked' };
		return verdict;
	}

	/** Every link of the project made so far stops working. */
	async revoke(projectId: string): Promise<void> {
		await this.runs.revokePortalLinks(projectId);
	}

	private key(): Promise<Buffer> {
		this.secret ??= this.loadSecret().catch((error: unknown) => {
			this.secret = undefined;
			throw error;
		});
		return this.secret;
	}

	/** PORTAL_SECRET, or the one kept in Redis: the first process to ask makes it (SET NX), every other reads the same. */
	private async loadSecret(): Promise<Buffer> {
		if (this.options.secret) return Buffer.from(this.options.secret, 'utf8');
		const key = `${this.keyPrefix}portal:secret`;
		await this.redis.set(key, randomBytes(32).toString('hex'), 'NX');
		const stored = await this.redis.get(key);
		if (!stored) throw new Error(`the portal secret ${key} vanished from Redis right after it was made`);
		return Buffer.from(stored, 'hex');
	}
}

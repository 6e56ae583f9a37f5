import { randomBytes } from 'node:crypto';

import { readPortalToken, signPortalToken } from '../../../runtime/api/portal/portalTokens';

// The portal link's token on its own: signed over the project, the link generation and the expiry,
// so that changing any byte, using it for another project or after its expiry, is refused.

const SECRET = randomBytes(32);
const NOW = 1_700_000_000;
const claims = { projectId: '3f0c2a8e-1b7d-4c55-9d1e-2a7b6c9e0f11', generation: 2, expiresAt: NOW + 3600 };

describe('a portal token', () => {
	it('opens the project it was made for until it expires, with the claims it was made with', () => {
		const token = signPortalToken(SECRET, claims);
		expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
		expect(readPortalToken(SECRET, token, claims.projectId, NOW)).toEqual({ ok: true, claims });
		expect(readPortalToken(SECRET, token, claims.projectId, claims.expiresAt - 1)).toEqual({ ok: true, claims });
	});

	it('is refused as expired from the second of its expiry on', () => {
		const token = signPortalToken(SECRET, claims);
		expect(readPortalToken(SECRET, token, claims.projectId, claims.expiresAt)).toEqual({ ok: false, refusal: 'expired' });
		expect(readPortalToken(SECRET, token, claims.projectId, claims.expiresAt + 86_400)).toEqual({ ok: false, refusal: 'expired' });
	});

	it("is refused for another project, even though its signature is the service's", () => {
		const token = signPortalToken(SECRET, claims);
		expect(readPortalToken(SECRET, token, 'another-project', NOW)).toEqual({ ok: false, refusal: 'other_project' });
	});

	it('is refused as forged when signed with another secret', () => {
		const token = signPortalToken(randomBytes(32), claims);
		expect(readPortalToken(SECRET, token, claims.projectId, NOW)).toEqual({ ok: false, refusal: 'forged' });
	});

	it('is refused as forged when its claims were changed: a later expiry, another generation, another project', () => {
		const token = signPortalToken(SECRET, claims);
		const signature = token.split('.')[1];
		for (const changed of [
			`${claims.projectId}.${claims.generation}.${claims.expiresAt + 86_400}`,
			`${claims.projectId}.${claims.generation + 1}.${claims.expiresAt}`,
			`another-project.${claims.generation}.${claims.expiresAt}`,
		]) {
			const project = changed.split('.')[0];
			expect(readPortalToken(SECRET, `${Buffer.from(changed).toString('base64url')}.${signature}`, project, NOW)).toEqual({ ok: false, refusal: 'forged' });
		}
	});

	it('is refused as forged when one character of its signature changes', () => {
		const token = signPortalToken(SECRET, claims);
		const last = token.at(-1) === 'A' ? 'B' : 'A';
		expect(readPortalToken(SECRET, `${token.slice(0, -1)}${last}`, claims.projectId, NOW)).toEqual({ ok: false, refusal: 'forged' });
	});

	it.each([
		['nothing', undefined],
		['an empty text', ''],
		['one part', 'abc'],
		['three parts', 'a.b.c'],
		['characters outside base64url', 'a+b.c/d'],
		['a number', 42],
	])('is refused as malformed when it is %s', (_what, token) => {
		expect(readPortalToken(SECRET, token, claims.projectId, NOW)).toEqual({ ok: false, refusal: 'malformed' });
	});
});

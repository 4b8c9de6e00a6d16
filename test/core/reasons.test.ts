import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUTH_ERROR_REASONS } from '../../src/core/errors.js';
import { hintFor } from '../../src/index.js';
import { bearer, clerkFor, sessionClaims, withEmulator } from '../support/fixtures.js';

const ctx = withEmulator();
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Every reason the AuthErrorReason type is derived from. */
const declared: readonly string[] = AUTH_ERROR_REASONS;

describe('rejection reasons', () => {
  it('are all documented in the README table, and the table lists no others', () => {
    const documented = [...readme.matchAll(/^\| `([a-z-]+)` \| (?:signed-out|unavailable) \|/gm)].map(
      (match) => match[1]!,
    );
    expect(documented.sort()).toEqual([...declared].sort());
  });

  it('each have a fix hint that quotes no request data', async () => {
    for (const reason of AUTH_ERROR_REASONS) expect(hintFor(reason).length).toBeGreaterThan(20);

    // Requests whose every credential, claim and header value carries a marker: no message may repeat it.
    const marker = 'Qz9leakMarkerQz9';
    const { emulator } = ctx;
    const now = Math.floor(Date.now() / 1000);
    const claims = (overrides: Record<string, unknown>) =>
      sessionClaims(emulator, {
        sub: `user_${marker}`,
        sid: `sess_${marker}`,
        azp: `https://${marker}.test`,
        ...overrides,
      });
    const signed = (overrides: Record<string, unknown>, header: Record<string, unknown> = {}) =>
      emulator.signToken({ claims: claims(overrides), header });
    const cookie = (value: string) => new Request('http://app.test/', { headers: { cookie: value } });
    const requests: Array<[Request, Parameters<typeof clerkFor>[1]]> = [
      [bearer(await signed({})), { authorizedParties: ['https://app.test'] }],
      [bearer(await signed({ iss: `https://${marker}.test` })), {}],
      [bearer(await signed({ exp: now - 600, iat: now - 700, nbf: now - 700 })), {}],
      [bearer(await signed({ nbf: now + 600 })), {}],
      [bearer(await signed({ sub: '' })), {}],
      [bearer(await signed({ aud: marker })), { audience: 'https://api.test' }],
      [bearer(await signed({}, { typ: marker })), {}],
      [bearer(await signed({}, { kid: marker })), {}],
      [bearer(await signed({}, { crit: [marker], [marker]: 1 })), {}],
      [bearer(await emulator.signToken({ key: 'foreign', claims: claims({}) })), {}],
      [bearer(`${marker}.${marker}.${marker}`), {}],
      [bearer(`${marker}${'x'.repeat(17_000)}`), {}],
      [bearer(`ak_${marker}0123456789`), { acceptsToken: 'any' }],
      [bearer(`ak_${marker}!`), { acceptsToken: 'any' }],
      [bearer(await signed({})), { acceptsToken: 'api_key' }],
      [new Request('http://app.test/', { headers: { authorization: `Bearer ${marker} ${marker}` } }), {}],
      [cookie(`__session=${await signed({})}`), {}],
      [cookie(`__session=${marker}; __client_uat=${now}`), {}],
      [cookie(`__session=${await signed({ iat: now - 60 })}; __client_uat=${now}`), {}],
      [
        cookie(
          `__session=${await signed({ exp: now - 600, iat: now - 700, nbf: now - 700 })}; __client_uat=${now - 800}`,
        ),
        {},
      ],
    ];
    const reasons = new Set<string>();
    for (const [request, options] of requests) {
      const state = await clerkFor(emulator, options).authenticateRequest(request);
      expect(state.reason).not.toBeNull();
      reasons.add(state.reason!);
      expect(state.message).toContain(hintFor(state.reason!));
      expect(state.message).not.toContain(marker);
      expect(JSON.stringify([...state.headers])).not.toContain(marker);
    }
    // The requests above reach these reasons, so each of their messages was checked.
    expect([...reasons].sort()).toEqual([
      'authorization-header-malformed',
      'client-uat-missing',
      'jwk-kid-mismatch',
      'session-token-outdated',
      'token-expired',
      'token-invalid',
      'token-invalid-audience',
      'token-invalid-authorized-parties',
      'token-invalid-claims',
      'token-invalid-issuer',
      'token-invalid-signature',
      'token-invalid-type',
      'token-malformed',
      'token-not-active-yet',
      'token-too-large',
      'token-type-mismatch',
      'token-unsupported-critical-header',
    ]);
    emulator.resetCounts();
  });

  it('machine-secret-key-missing: a machine token with no secret key to verify it is unavailable, not signed in or out', async () => {
    const key = await ctx.emulator.createApiKey();
    const keys = await ctx.emulator.jwks();
    const clerk = clerkFor(ctx.emulator, { secretKey: undefined, jwtKey: keys.keys[0] as JsonWebKey });
    expect(await clerk.authenticateRequest(bearer(key.secret), { acceptsToken: 'api_key' })).toMatchObject({
      status: 'unavailable',
      reason: 'machine-secret-key-missing',
    });
    expect(ctx.emulator.requestCount('POST /v1/api_keys/verify')).toBe(0);
  });
});

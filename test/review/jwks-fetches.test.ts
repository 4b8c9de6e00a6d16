import { afterEach, describe, expect, it } from 'vitest';
import { bearer, clerkFor, sessionClaims, withEmulator } from '../support/fixtures.js';

// Review finding (low): on a cold key cache, a token with an unknown kid fetches the JWKS twice
// (the cold fetch, then an "unknown kid" refetch of the set it has just fetched). Fails on main.

const ctx = withEmulator();
const JWKS = 'GET /v1/jwks' as const;

afterEach(() => ctx.emulator.resetCounts());

describe('JWKS fetches caused by unknown kids', () => {
  it('fetches the key set once, not twice, for an unknown kid on a cold cache', async () => {
    const clerk = clerkFor(ctx.emulator);
    const token = await ctx.emulator.signToken({
      claims: sessionClaims(ctx.emulator),
      header: { kid: 'ins_random_kid_1' },
    });
    const state = await clerk.authenticateRequest(bearer(token));
    expect(state).toMatchObject({ status: 'signed-out', reason: 'jwk-kid-mismatch' });
    expect(ctx.emulator.requestCount(JWKS)).toBe(1);
  });
});

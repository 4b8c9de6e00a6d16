import { afterEach, describe, expect, it } from 'vitest';
import { bearer, clerkFor, sessionClaims, withEmulator } from '../support/fixtures.js';

// Review findings #3 and #10: a cold key cache must honour the wait a JWKS 429 asked for, and must
// not refetch the key set it has just fetched because a token names an unknown kid.

const ctx = withEmulator();
const JWKS = 'GET /v1/jwks' as const;

afterEach(() => {
  ctx.emulator.clearFaults();
  ctx.emulator.resetCounts();
});

describe('key store fetches on a cold cache', () => {
  it('answers a JWKS 429 on a cold cache with the wait the API asked for, not the 5-second default', async () => {
    ctx.emulator.fault(JWKS, { status: 429, headers: { 'Retry-After': '40' } });
    const token = await ctx.emulator.createSessionToken((await ctx.emulator.createSession()).session.id);
    const clerk = clerkFor(ctx.emulator);
    const first = await clerk.authenticateRequest(bearer(token));
    expect(first).toMatchObject({ status: 'unavailable', reason: 'rate-limited' });
    expect(first.retryAfterSeconds).toBe(40);
    const during = await clerk.authenticateRequest(bearer(token));
    expect(ctx.emulator.requestCount(JWKS)).toBe(1);
    expect(during).toMatchObject({ status: 'unavailable', reason: 'rate-limited' });
    expect(during.retryAfterSeconds).toBeGreaterThan(35);
  });

  it('caps the wait of a JWKS 429 at 120 seconds, as the core caps every back-off', async () => {
    ctx.emulator.fault(JWKS, { status: 429, headers: { 'Retry-After': '86400' } });
    const clerk = clerkFor(ctx.emulator);
    const state = await clerk.authenticateRequest(
      bearer(await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator) })),
    );
    expect(state).toMatchObject({ status: 'unavailable', reason: 'rate-limited', retryAfterSeconds: 120 });
  });

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

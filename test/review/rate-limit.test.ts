import { afterEach, describe, expect, it } from 'vitest';
import { clerkFor, withEmulator } from '../support/fixtures.js';

// Review findings: 429 handling that still lets unauthenticated traffic reach the Backend API,
// or that drops the wait the API asked for. Each test fails on main and passes once fixed.

const ctx = withEmulator();
const JWKS = 'GET /v1/jwks' as const;

afterEach(() => {
  ctx.emulator.clearFaults();
  ctx.emulator.resetCounts();
});

describe('429 answers of the Backend API', () => {
  it('answers a JWKS 429 on a cold cache with the wait the API asked for, not the 5-second default', async () => {
    ctx.emulator.fault(JWKS, { status: 429, headers: { 'Retry-After': '40' } });
    const token = await ctx.emulator.createSessionToken((await ctx.emulator.createSession()).session.id);
    const clerk = clerkFor(ctx.emulator);
    const request = () => new Request('https://app.example/api', { headers: { authorization: `Bearer ${token}` } });
    const first = await clerk.authenticateRequest(request());
    expect(first).toMatchObject({ status: 'unavailable', reason: 'rate-limited' });
    expect(first.retryAfterSeconds).toBe(40);
    const during = await clerk.authenticateRequest(request());
    expect(ctx.emulator.requestCount(JWKS)).toBe(1);
    expect(during.retryAfterSeconds).toBeGreaterThan(35);
  });
});

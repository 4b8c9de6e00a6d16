import { afterEach, describe, expect, it } from 'vitest';
import { clerkFor, withEmulator, expiredBrowserCookies } from '../support/fixtures.js';

// A 429 from the sessions refresh endpoint closes it in the instance's back-off (the core's wait rule:
// Retry-After capped at 120 s, 5 s without one), so requests with expired cookies during the wait
// answer unavailable / rate-limited without calling Clerk again.

const ctx = withEmulator();
const REFRESH = 'POST /v1/sessions/:session_id/refresh' as const;

afterEach(() => {
  ctx.emulator.clearFaults();
  ctx.emulator.resetCounts();
});

const expiredBrowser = () => expiredBrowserCookies(ctx.emulator, 'user_review_refresh');

const page = (cookie: string) => new Request('https://app.example/dashboard', { headers: { cookie } });

describe('429 answers of the refresh endpoint', () => {
  it('opens a back-off on a 429 from the refresh endpoint, so requests during it make no further refresh call', async () => {
    const cookie = await expiredBrowser();
    const clerk = clerkFor(ctx.emulator);
    ctx.emulator.fault(REFRESH, { status: 429, headers: { 'Retry-After': '30' } });
    const states = [];
    for (let index = 0; index < 20; index++) states.push(await clerk.authenticateRequest(page(cookie)));
    for (const state of states) expect(state).toMatchObject({ status: 'unavailable', reason: 'rate-limited' });
    expect(ctx.emulator.requestCount(REFRESH)).toBe(1);
    expect(states[19]!.retryAfterSeconds).toBeGreaterThan(25);
  });

  it.each([
    ['no Retry-After', undefined, 5],
    ['Retry-After: 86400', '86400', 120],
  ])('backs off after a 429 with %s for %i seconds, for every session of the instance', async (_, retryAfter, wait) => {
    const clerk = clerkFor(ctx.emulator);
    ctx.emulator.fault(REFRESH, { status: 429, ...(retryAfter ? { headers: { 'Retry-After': retryAfter } } : {}) });
    const first = await clerk.authenticateRequest(page(await expiredBrowser()));
    expect(first).toMatchObject({ status: 'unavailable', reason: 'rate-limited', retryAfterSeconds: wait });
    const other = await clerk.authenticateRequest(page(await expiredBrowser()));
    expect(other).toMatchObject({ status: 'unavailable', reason: 'rate-limited' });
    expect(other.retryAfterSeconds).toBeGreaterThan(wait - 2);
    expect(ctx.emulator.requestCount(REFRESH)).toBe(1);
  });

  it('keeps the back-off to its own authenticator: another instance still refreshes', async () => {
    const cookie = await expiredBrowser();
    ctx.emulator.fault(REFRESH, { status: 429, headers: { 'Retry-After': '30' }, times: 1 });
    expect(await clerkFor(ctx.emulator).authenticateRequest(page(cookie))).toMatchObject({ reason: 'rate-limited' });
    expect((await clerkFor(ctx.emulator).authenticateRequest(page(cookie))).status).toBe('signed-in');
    expect(ctx.emulator.requestCount(REFRESH)).toBe(2);
  });
});

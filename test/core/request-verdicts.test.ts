import { afterEach, describe, expect, it } from 'vitest';
import { requestVerdicts } from '../../src/core/request-auth.js';
import { bearer, clerkFor, withEmulator, expiredBrowserCookies } from '../support/fixtures.js';

// requestVerdicts computes each verdict of one request once. A cookie request has one session verdict
// for every acceptsToken that includes session_token (one refresh, one Set-Cookie); a bearer request
// is judged per acceptsToken, since the accepted types decide whether its token is verified at all.

const ctx = withEmulator();
const REFRESH = 'POST /v1/sessions/:session_id/refresh' as const;

afterEach(() => {
  ctx.emulator.clearFaults();
  ctx.emulator.resetCounts();
});

const expiredCookies = () => expiredBrowserCookies(ctx.emulator, 'user_verdicts');

describe('requestVerdicts', () => {
  it('shares one session verdict for a cookie across every acceptsToken that includes session_token', async () => {
    const request = new Request('https://app.example/', { headers: { cookie: await expiredCookies() } });
    const verdicts = requestVerdicts(clerkFor(ctx.emulator), request, {});
    const states = await Promise.all([
      verdicts.authenticate('session_token'),
      verdicts.authenticate(['session_token', 'api_key']),
      verdicts.authenticate('any'),
    ]);
    expect(ctx.emulator.requestCount(REFRESH)).toBe(1);
    expect(new Set(states).size).toBe(1);
    expect(states[0]).toMatchObject({ status: 'signed-in', reason: null });
    expect([...verdicts.settled.keys()].sort()).toEqual([
      'api_key,m2m_token,oauth_token,session_token',
      'api_key,session_token',
      'session_token',
    ]);
    const sessionCookies = verdicts
      .responseHeaders()
      .getSetCookie()
      .filter((cookie) => cookie.startsWith(`__session_${ctx.emulator.cookieSuffix}=`));
    expect(sessionCookies).toHaveLength(1);
  });

  it('judges a cookie apart for an acceptsToken without session_token (no refresh, a type mismatch)', async () => {
    const request = new Request('https://app.example/', { headers: { cookie: await expiredCookies() } });
    const verdicts = requestVerdicts(clerkFor(ctx.emulator), request, {});
    expect(await verdicts.authenticate('api_key')).toMatchObject({
      status: 'signed-out',
      reason: 'token-type-mismatch',
    });
    expect(ctx.emulator.requestCount(REFRESH)).toBe(0);
    expect((await verdicts.authenticate('session_token')).status).toBe('signed-in');
    expect(ctx.emulator.requestCount(REFRESH)).toBe(1);
  });

  it('judges a bearer token per acceptsToken: an API key is verified only where it is accepted', async () => {
    const { secret } = await ctx.emulator.createApiKey();
    const verdicts = requestVerdicts(clerkFor(ctx.emulator), bearer(secret), {});
    expect(await verdicts.authenticate('session_token')).toMatchObject({
      status: 'signed-out',
      reason: 'token-type-mismatch',
    });
    expect(await verdicts.authenticate(['session_token', 'api_key'])).toMatchObject({
      status: 'signed-in',
      tokenType: 'api_key',
    });
    expect(ctx.emulator.requestCount('POST /v1/api_keys/verify')).toBe(1);
  });
});

import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { clerkMiddleware, getAuth, requireAuth } from '../../src/hono/index.js';
import { TEST_ENV, withEmulator, expiredBrowserCookies } from '../support/fixtures.js';

// Review finding: one request whose session cookie expired is refreshed once per acceptsToken
// value asked for, not once per request (fixed in requestVerdicts, shared by Hono, Workers and Next).

const ctx = withEmulator();
const REFRESH = 'POST /v1/sessions/:session_id/refresh' as const;

afterEach(() => {
  ctx.emulator.clearFaults();
  ctx.emulator.resetCounts();
});

const expiredBrowser = () => expiredBrowserCookies(ctx.emulator, 'user_review_twice');

describe('refresh once per request', () => {
  it('refreshes an expired cookie once when a route guard asks for another acceptsToken than the middleware', async () => {
    const app = new Hono();
    app.use(
      clerkMiddleware({
        secretKey: ctx.emulator.secretKey,
        publishableKey: ctx.emulator.publishableKey,
        apiUrl: ctx.emulator.url,
        env: TEST_ENV,
      }),
    );
    app.get('/reports', requireAuth({ acceptsToken: ['session_token', 'api_key'] }), (c) =>
      c.json({ userId: getAuth(c, { acceptsToken: ['session_token', 'api_key'] }).userId }),
    );
    const response = await app.request('https://app.example/reports', { headers: { cookie: await expiredBrowser() } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ userId: 'user_review_twice' });
    const sessionCookies = response.headers
      .getSetCookie()
      .filter((cookie) => cookie.startsWith(`__session_${ctx.emulator.cookieSuffix}=`));
    // Today the browser gets two different session cookies in one response.
    expect(sessionCookies).toHaveLength(1);
    // Today the middleware's verdict and the guard's verdict each call the refresh endpoint.
    expect(ctx.emulator.requestCount(REFRESH)).toBe(1);
  });
});

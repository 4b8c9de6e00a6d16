import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { clerkMiddleware, getAuth, requireAuth } from '../../src/hono/index.js';
import { clerkFor, withEmulator, TEST_ENV } from '../support/fixtures.js';

const ctx = withEmulator();
const REFRESH = 'POST /v1/sessions/:session_id/refresh' as const;

afterEach(() => {
  ctx.emulator.clearFaults();
  ctx.emulator.resetCounts();
});

/** A browser whose session token expired a minute ago, with its refresh cookie. */
async function expiredBrowser(userId = 'user_refresh') {
  const { session, refreshToken } = await ctx.emulator.createSession({ userId });
  const now = Math.floor(Date.now() / 1000);
  const expired = await ctx.emulator.createSessionToken(session.id, { issuedAt: now - 120, expiresInSeconds: 60 });
  const suffix = ctx.emulator.cookieSuffix;
  const cookie = `__session_${suffix}=${expired}; __client_uat_${suffix}=${now - 600}; __refresh_${suffix}=${refreshToken}; theme=dark`;
  return { session, refreshToken, expired, cookie };
}

const page = (cookie: string, init: RequestInit = {}) =>
  new Request('https://app.example/dashboard', {
    ...init,
    headers: {
      cookie,
      'user-agent': 'test-browser',
      'x-forwarded-for': '203.0.113.9, 10.0.0.1',
      ...(init.headers as Record<string, string>),
    },
  });

describe('session refresh through the sessions endpoint', () => {
  it('refreshes an expired cookie session on GET and returns the new cookies', async () => {
    const browser = await expiredBrowser();
    const state = await clerkFor(ctx.emulator).authenticateRequest(page(browser.cookie));
    expect(state.status).toBe('signed-in');
    expect(state.toAuth().userId).toBe('user_refresh');
    const cookies = state.headers.getSetCookie();
    expect(
      cookies.some(
        (cookie) => cookie.startsWith(`__session_${ctx.emulator.cookieSuffix}=`) || cookie.startsWith('__session='),
      ),
    ).toBe(true);
    expect(ctx.emulator.requestCount(REFRESH)).toBe(1);
  });

  it('sends exactly what the endpoint needs and nothing that authenticates the browser', async () => {
    const browser = await expiredBrowser();
    await clerkFor(ctx.emulator).authenticateRequest(
      page(browser.cookie, { headers: { authorization: 'Basic c2VjcmV0' } }),
    );
    const sent = ctx.emulator.requests.find((request) => request.route === REFRESH)!;
    expect(sent.path).toBe(`/v1/sessions/${browser.session.id}/refresh`);
    expect(sent.headers.authorization).toBe(`Bearer ${ctx.emulator.secretKey}`);
    expect(sent.headers.cookie).toBeUndefined();
    const body = sent.body as Record<string, unknown>;
    expect(body).toMatchObject({
      expired_token: browser.expired,
      refresh_token: browser.refreshToken,
      request_origin: 'https://app.example',
      request_originating_ip: '203.0.113.9',
      format: 'cookie',
    });
    const forwarded = JSON.stringify(body.request_headers).toLowerCase();
    expect(forwarded).toContain('test-browser');
    expect(forwarded).not.toContain('cookie');
    expect(forwarded).not.toContain('authorization');
    expect(forwarded).not.toContain('theme=dark');
  });

  it('does not refresh on a POST', async () => {
    const browser = await expiredBrowser();
    const state = await clerkFor(ctx.emulator).authenticateRequest(page(browser.cookie, { method: 'POST' }));
    expect(state).toMatchObject({ status: 'signed-out', reason: 'refresh-non-get-request' });
    expect(ctx.emulator.requestCount(REFRESH)).toBe(0);
  });

  it('stays signed out with token-expired when there is no refresh cookie', async () => {
    const browser = await expiredBrowser();
    const cookie = browser.cookie.replace(/__refresh_[^;]+;/, '');
    const state = await clerkFor(ctx.emulator).authenticateRequest(page(cookie));
    expect(state).toMatchObject({ status: 'signed-out', reason: 'token-expired' });
    expect(state.message).toContain('__refresh');
    expect(ctx.emulator.requestCount(REFRESH)).toBe(0);
  });

  it('is signed out with refresh-rejected when the endpoint answers 401', async () => {
    const browser = await expiredBrowser();
    const cookie = browser.cookie.replace(browser.refreshToken, 'not-the-refresh-token');
    const state = await clerkFor(ctx.emulator).authenticateRequest(page(cookie));
    expect(state).toMatchObject({ status: 'signed-out', reason: 'refresh-rejected' });
    expect(state.headers.getSetCookie()).toEqual([]);
  });

  it('is signed out when the session was revoked', async () => {
    const browser = await expiredBrowser();
    ctx.emulator.revokeSession(browser.session.id);
    expect((await clerkFor(ctx.emulator).authenticateRequest(page(browser.cookie))).reason).toBe('refresh-rejected');
  });

  it('is unavailable, not signed out, when the endpoint is down', async () => {
    const browser = await expiredBrowser();
    ctx.emulator.fault(REFRESH, { status: 500 });
    expect(await clerkFor(ctx.emulator).authenticateRequest(page(browser.cookie))).toMatchObject({
      status: 'unavailable',
      reason: 'backend-api-unavailable',
    });
  });

  it('shares one refresh call among 20 concurrent requests of the same session', async () => {
    const browser = await expiredBrowser();
    ctx.emulator.fault(REFRESH, { delayMs: 50, times: 1 });
    const clerk = clerkFor(ctx.emulator);
    const states = await Promise.all(Array.from({ length: 20 }, () => clerk.authenticateRequest(page(browser.cookie))));
    expect(states.every((state) => state.status === 'signed-in')).toBe(true);
    expect(ctx.emulator.requestCount(REFRESH)).toBe(1);
  });

  it('does not refresh a token that fails verification for another reason', async () => {
    const browser = await expiredBrowser();
    const forged = await ctx.emulator.signToken({
      key: 'foreign',
      claims: { sub: 'user_x', sid: browser.session.id, exp: 1, iss: ctx.emulator.issuer },
    });
    const cookie = browser.cookie.replace(browser.expired, forged);
    expect((await clerkFor(ctx.emulator).authenticateRequest(page(cookie))).reason).toBe('token-invalid-signature');
    expect(ctx.emulator.requestCount(REFRESH)).toBe(0);
  });
});

describe('refresh and machine tokens through clerk-edge/hono', () => {
  const app = () => {
    const hono = new Hono();
    hono.use(
      clerkMiddleware({
        secretKey: ctx.emulator.secretKey,
        publishableKey: ctx.emulator.publishableKey,
        apiUrl: ctx.emulator.url,
        env: TEST_ENV,
      }),
    );
    hono.get('/dashboard', requireAuth(), (c) => c.json({ userId: getAuth(c).userId }));
    hono.post('/dashboard', requireAuth(), (c) => c.json({ userId: getAuth(c).userId }));
    hono.get('/api/items', requireAuth({ acceptsToken: ['session_token', 'api_key'] }), (c) =>
      c.json(getAuth(c, { acceptsToken: ['session_token', 'api_key'] })),
    );
    hono.post('/api/ingest', requireAuth({ acceptsToken: 'api_key', scopes: ['write'] }), (c) => c.text('ok'));
    return hono;
  };

  it('returns 200 with Set-Cookie for the refreshed session on GET', async () => {
    const browser = await expiredBrowser('user_hono_refresh');
    const res = await app().request(page(browser.cookie));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ userId: 'user_hono_refresh' });
    const cookies = res.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    expect(cookies.some((cookie) => /^__session(_[A-Za-z0-9_-]{8})?=ey/.test(cookie))).toBe(true);
  });

  it("keeps the app's own Set-Cookie next to the refreshed session's", async () => {
    const browser = await expiredBrowser('user_cookie_app');
    const hono = new Hono();
    hono.use(
      clerkMiddleware({
        secretKey: ctx.emulator.secretKey,
        publishableKey: ctx.emulator.publishableKey,
        apiUrl: ctx.emulator.url,
        env: TEST_ENV,
      }),
    );
    hono.get('/dashboard', requireAuth(), (c) => {
      c.header('set-cookie', 'theme=light; Path=/', { append: true });
      return c.text('ok');
    });
    const cookies = (await hono.request(page(browser.cookie))).headers.getSetCookie();
    expect(cookies).toContain('theme=light; Path=/');
    expect(cookies.some((cookie) => cookie.startsWith('__session'))).toBe(true);
  });

  it('answers 401 on POST with an expired session and makes no call', async () => {
    const browser = await expiredBrowser();
    const res = await app().request(page(browser.cookie, { method: 'POST' }));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'unauthorized', reason: 'refresh-non-get-request' });
    expect(ctx.emulator.requestCount(REFRESH)).toBe(0);
  });

  it('verifies an API key only on routes that accept it', async () => {
    const key = await ctx.emulator.createApiKey({ subject: 'user_api', scopes: ['read'] });
    const hono = app();
    const accepted = await hono.request('/api/items', { headers: { authorization: `Bearer ${key.secret}` } });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ tokenType: 'api_key', userId: 'user_api', scopes: ['read'] });
    ctx.emulator.resetCounts();
    const rejected = await hono.request('/dashboard', { headers: { authorization: `Bearer ${key.secret}` } });
    expect(rejected.status).toBe(401);
    expect(await rejected.json()).toEqual({ error: 'unauthorized', reason: 'token-type-mismatch' });
    expect(ctx.emulator.requests).toHaveLength(0);
  });

  it('answers 403 when an API key lacks a required scope', async () => {
    const key = await ctx.emulator.createApiKey({ scopes: ['read'] });
    const res = await app().request('/api/ingest', {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(res.status).toBe(403);
  });

  it('answers 503 when the Backend API cannot verify an API key', async () => {
    const key = await ctx.emulator.createApiKey({ scopes: ['write'] });
    ctx.emulator.fault('POST /v1/api_keys/verify', { status: 503 });
    const res = await app().request('/api/ingest', {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).not.toBeNull();
  });
});

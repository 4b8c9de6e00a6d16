import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { clerkMiddleware, getAuth, requireAuth } from '../../src/hono/index.js';
import { REFRESH_REJECTION_TTL_MS } from '../../src/core/refresh.js';
import { clerkFor, withEmulator, TEST_ENV } from '../support/fixtures.js';

const ctx = withEmulator();
const REFRESH = 'POST /v1/sessions/:session_id/refresh' as const;

afterEach(() => {
  ctx.emulator.clearFaults();
  ctx.emulator.resetCounts();
});

/** A browser whose session token expired a minute ago, with its refresh cookie. */
async function expiredBrowser(userId = 'user_refresh', azp?: string) {
  const { session, refreshToken } = await ctx.emulator.createSession({ userId, ...(azp ? { azp } : {}) });
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
      format: 'cookie',
    });
    // No proxy is trusted by default: client-sent X-Forwarded-For is not an IP to report.
    expect(body).not.toHaveProperty('request_originating_ip');
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

describe('client-controlled headers in the refresh call', () => {
  const proxied = (cookie: string) =>
    page(cookie, {
      headers: {
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'http',
        'x-real-ip': '198.51.100.7',
      },
    });

  it('uses the request URL and no IP when the app does not trust proxy headers', async () => {
    const browser = await expiredBrowser();
    await clerkFor(ctx.emulator).authenticateRequest(proxied(browser.cookie));
    const body = ctx.emulator.requests.find((request) => request.route === REFRESH)!.body as Record<string, unknown>;
    expect(body.request_origin).toBe('https://app.example');
    expect(body).not.toHaveProperty('request_originating_ip');
    expect(JSON.stringify(body.request_headers)).not.toContain('evil.example');
  });

  it('uses X-Forwarded-* and the proxy-reported IP with trustProxyHeaders', async () => {
    const browser = await expiredBrowser();
    await clerkFor(ctx.emulator, { trustProxyHeaders: true }).authenticateRequest(proxied(browser.cookie));
    const body = ctx.emulator.requests.find((request) => request.route === REFRESH)!.body as Record<string, unknown>;
    expect(body.request_origin).toBe('http://evil.example');
    expect(body.request_originating_ip).toBe('198.51.100.7');
    expect((body.request_headers as Record<string, string[]>)['x-forwarded-host']).toEqual(['evil.example']);
  });
});

describe('refresh only what would otherwise be accepted', () => {
  /** An expired token of the browser's real session, signed by the instance, with `overrides`. */
  async function expiredWith(overrides: Record<string, unknown>, header: Record<string, unknown> = {}) {
    const browser = await expiredBrowser('user_refresh', 'https://app.example');
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: 'user_refresh',
      sid: browser.session.id,
      iss: ctx.emulator.issuer,
      iat: now - 120,
      nbf: now - 130,
      exp: now - 60,
      azp: 'https://app.example',
      ...overrides,
    };
    const token = await ctx.emulator.signToken({ claims, header: { cat: 'cl_B7d4PD111AAA', ...header } });
    return browser.cookie.replace(browser.expired, token);
  }

  it('refreshes an expired token whose other claims all pass (the control case)', async () => {
    const cookie = await expiredWith({});
    const state = await clerkFor(ctx.emulator, { authorizedParties: ['https://app.example'] }).authenticateRequest(
      page(cookie),
    );
    expect(state.status).toBe('signed-in');
    expect(ctx.emulator.requestCount(REFRESH)).toBe(1);
  });

  it.each([
    ['an azp outside authorizedParties', { azp: 'https://evil.example' }, {}, 'token-invalid-authorized-parties'],
    ['no azp while authorizedParties is set', { azp: undefined }, {}, 'token-invalid-authorized-parties'],
    ['another issuer', { iss: 'https://evil.example' }, {}, 'token-invalid-issuer'],
    ['a machine subject', { sub: 'mch_1' }, {}, 'token-type-mismatch'],
    ['an empty subject', { sub: '' }, {}, 'token-invalid-claims'],
    ['a JWT template category', {}, { cat: 'cl_B7d4PD222AAA' }, 'token-type-mismatch'],
    ['an M2M category', {}, { cat: 'cl_B7d4PD333AAA' }, 'token-type-mismatch'],
    ['a wrong audience', { aud: 'other' }, {}, 'token-invalid-audience'],
  ])('does not refresh an expired token with %s', async (_name, overrides, header, reason) => {
    const cookie = await expiredWith(overrides, header);
    const clerk = clerkFor(ctx.emulator, {
      authorizedParties: ['https://app.example'],
      ...(reason === 'token-invalid-audience' ? { audience: 'mine' } : {}),
    });
    expect(await clerk.authenticateRequest(page(cookie))).toMatchObject({ status: 'signed-out', reason });
    expect(ctx.emulator.requestCount(REFRESH)).toBe(0);
  });
});

describe('a refused refresh is remembered briefly', () => {
  it('answers 50 replays of the same bogus __refresh with one call', async () => {
    const browser = await expiredBrowser();
    const cookie = browser.cookie.replace(browser.refreshToken, 'bogus-refresh-token');
    const clerk = clerkFor(ctx.emulator);
    for (let i = 0; i < 50; i++) {
      expect((await clerk.authenticateRequest(page(cookie))).reason).toBe('refresh-rejected');
    }
    expect(ctx.emulator.requestCount(REFRESH)).toBe(1);
  });

  it('asks again for another refresh token of the session, and after the memory expires', async () => {
    let now = Date.now();
    const browser = await expiredBrowser();
    const clerk = clerkFor(ctx.emulator, { now: () => now });
    const bogus = browser.cookie.replace(browser.refreshToken, 'bogus-refresh-token');
    expect((await clerk.authenticateRequest(page(bogus))).reason).toBe('refresh-rejected');
    expect((await clerk.authenticateRequest(page(browser.cookie))).status).toBe('signed-in');
    expect(ctx.emulator.requestCount(REFRESH)).toBe(2);
    now += REFRESH_REJECTION_TTL_MS - 1;
    expect((await clerk.authenticateRequest(page(bogus))).reason).toBe('refresh-rejected');
    expect(ctx.emulator.requestCount(REFRESH)).toBe(2);
    now += 2;
    expect((await clerk.authenticateRequest(page(bogus))).reason).toBe('refresh-rejected');
    expect(ctx.emulator.requestCount(REFRESH)).toBe(3);
  });

  it('does not remember an outage: the next request asks again', async () => {
    const browser = await expiredBrowser();
    const clerk = clerkFor(ctx.emulator);
    ctx.emulator.fault(REFRESH, { status: 503, times: 1 });
    expect((await clerk.authenticateRequest(page(browser.cookie))).status).toBe('unavailable');
    expect((await clerk.authenticateRequest(page(browser.cookie))).status).toBe('signed-in');
    expect(ctx.emulator.requestCount(REFRESH)).toBe(2);
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
    expect(res.headers.get('retry-after')).toBe('5'); // the Backend API sent no Retry-After: the default
  });
});

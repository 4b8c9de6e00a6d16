import { Hono } from 'hono';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  ClerkConfigurationError,
  type AuthObject,
  type ClerkEdgeOptions,
  type MachineAuthObject,
  type SessionAuthObject,
  type SignedOutAuthObject,
} from '../../src/index.js';
import {
  clerkMiddleware,
  getAuth,
  requireAuth,
  type ClerkRequestContext,
  type SignedOutMachineAuthObject,
} from '../../src/hono/index.js';
import { sessionClaims, withEmulator, TEST_ENV } from '../support/fixtures.js';

const ctx = withEmulator();

function buildApp(options: ClerkEdgeOptions = {}) {
  const app = new Hono();
  app.use(
    clerkMiddleware({
      secretKey: ctx.emulator.secretKey,
      publishableKey: ctx.emulator.publishableKey,
      apiUrl: ctx.emulator.url,
      env: TEST_ENV,
      ...options,
    }),
  );
  app.get('/public', (c) => c.json({ userId: getAuth(c).userId }));
  app.get('/protected', requireAuth(), (c) => c.json({ userId: getAuth(c).userId }));
  app.get('/admin', requireAuth({ has: { role: 'org:admin' } }), (c) => c.text('admin'));
  return app;
}

async function freshToken(options: Parameters<typeof ctx.emulator.createSession>[0] = {}) {
  const { session } = await ctx.emulator.createSession({ userId: 'user_hono', ...options });
  return ctx.emulator.createSessionToken(session.id);
}

afterEach(() => {
  ctx.emulator.clearFaults();
  vi.unstubAllEnvs();
});

describe('clerk-edge/hono', () => {
  it('lets a valid Bearer token through and exposes the user', async () => {
    const res = await buildApp().request('/protected', { headers: { authorization: `Bearer ${await freshToken()}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ userId: 'user_hono' });
  });

  it('lets a valid __session cookie through', async () => {
    const token = await freshToken();
    const res = await buildApp().request('/protected', { headers: { cookie: `__session=${token}; __client_uat=1` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ userId: 'user_hono' });
  });

  it('answers 401 with an RFC 6750 challenge when no token is sent', async () => {
    const res = await buildApp().request('/protected');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="clerk"');
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ error: 'unauthorized', reason: 'token-missing' });
  });

  it.each([
    [
      'expired',
      async () =>
        ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator, { exp: Math.floor(Date.now() / 1000) - 60 }) }),
      'token-expired',
    ],
    [
      'tampered',
      async () => (await freshToken()).replace(/\.([^.]*)\./, (_, p: string) => `.${p.slice(0, -4)}AAAA.`),
      'token-invalid-signature',
    ],
    [
      'foreign-key',
      async () => ctx.emulator.signToken({ key: 'foreign', claims: sessionClaims(ctx.emulator) }),
      'token-invalid-signature',
    ],
  ])('rejects an %s token with 401 and its reason', async (_, makeToken, reason) => {
    const token = await makeToken();
    for (const headers of [
      { authorization: `Bearer ${token}` },
      { cookie: `__session=${token}; __client_uat=1` },
    ] as Record<string, string>[]) {
      const res = await buildApp().request('/protected', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(
        `Bearer realm="clerk", error="invalid_token", error_description="${reason}"`,
      );
      const body = await res.text();
      expect(JSON.parse(body)).toEqual({ error: 'unauthorized', reason });
      expect(body).not.toContain(token);
    }
  });

  it('rejects a token whose azp is not authorized', async () => {
    const token = await ctx.emulator.signToken({
      claims: sessionClaims(ctx.emulator, { azp: 'https://evil.example' }),
    });
    const res = await buildApp({ authorizedParties: ['https://app.example'] }).request('/protected', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'unauthorized', reason: 'token-invalid-authorized-parties' });
  });

  it('answers 503 with Retry-After, never 401, when keys cannot be fetched', async () => {
    ctx.emulator.fault('GET /v1/jwks', { status: 502 });
    const res = await buildApp().request('/protected', { headers: { authorization: `Bearer ${await freshToken()}` } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toEqual({ error: 'unavailable', reason: 'jwks-unavailable' });
  });

  it('answers 403 when signed in without the required role', async () => {
    const app = buildApp();
    const member = await freshToken({ orgId: 'org_1', orgRole: 'org:member' });
    const admin = await freshToken({ orgId: 'org_1', orgRole: 'org:admin' });
    const denied = await app.request('/admin', { headers: { authorization: `Bearer ${member}` } });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ error: 'forbidden', reason: 'forbidden' });
    expect((await app.request('/admin', { headers: { authorization: `Bearer ${admin}` } })).status).toBe(200);
  });

  it('leaves public routes open and reports signed-out through getAuth', async () => {
    const res = await buildApp().request('/public');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ userId: null });
  });

  it('adds debug headers to responses only when enabled', async () => {
    const quiet = await buildApp().request('/public');
    expect(quiet.headers.get('x-clerk-auth-status')).toBeNull();
    const loud = await buildApp({ debug: true }).request('/public');
    expect(loud.headers.get('x-clerk-auth-status')).toBe('signed-out');
    expect(loud.headers.get('x-clerk-auth-reason')).toBe('token-missing');
  });

  it('throws a configuration error when created with a malformed key', () => {
    expect(() =>
      clerkMiddleware({ publishableKey: 'pk_test_garbage', secretKey: ctx.emulator.secretKey, env: TEST_ENV }),
    ).toThrow(ClerkConfigurationError);
    expect(() => clerkMiddleware({ secretKey: 'nope', env: TEST_ENV })).toThrow(/CLERK_SECRET_KEY/);
  });

  it('reads keys from the environment per field, even when other options are passed', async () => {
    vi.stubEnv('CLERK_SECRET_KEY', ctx.emulator.secretKey);
    vi.stubEnv('CLERK_PUBLISHABLE_KEY', ctx.emulator.publishableKey);
    const app = new Hono();
    app.use(clerkMiddleware({ apiUrl: ctx.emulator.url }));
    app.get('/protected', requireAuth(), (c) => c.text(getAuth(c).userId ?? ''));
    const wrongIssuer = await ctx.emulator.signToken({
      claims: sessionClaims(ctx.emulator, { iss: 'https://other.example' }),
    });
    expect(
      await (await app.request('/protected', { headers: { authorization: `Bearer ${await freshToken()}` } })).text(),
    ).toBe('user_hono');
    // The publishable key from the environment is in force: the issuer is checked.
    expect((await app.request('/protected', { headers: { authorization: `Bearer ${wrongIssuer}` } })).status).toBe(401);
  });

  it('finds keys set in the environment after the middleware was created, and keeps one authenticator for them', async () => {
    vi.stubEnv('CLERK_SECRET_KEY', '');
    vi.stubEnv('CLERK_PUBLISHABLE_KEY', '');
    const app = new Hono();
    app.use(clerkMiddleware({ apiUrl: ctx.emulator.url }));
    app.get('/protected', requireAuth(), (c) => c.text(getAuth(c).userId ?? ''));
    vi.stubEnv('CLERK_SECRET_KEY', ctx.emulator.secretKey);
    vi.stubEnv('CLERK_PUBLISHABLE_KEY', ctx.emulator.publishableKey);
    ctx.emulator.resetCounts();
    for (let i = 0; i < 3; i++) {
      const res = await app.request('/protected', { headers: { authorization: `Bearer ${await freshToken()}` } });
      expect(await res.text()).toBe('user_hono');
    }
    // One authenticator, so one key set fetched for the three requests.
    expect(ctx.emulator.requestCount('GET /v1/jwks')).toBe(1);
  });

  it('answers getAuth(c, { acceptsToken }) for a token no guard verified with a signed-out object, never a 500', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const app = new Hono();
    app.use(
      clerkMiddleware({
        secretKey: ctx.emulator.secretKey,
        publishableKey: ctx.emulator.publishableKey,
        apiUrl: ctx.emulator.url,
        env: TEST_ENV,
      }),
    );
    app.get('/unguarded', (c) => c.json(getAuth(c, { acceptsToken: 'api_key' })));
    const stray = `ak_${'x'.repeat(32)}`;
    ctx.emulator.resetCounts();
    const res = await app.request('/unguarded', { headers: { authorization: `Bearer ${stray}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ tokenType: 'api_key', isAuthenticated: false, userId: null });
    expect(ctx.emulator.requestCount('POST /v1/api_keys/verify')).toBe(0);
    expect(warn.mock.calls.map((call) => String(call[0])).join('')).not.toContain(stray);
    warn.mockRestore();
  });

  it('fails loudly when getAuth is used without the middleware', async () => {
    const app = new Hono();
    app.get('/', (c) => c.json(getAuth(c)));
    app.onError((error, c) => c.text((error as { code?: string }).code ?? 'unknown', 500));
    expect(await (await app.request('/')).text()).toBe('middleware-missing');
  });

  it('requireAuth without the middleware rejects (never throws synchronously), and the app answers 500', async () => {
    const guard = requireAuth();
    const context = { get: () => undefined } as unknown as Parameters<typeof guard>[0];
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = guard(context, async () => {}) as Promise<unknown>;
    }).not.toThrow();
    await expect(result).rejects.toMatchObject({ code: 'middleware-missing' });

    const app = new Hono();
    app.get('/', requireAuth(), (c) => c.text('reached'));
    app.get('/api', requireAuth({ acceptsToken: 'api_key' }), (c) => c.text('reached'));
    app.onError((error, c) => c.text((error as { code?: string }).code ?? 'unknown', 500));
    for (const path of ['/', '/api']) {
      const res = await app.request(path);
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('middleware-missing');
    }
  });

  it('a guard that refuses stops the route, with or without acceptsToken, and a passing one runs it once', async () => {
    const app = buildApp();
    let reached = 0;
    app.get('/count', requireAuth(), (c) => {
      reached++;
      return c.text('ok');
    });
    app.get('/count-api', requireAuth({ acceptsToken: ['session_token', 'api_key'] }), (c) => {
      reached++;
      return c.text('ok');
    });
    expect((await app.request('/count')).status).toBe(401);
    expect((await app.request('/count-api')).status).toBe(401);
    expect(reached).toBe(0);
    const headers = { authorization: `Bearer ${await freshToken()}` };
    expect((await app.request('/count', { headers })).status).toBe(200);
    expect((await app.request('/count-api', { headers })).status).toBe(200);
    expect(reached).toBe(2);
  });

  it('types the context variable and getAuth', () => {
    const app = new Hono();
    app.get('/', (c) => {
      expectTypeOf(c.get('clerkAuth')).toEqualTypeOf<ClerkRequestContext>();
      expectTypeOf(c.var.clerkAuth.state.status).toEqualTypeOf<
        'signed-in' | 'signed-out' | 'handshake' | 'unavailable'
      >();
      expectTypeOf(getAuth(c)).toEqualTypeOf<SessionAuthObject | SignedOutAuthObject>();
      expectTypeOf(getAuth(c, { acceptsToken: 'api_key' })).toEqualTypeOf<
        MachineAuthObject | SignedOutMachineAuthObject
      >();
      expectTypeOf(getAuth(c, { acceptsToken: 'api_key' }).subject).toEqualTypeOf<string | undefined>();
      expectTypeOf(getAuth(c, { acceptsToken: 'any' })).toEqualTypeOf<AuthObject>();
      return c.text('ok');
    });
  });
});

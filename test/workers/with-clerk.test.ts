import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { bearer, emulatorBindings, sessionCookie, startWorkerd, type Workerd } from './harness.js';

const JWKS = 'GET /v1/jwks' as const;
const VERIFY_API_KEY = 'POST /v1/api_keys/verify' as const;
const REFRESH = 'POST /v1/sessions/:session_id/refresh' as const;
const PLAIN = 'test/workers/fixtures/plain-worker.ts';

let emulator: ClerkEmulator;
/** A second instance, so background fetches of other tests' isolates never show in its counts. */
let quietEmulator: ClerkEmulator;
let workerd: Workerd;

beforeAll(async () => {
  [emulator, quietEmulator] = await Promise.all([createClerkEmulator(), createClerkEmulator()]);
  const env = emulatorBindings(emulator);
  const jwk = emulator.jwks().keys[0]!;
  workerd = await startWorkerd([
    { name: 'plain', entry: PLAIN, bindings: env },
    { name: 'protected', entry: PLAIN, bindings: { ...env, TEST_PROTECT: 'all' } },
    {
      name: 'azp',
      entry: PLAIN,
      bindings: { ...env, CLERK_AUTHORIZED_PARTIES: 'https://app.example, https://admin.example' },
    },
    {
      name: 'jwt-key',
      entry: PLAIN,
      bindings: {
        CLERK_JWT_KEY: JSON.stringify(jwk),
        CLERK_PUBLISHABLE_KEY: emulator.publishableKey,
        TEST_STORE: 'none',
      },
    },
    { name: 'stale', entry: PLAIN, bindings: { ...env, TEST_KEYS_TTL_MS: '0', TEST_STORE: 'none' } },
    {
      name: 'swr',
      entry: PLAIN,
      bindings: { ...emulatorBindings(quietEmulator), TEST_KEYS_TTL_MS: '0', TEST_STORE: 'none' },
    },
    { name: 'cold', entry: PLAIN, bindings: { ...env, TEST_STORE: 'none' } },
    { name: 'hono', entry: 'test/workers/fixtures/hono-worker.ts', bindings: env },
  ]);
});

afterAll(async () => {
  await workerd?.dispose();
  await Promise.all([emulator?.close(), quietEmulator?.close()]);
});

afterEach(() => {
  emulator.clearFaults();
  emulator.resetCounts();
});

async function sessionToken(options: Parameters<ClerkEmulator['createSession']>[0] = {}) {
  const { session } = await emulator.createSession({ userId: 'user_worker', ...options });
  return emulator.createSessionToken(session.id);
}

describe('withClerk in workerd', () => {
  it('signs in a request with a Bearer session token', async () => {
    const res = await workerd.fetch('/me', { headers: bearer(await sessionToken()) });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      status: 'signed-in',
      reason: null,
      tokenType: 'session_token',
      userId: 'user_worker',
      subject: null,
    });
  });

  it("signs in a browser request by the instance's suffixed __session and __client_uat cookies", async () => {
    const res = await workerd.fetch('/me', { headers: sessionCookie(emulator, await sessionToken()) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'signed-in', userId: 'user_worker' });
  });

  it('treats a lingering __session cookie of a signed-out browser (__client_uat=0) as signed out', async () => {
    const res = await workerd.fetch('/me', { headers: sessionCookie(emulator, await sessionToken(), 0) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'signed-out', reason: 'client-uat-missing', userId: null });
  });

  it('hands a signed-out state to the handler when no credential is sent', async () => {
    const res = await workerd.fetch('/me');
    expect(res.status).toBe(200);
    expect(res.headers['x-handler']).toBe('ran');
    expect(res.json).toEqual({
      status: 'signed-out',
      reason: 'token-missing',
      tokenType: null,
      userId: null,
      subject: null,
    });
  });

  it('clerk.protect() answers 401 with an RFC 6750 challenge and a JSON reason', async () => {
    const res = await workerd.fetch('/protected');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="clerk"');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json).toEqual({ error: 'unauthorized', reason: 'token-missing' });
  });

  it('rejects a tampered token as invalid_token and never echoes it', async () => {
    const token = (await sessionToken()).replace(
      /\.([^.]*)\./,
      (_, payload: string) => `.${payload.slice(0, -4)}AAAA.`,
    );
    const res = await workerd.fetch('/protected', { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="clerk", error="invalid_token", error_description="token-invalid-signature"',
    );
    expect(res.json).toEqual({ error: 'unauthorized', reason: 'token-invalid-signature' });
    expect(res.text).not.toContain(token);
  });

  it('answers 403 when the user is signed in but lacks the required role', async () => {
    const member = await workerd.fetch('/admin', {
      headers: bearer(await sessionToken({ orgId: 'org_1', orgRole: 'org:member' })),
    });
    expect(member.status).toBe(403);
    expect(member.headers['www-authenticate']).toBe(
      'Bearer realm="clerk", error="insufficient_scope", error_description="forbidden"',
    );
    expect(member.json).toEqual({ error: 'forbidden', reason: 'forbidden' });
    const admin = await workerd.fetch('/admin', {
      headers: bearer(await sessionToken({ orgId: 'org_1', orgRole: 'org:admin' })),
    });
    expect(admin.status).toBe(200);
  });

  it('with protect: true, rejects before the handler runs and lets signed-in requests through', async () => {
    const denied = await workerd.fetch('/me', { worker: 'protected' });
    expect(denied.status).toBe(401);
    expect(denied.headers['x-handler']).toBeUndefined();
    expect(denied.json).toEqual({ error: 'unauthorized', reason: 'token-missing' });
    const allowed = await workerd.fetch('/me', { worker: 'protected', headers: bearer(await sessionToken()) });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['x-handler']).toBe('ran');
  });

  it('reads CLERK_AUTHORIZED_PARTIES from the bindings (comma-separated)', async () => {
    const evil = await workerd.fetch('/protected', {
      worker: 'azp',
      headers: bearer(await sessionToken({ azp: 'https://evil.example' })),
    });
    expect(evil.status).toBe(401);
    expect(evil.json).toEqual({ error: 'unauthorized', reason: 'token-invalid-authorized-parties' });
    const admin = await workerd.fetch('/protected', {
      worker: 'azp',
      headers: bearer(await sessionToken({ azp: 'https://admin.example' })),
    });
    expect(admin.status).toBe(200);
    // The same token is accepted by a worker without the binding: the binding made the difference.
    const plain = await workerd.fetch('/protected', {
      headers: bearer(await sessionToken({ azp: 'https://evil.example' })),
    });
    expect(plain.status).toBe(200);
  });

  it('verifies with CLERK_JWT_KEY alone and never calls Clerk', async () => {
    const res = await workerd.fetch('/protected', { worker: 'jwt-key', headers: bearer(await sessionToken()) });
    expect(res.status).toBe(200);
    expect(emulator.requests).toEqual([]);
  });

  it('verifies an API key once and answers repeats from the cache', async () => {
    const { secret, subject } = await emulator.createApiKey({ subject: 'user_key_owner', scopes: ['read'] });
    const first = await workerd.fetch('/api-key', { headers: bearer(secret) });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ status: 'signed-in', tokenType: 'api_key', subject });
    const repeats = await Promise.all(
      Array.from({ length: 10 }, () => workerd.fetch('/api-key', { headers: bearer(secret) })),
    );
    expect(repeats.map((res) => res.status)).toEqual(Array(10).fill(200));
    expect(emulator.requestCount(VERIFY_API_KEY)).toBe(1);
  });

  it('does not spend a Backend API call on an API key sent to a session-only route', async () => {
    const { secret } = await emulator.createApiKey({ scopes: ['read'] });
    const res = await workerd.fetch('/protected', { headers: bearer(secret) });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: 'unauthorized', reason: 'token-type-mismatch' });
    expect(emulator.requestCount(VERIFY_API_KEY)).toBe(0);
  });

  it('answers 403 for an API key without the required scope', async () => {
    const { secret } = await emulator.createApiKey({ scopes: ['write'] });
    const res = await workerd.fetch('/api-key', { headers: bearer(secret) });
    expect(res.status).toBe(403);
  });

  it('keeps signing users in through a JWKS outage with last-known-good keys', async () => {
    // ttlMs 0: keys are always stale, so every request tries a background refresh.
    expect((await workerd.fetch('/protected', { worker: 'stale', headers: bearer(await sessionToken()) })).status).toBe(
      200,
    );
    emulator.resetCounts();
    emulator.fault(JWKS, { status: 503 });
    for (let i = 0; i < 3; i++) {
      const res = await workerd.fetch('/protected', { worker: 'stale', headers: bearer(await sessionToken()) });
      expect(res.status).toBe(200);
    }
    await expect.poll(() => emulator.requestCount(JWKS)).toBeGreaterThan(0);
  });

  it('never makes a request wait for a stale-while-revalidate refresh (it runs in ctx.waitUntil)', async () => {
    const token = async () =>
      quietEmulator.createSessionToken((await quietEmulator.createSession({ userId: 'user_swr' })).session.id);
    // A cold isolate fetches its keys in the foreground, once; with ttlMs 0 they are stale at once.
    expect((await workerd.fetch('/protected', { worker: 'swr', headers: bearer(await token()) })).status).toBe(200);
    expect(quietEmulator.requestCount(JWKS)).toBe(1);
    expect((await workerd.fetch('/_wait-until-calls', { worker: 'swr' })).json).toBe(0);

    const next = await token();
    quietEmulator.fault(JWKS, { delayMs: 4000 });
    const started = Date.now();
    const res = await workerd.fetch('/protected', { worker: 'swr', headers: bearer(next) });
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    expect(elapsed).toBeLessThan(2000); // the response did not wait for the refresh...
    expect((await workerd.fetch('/_wait-until-calls', { worker: 'swr' })).json).toBe(1); // ...which went to ctx.waitUntil...
    await expect.poll(() => quietEmulator.requestCount(JWKS)).toBe(2); // ...and reached Clerk.
    quietEmulator.clearFaults();
  });

  it('answers 503 with Retry-After, never 401, when keys cannot be fetched and none are cached', async () => {
    emulator.fault(JWKS, { status: 502 });
    const res = await workerd.fetch('/protected', { worker: 'cold', headers: bearer(await sessionToken()) });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.json).toEqual({ error: 'unavailable', reason: 'jwks-unavailable' });
  });

  it("adds a session refresh's Set-Cookie directives to the handler's response", async () => {
    const { session, refreshToken } = await emulator.createSession({ userId: 'user_refresh' });
    const now = Math.floor(Date.now() / 1000);
    const expired = await emulator.createSessionToken(session.id, { issuedAt: now - 120, expiresInSeconds: 60 });
    const suffix = emulator.cookieSuffix;
    const cookie = `__session_${suffix}=${expired}; __client_uat_${suffix}=${now - 600}; __refresh_${suffix}=${refreshToken}`;
    const res = await workerd.fetch('/me', { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'signed-in', userId: 'user_refresh' });
    expect(res.headers['x-handler']).toBe('ran');
    expect(res.headers['set-cookie']).toMatch(/__session(_[A-Za-z0-9_-]+)?=/);
    expect(emulator.requestCount(REFRESH)).toBe(1);
  });
});

describe('clerk-edge/hono in workerd', () => {
  it('answers exactly as withClerk does, for every outcome', async () => {
    const token = await sessionToken();
    const { secret } = await emulator.createApiKey({ subject: 'user_key_owner', scopes: ['read'] });
    const { secret: writeOnly } = await emulator.createApiKey({ scopes: ['write'] });
    const cases: Array<[string, Record<string, string>]> = [
      ['/protected', {}],
      ['/protected', bearer(`${token.slice(0, -6)}AAAAAA`)],
      ['/protected', { authorization: 'Bearer' }],
      ['/admin', bearer(await sessionToken({ orgId: 'org_1', orgRole: 'org:member' }))],
      ['/api-key', bearer(writeOnly)],
    ];
    for (const [path, headers] of cases) {
      const plain = await workerd.fetch(path, { headers });
      const hono = await workerd.fetch(path, { worker: 'hono', headers });
      expect(hono.status, path).toBe(plain.status);
      expect(hono.json, path).toEqual(plain.json);
      expect(hono.headers['www-authenticate'], path).toBe(plain.headers['www-authenticate']);
      expect(hono.headers['content-type'], path).toBe(plain.headers['content-type']);
    }
    expect((await workerd.fetch('/protected', { worker: 'hono', headers: bearer(token) })).json).toEqual({
      userId: 'user_worker',
    });
    expect((await workerd.fetch('/api-key', { worker: 'hono', headers: bearer(secret) })).json).toEqual({
      subject: 'user_key_owner',
    });
  });

  it('signs in by cookie and answers 503 during an outage with nothing cached', async () => {
    const res = await workerd.fetch('/protected', {
      worker: 'hono',
      headers: sessionCookie(emulator, await sessionToken()),
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ userId: 'user_worker' });
  });
});

import { Hono } from 'hono';
import { decodeJwt } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClerkApiError, createClerkClient } from '../../src/api/index.js';
import type { ClerkEdgeOptions } from '../../src/index.js';
import {
  ClerkTokenError,
  clerkClient,
  clerkMiddleware,
  currentUser,
  getAuth,
  type ClerkMiddlewareOptions,
} from '../../src/hono/index.js';
import { TEST_ENV, withEmulator } from '../support/fixtures.js';

const ctx = withEmulator();
const TEMPLATE_ROUTE = 'POST /v1/sessions/:session_id/tokens/:template_name';
const USER_ROUTE = 'GET /v1/users/:user_id';
let userId: string;

beforeAll(async () => {
  const admin = createClerkClient({ secretKey: ctx.emulator.secretKey, apiUrl: ctx.emulator.url });
  userId = (await admin.users.create({ body: { first_name: 'Ada', last_name: 'Lovelace' } })).id;
  await admin.jwtTemplates.create({ body: { name: 'supabase', claims: { role: 'authenticated' }, lifetime: 30 } });
  await admin.jwtTemplates.create({ body: { name: 'hasura', claims: { 'x-hasura': 'yes' }, lifetime: 60 } });
});

afterEach(() => {
  ctx.emulator.clearFaults();
  ctx.emulator.resetCounts();
});

function buildApp(options: Partial<ClerkMiddlewareOptions> = {}) {
  const app = new Hono();
  const base: ClerkEdgeOptions = {
    secretKey: ctx.emulator.secretKey,
    publishableKey: ctx.emulator.publishableKey,
    apiUrl: ctx.emulator.url,
    env: TEST_ENV,
  };
  app.use(clerkMiddleware({ ...base, clerkClient: createClerkClient, ...options }));
  app.get('/clients', (c) => c.json({ same: c.get('clerk') === clerkClient(c) }));
  app.get('/user', async (c) => {
    const [a, b, d] = await Promise.all([currentUser(c), currentUser(c), currentUser(c)]);
    return c.json({ name: a ? `${a.first_name} ${a.last_name}` : null, same: a === b && b === d });
  });
  app.get('/token', async (c) => {
    const template = c.req.query('template');
    try {
      return c.json({ token: await getAuth(c).getToken(template === undefined ? undefined : { template }) });
    } catch (error) {
      if (!(error instanceof ClerkTokenError)) throw error;
      return c.json({ code: error.code, status: error.status, wait: error.retryAfterSeconds, message: error.message });
    }
  });
  app.get('/client-token', async (c) => {
    const { sessionId } = getAuth(c);
    try {
      await c.get('clerk').sessions.createTokenFromTemplate({
        path: { session_id: sessionId as string, template_name: 'supabase' },
        body: {},
      });
      return c.json({ code: null });
    } catch (error) {
      if (!(error instanceof ClerkApiError)) throw error;
      return c.json({ code: error.code, wait: error.retryAfterSeconds });
    }
  });
  return app;
}

async function sessionFor(user = userId) {
  const { session } = await ctx.emulator.createSession({ userId: user });
  const token = await ctx.emulator.createSessionToken(session.id);
  return { sessionId: session.id, headers: { authorization: `Bearer ${token}` }, token };
}

describe('the Backend API client on the Hono context', () => {
  it('is the same object for every request of an instance, and clerkClient(c) returns it', async () => {
    const app = buildApp();
    const seen = new Set<unknown>();
    app.get('/identity', (c) => {
      seen.add(c.get('clerk'));
      return c.text('ok');
    });
    for (let i = 0; i < 3; i++) expect((await app.request('/identity')).status).toBe(200);
    expect(seen.size).toBe(1);
    expect(await (await app.request('/clients')).json()).toEqual({ same: true });
  });

  it('currentUser(c) makes one Backend API call per request however often it is called', async () => {
    const app = buildApp();
    const { headers } = await sessionFor();
    expect(await (await app.request('/user', { headers })).json()).toEqual({ name: 'Ada Lovelace', same: true });
    expect(ctx.emulator.requestCount(USER_ROUTE)).toBe(1);
    await app.request('/user', { headers });
    expect(ctx.emulator.requestCount(USER_ROUTE)).toBe(2);
  });

  it('currentUser(c) is null without a session and calls nothing', async () => {
    expect(await (await buildApp().request('/user')).json()).toEqual({ name: null, same: true });
    expect(ctx.emulator.requestCount(USER_ROUTE)).toBe(0);
  });
});

describe('getToken({ template })', () => {
  it('without a template returns the request’s own session token', async () => {
    const { headers, token } = await sessionFor();
    expect(await (await buildApp().request('/token', { headers })).json()).toEqual({ token });
  });

  it('calls the Backend API once for 100 requests, once more for a second template, and again after expiry', async () => {
    let offsetMs = 0;
    const app = buildApp({ now: () => Date.now() + offsetMs });
    const { headers, sessionId } = await sessionFor();
    const answers = await Promise.all(
      Array.from({ length: 100 }, async () => (await app.request('/token?template=supabase', { headers })).json()),
    );
    const tokens = new Set(answers.map((a) => (a as { token: string }).token));
    expect(tokens.size).toBe(1);
    expect(ctx.emulator.requestCount(TEMPLATE_ROUTE)).toBe(1);
    const claims = decodeJwt([...tokens][0] as string);
    expect(claims).toMatchObject({ sid: sessionId, sub: userId, role: 'authenticated' });
    expect((claims.exp as number) - (claims.iat as number)).toBe(30);

    const other = (await (await app.request('/token?template=hasura', { headers })).json()) as { token: string };
    expect(decodeJwt(other.token)['x-hasura']).toBe('yes');
    expect(ctx.emulator.requestCount(TEMPLATE_ROUTE)).toBe(2);

    offsetMs = 15_000; // 15 s left of a 30 s token: still served from the cache (margin 10 s)
    await app.request('/token?template=supabase', { headers });
    expect(ctx.emulator.requestCount(TEMPLATE_ROUTE)).toBe(2);
    offsetMs = 21_000; // 9 s left: minted anew
    const renewed = (await (await app.request('/token?template=supabase', { headers })).json()) as { token: string };
    expect(ctx.emulator.requestCount(TEMPLATE_ROUTE)).toBe(3);
    expect(tokens.has(renewed.token)).toBe(false);
  });

  it('keeps tokens of different sessions apart', async () => {
    const app = buildApp();
    const first = await sessionFor();
    const second = await sessionFor();
    const a = (await (await app.request('/token?template=hasura', { headers: first.headers })).json()) as {
      token: string;
    };
    const b = (await (await app.request('/token?template=hasura', { headers: second.headers })).json()) as {
      token: string;
    };
    expect(decodeJwt(a.token).sid).toBe(first.sessionId);
    expect(decodeJwt(b.token).sid).toBe(second.sessionId);
    expect(ctx.emulator.requestCount(TEMPLATE_ROUTE)).toBe(2);
  });

  it('is null for a signed-out request', async () => {
    expect(await (await buildApp().request('/token?template=supabase')).json()).toEqual({ token: null });
    expect(ctx.emulator.requestCount(TEMPLATE_ROUTE)).toBe(0);
  });

  it('refuses a template name that is empty or a dot segment without a call (it would name another endpoint)', async () => {
    const { headers } = await sessionFor();
    const app = buildApp();
    for (const template of ['', '.', '..']) {
      const answer = await (await app.request(`/token?template=${template}`, { headers })).json();
      // No status: nothing was sent (a call to `tokens/..` reaches `POST /sessions/{id}` instead).
      expect(answer).toEqual({ code: 'template-token-not-found', message: expect.any(String) });
    }
    expect(ctx.emulator.requestCount('POST /v1/sessions/:session_id/tokens')).toBe(0);
    expect(ctx.emulator.requestCount(TEMPLATE_ROUTE)).toBe(0);
  });

  it('reports a 404 as template-token-not-found, with no token in the message', async () => {
    ctx.emulator.fault(TEMPLATE_ROUTE, { status: 404, times: 1 });
    const { headers, token } = await sessionFor();
    const answer = (await (await buildApp().request('/token?template=missing', { headers })).json()) as {
      code: string;
      status: number;
      message: string;
    };
    expect(answer).toMatchObject({ code: 'template-token-not-found', status: 404 });
    expect(answer.message).not.toContain(token);
    expect(answer.message).not.toContain(ctx.emulator.secretKey);
  });

  it('shares a 429 with the client of the same instance: neither calls again until Retry-After', async () => {
    const app = buildApp();
    const { headers } = await sessionFor();
    ctx.emulator.fault(TEMPLATE_ROUTE, { status: 429, headers: { 'Retry-After': '30' } });
    expect(await (await app.request('/token?template=supabase', { headers })).json()).toMatchObject({
      code: 'rate-limited',
      status: 429,
      wait: 30,
    });
    expect(ctx.emulator.requestCount(TEMPLATE_ROUTE)).toBe(1);
    const fromClient = (await (await app.request('/client-token', { headers })).json()) as {
      code: string;
      wait: number;
    };
    expect(fromClient.code).toBe('api-rate-limited');
    expect(fromClient.wait).toBeGreaterThanOrEqual(29);
    expect(ctx.emulator.requestCount(TEMPLATE_ROUTE)).toBe(1);
  });

  it('honours a 429 the client saw: getToken makes no call either', async () => {
    const app = buildApp();
    const { headers } = await sessionFor();
    ctx.emulator.fault(TEMPLATE_ROUTE, { status: 429, headers: { 'Retry-After': '20' } });
    expect(await (await app.request('/client-token', { headers })).json()).toMatchObject({
      code: 'api-rate-limited',
      wait: 20,
    });
    expect(await (await app.request('/token?template=hasura', { headers })).json()).toMatchObject({
      code: 'rate-limited',
      status: 429,
    });
    expect(ctx.emulator.requestCount(TEMPLATE_ROUTE)).toBe(1);
  });
});

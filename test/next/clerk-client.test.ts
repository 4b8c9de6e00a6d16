// clerkClient(), currentUser() and getToken() on the route-handler side, fed the request headers
// the middleware forwards (as Next does). `next/headers` is replaced by the headers of the
// request under test; every Clerk call goes to the emulator over HTTP.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClerkClient } from '../../src/api/index.js';
import { authFromHeaders } from '../../src/next/auth.js';
import { auth, clerkClient, currentUser } from '../../src/next/index.js';
import { bearer, forwardedRequestHeaders, invoke, middlewareFor, routeClerkFor, withEmulator } from './support.js';

const requestHeaders = vi.hoisted(() => ({ current: new Headers() as Headers }));
vi.mock('next/headers.js', () => ({ headers: async () => requestHeaders.current }));

const context = withEmulator();
const USER_ROUTE = 'GET /v1/users/:user_id';
const TEMPLATE_ROUTE = 'POST /v1/sessions/:session_id/tokens/:template_name';
let userId: string;

beforeAll(async () => {
  const { emulator } = context;
  vi.stubEnv('CLERK_SECRET_KEY', emulator.secretKey);
  vi.stubEnv('CLERK_PUBLISHABLE_KEY', emulator.publishableKey);
  vi.stubEnv('CLERK_API_URL', emulator.url);
  const admin = createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url });
  userId = (await admin.users.create({ body: { first_name: 'Edsger', last_name: 'Dijkstra' } })).id;
  await admin.jwtTemplates.create({ body: { name: 'next', claims: { app: 'next' }, lifetime: 60 } });
});
afterAll(() => {
  vi.unstubAllEnvs();
});
beforeEach(() => {
  context.emulator.resetCounts();
});

/** The headers a route handler sees for a request the middleware let through with `token`. */
async function routeHeaders(token: string): Promise<Headers> {
  const response = await invoke(middlewareFor(context.emulator), 'http://localhost/api/me', { headers: bearer(token) });
  return forwardedRequestHeaders(response) as Headers;
}

async function signIn() {
  const { session } = await context.emulator.createSession({ userId });
  const token = await context.emulator.createSessionToken(session.id);
  return { sessionId: session.id, token };
}

describe('clerk-edge/next server helpers', () => {
  it('clerkClient() resolves to one client per process, reading the instance from the environment', async () => {
    const first = await clerkClient();
    expect(await clerkClient()).toBe(first);
    expect((await first.users.get({ path: { user_id: userId } })).first_name).toBe('Edsger');
  });

  it('currentUser() is the signed-in user, with one Backend API call per request however often it is called', async () => {
    const { token } = await signIn();
    requestHeaders.current = await routeHeaders(token);
    const [a, b] = await Promise.all([currentUser(), currentUser()]);
    const c = await currentUser();
    expect(a?.first_name).toBe('Edsger');
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(context.emulator.requestCount(USER_ROUTE)).toBe(1);
    requestHeaders.current = await routeHeaders(token); // the next request
    await currentUser();
    expect(context.emulator.requestCount(USER_ROUTE)).toBe(2);
  });

  it('currentUser() is null for a signed-out request and calls nothing', async () => {
    const response = await invoke(middlewareFor(context.emulator), 'http://localhost/api/me');
    requestHeaders.current = forwardedRequestHeaders(response) as Headers;
    expect(await currentUser()).toBeNull();
    expect(context.emulator.requestCount(USER_ROUTE)).toBe(0);
  });

  it('auth().getToken() is the request’s session token; with a template, one mint for many calls', async () => {
    const { token, sessionId } = await signIn();
    requestHeaders.current = await routeHeaders(token);
    const session = await auth();
    expect(await session.getToken()).toBe(token);
    const minted = await Promise.all(Array.from({ length: 50 }, () => session.getToken({ template: 'next' })));
    expect(new Set(minted).size).toBe(1);
    expect(decodeJwt(minted[0] as string)).toMatchObject({ app: 'next', sid: sessionId, sub: userId });
    // A later request of the same session is served from the same per-instance cache.
    expect(await (await auth()).getToken({ template: 'next' })).toBe(minted[0]);
    expect(context.emulator.requestCount(TEMPLATE_ROUTE)).toBe(1);
  });

  it('authFromHeaders gives getToken to verified sessions too, and null for signed-out requests', async () => {
    const { token } = await signIn();
    const clerk = routeClerkFor(context.emulator);
    const verified = await authFromHeaders(new Headers(bearer(token)), clerk, { verify: true });
    expect(await (verified as { getToken(): Promise<string | null> }).getToken()).toBe(token);
    const signedOut = await authFromHeaders(new Headers(), clerk, { verify: true });
    expect(await (signedOut as { getToken(o?: object): Promise<string | null> }).getToken({ template: 'next' })).toBe(
      null,
    );
  });
});

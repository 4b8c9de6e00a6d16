import { NextResponse } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClerkAuth } from '../../src/core/authenticate.js';
import { sessionAuthObject } from '../../src/core/claims.js';
import { signedIn } from '../../src/core/state.js';
import { authFromHeaders } from '../../src/next/auth.js';
import {
  credentialHash,
  FORWARDED_AUTH_HEADER,
  FORWARDED_SIGNATURE_HEADER,
  signForwardedState,
} from '../../src/next/forwarded.js';
import { type ClerkMiddlewareAuth, type ClerkMiddlewareOptions, clerkMiddleware } from '../../src/next/index.js';
import { createClerkEmulator } from '../../src/testing/index.js';
import {
  bearer,
  forwardedRequestHeaders,
  forwardingSecretFor,
  html,
  invoke,
  middlewareFor,
  optionsFor,
  routeClerkFor,
  withEmulator,
} from './support.js';

const context = withEmulator();
let member: string;
let admin: string;
let memberIssuedAt: number;

beforeAll(async () => {
  const { emulator } = context;
  memberIssuedAt = Math.floor(Date.now() / 1000);
  const memberSession = await emulator.createSession({
    userId: 'user_member',
    orgId: 'org_1',
    orgRole: 'org:member',
    orgPermissions: ['org:reports:read'],
    features: ['o:reports', 'u:dashboard'],
    plans: ['u:pro'],
  });
  member = await emulator.createSessionToken(memberSession.session.id, {
    expiresInSeconds: 600,
    issuedAt: memberIssuedAt,
  });
  const adminSession = await emulator.createSession({ userId: 'user_admin', orgId: 'org_1', orgRole: 'org:admin' });
  admin = await emulator.createSessionToken(adminSession.session.id, { expiresInSeconds: 600 });
});

const protectAll = async (auth: ClerkMiddlewareAuth) => {
  await auth.protect();
};

describe('clerkMiddleware: passing requests on', () => {
  it('passes a signed-in request on with a signed state that auth() reads in the route handler', async () => {
    const { emulator } = context;
    const response = await invoke(middlewareFor(emulator), 'http://localhost/api/me', { headers: bearer(member) });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-middleware-next')).toBe('1');
    const forwarded = forwardedRequestHeaders(response)!;
    expect(forwarded.get('authorization')).toBe(`Bearer ${member}`);
    const auth = await authFromHeaders(forwarded, routeClerkFor(emulator));
    expect(auth).toMatchObject({
      isAuthenticated: true,
      userId: 'user_member',
      orgId: 'org_1',
      orgRole: 'org:member',
      tokenType: 'session_token',
    });
    expect(auth.has({ permission: 'org:reports:read' })).toBe(true);
  });

  it('never puts the token or the secret key in the forwarded auth headers', async () => {
    const { emulator } = context;
    const response = await invoke(middlewareFor(emulator), 'http://localhost/', { headers: bearer(member) });
    const forwarded = forwardedRequestHeaders(response)!;
    const ours = [forwarded.get(FORWARDED_AUTH_HEADER)!, forwarded.get(FORWARDED_SIGNATURE_HEADER)!];
    const decoded = atob(ours[0]!.replace(/-/g, '+').replace(/_/g, '/'));
    for (const value of [...ours, decoded]) {
      expect(value).not.toContain(member);
      expect(value).not.toContain(member.split('.')[2]);
      expect(value).not.toContain(emulator.secretKey);
    }
    expect(JSON.parse(decoded)).toMatchObject({ s: 'signed-in', t: 'session_token', c: { sub: 'user_member' } });
  });

  it('passes a request without credentials on as signed out; it never rejects by itself', async () => {
    const { emulator } = context;
    const response = await invoke(middlewareFor(emulator), 'http://localhost/dashboard', { headers: html });
    expect(response.headers.get('x-middleware-next')).toBe('1');
    const auth = await authFromHeaders(forwardedRequestHeaders(response)!, routeClerkFor(emulator));
    expect(auth).toMatchObject({ isAuthenticated: false, userId: null });
  });

  it('strips every x-clerk-edge-* header the client sent, even a validly signed state', async () => {
    const { emulator } = context;
    const now = Math.floor(Date.now() / 1000);
    const forged = await signForwardedState(
      signedIn(sessionAuthObject({ sub: 'user_forged', iat: now, exp: now + 60 })),
      {
        ...forwardingSecretFor(emulator),
        credentialHash: await credentialHash(new Headers(), emulator.cookieSuffix),
        now: Date.now(),
        ttlSeconds: 60,
      },
    );
    // Control: handed to auth() directly, these headers would sign the request in.
    expect(await authFromHeaders(new Headers(forged), routeClerkFor(emulator))).toMatchObject({
      userId: 'user_forged',
    });

    const response = await invoke(middlewareFor(emulator), 'http://localhost/api/whoami', {
      headers: { ...forged, 'x-clerk-edge-role': 'admin' },
    });
    const forwarded = forwardedRequestHeaders(response)!;
    expect(forwarded.has('x-clerk-edge-role')).toBe(false);
    expect(forwarded.get(FORWARDED_AUTH_HEADER)).not.toBe(forged[FORWARDED_AUTH_HEADER]);
    expect(await authFromHeaders(forwarded, routeClerkFor(emulator))).toMatchObject({
      isAuthenticated: false,
      userId: null,
    });
  });

  it('keeps the request headers the handler sets with NextResponse.next({ request: { headers } })', async () => {
    const { emulator } = context;
    const middleware = middlewareFor(emulator, (_auth, request) => {
      const headers = new Headers(request.headers);
      headers.set('x-tenant', 'acme');
      headers.delete('x-drop-me');
      return NextResponse.next({ request: { headers } });
    });
    const response = await invoke(middleware, 'http://localhost/api/me', {
      headers: { ...bearer(member), 'x-drop-me': '1', [FORWARDED_AUTH_HEADER]: 'forged' },
    });
    const forwarded = forwardedRequestHeaders(response)!;
    expect(forwarded.get('x-tenant')).toBe('acme');
    expect(forwarded.has('x-drop-me')).toBe(false);
    expect(forwarded.get(FORWARDED_AUTH_HEADER)).not.toBe('forged');
    expect(await authFromHeaders(forwarded, routeClerkFor(emulator))).toMatchObject({ userId: 'user_member' });
  });

  it('forwards the state on a rewrite too', async () => {
    const { emulator } = context;
    const middleware = middlewareFor(emulator, (_auth, request) =>
      NextResponse.rewrite(new URL('/internal/me', request.url)),
    );
    const response = await invoke(middleware, 'http://localhost/me', { headers: bearer(member) });
    expect(response.headers.get('x-middleware-rewrite')).toBe('http://localhost/internal/me');
    expect(await authFromHeaders(forwardedRequestHeaders(response)!, routeClerkFor(emulator))).toMatchObject({
      userId: 'user_member',
    });
  });

  it('forwards neither the state nor refreshed cookies on a rewrite to another origin', async () => {
    const { emulator } = context;
    const middleware = middlewareFor(emulator, () => NextResponse.rewrite('https://upstream.example/me'));
    const response = await invoke(middleware, 'http://localhost/me', {
      headers: { ...bearer(member), [FORWARDED_AUTH_HEADER]: 'client-copy' },
    });
    expect(response.headers.get('x-middleware-rewrite')).toBe('https://upstream.example/me');
    const forwarded = forwardedRequestHeaders(response)!;
    expect([...forwarded.keys()].filter((name) => name.startsWith('x-clerk-edge-'))).toEqual([]);
    expect(forwarded.get('authorization')).toBe(`Bearer ${member}`);

    const sameOrigin = middlewareFor(emulator, () => NextResponse.rewrite('http://localhost/internal/me'));
    const inside = forwardedRequestHeaders(
      await invoke(sameOrigin, 'http://localhost/me', { headers: bearer(member) }),
    );
    expect(inside!.has(FORWARDED_AUTH_HEADER)).toBe(true);
  });

  it('binds the state to the credential the request came with, not to one the handler puts in its place', async () => {
    const { emulator } = context;
    const swap = middlewareFor(emulator, (_auth, request) => {
      const headers = new Headers(request.headers);
      headers.set('authorization', `Bearer ${admin}`);
      return NextResponse.next({ request: { headers } });
    });
    const swapped = forwardedRequestHeaders(await invoke(swap, 'http://localhost/api/me', { headers: bearer(member) }));
    expect(swapped!.get('authorization')).toBe(`Bearer ${admin}`);
    expect(await authFromHeaders(swapped!, routeClerkFor(emulator))).toMatchObject({ isAuthenticated: false });

    const drop = middlewareFor(emulator, (_auth, request) => {
      const headers = new Headers(request.headers);
      headers.delete('authorization');
      return NextResponse.next({ request: { headers } });
    });
    const dropped = forwardedRequestHeaders(await invoke(drop, 'http://localhost/api/me', { headers: bearer(member) }));
    expect(await authFromHeaders(dropped!, routeClerkFor(emulator))).toMatchObject({ isAuthenticated: false });
  });

  it("never lets the forwarded state outlive the token's exp", async () => {
    const { emulator } = context;
    const session = await emulator.createSession({ userId: 'user_short' });
    const token = await emulator.createSessionToken(session.session.id, { expiresInSeconds: 20 });
    const exp = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).exp as number;
    const response = await invoke(middlewareFor(emulator), 'http://localhost/api/me', { headers: bearer(token) });
    const forwarded = forwardedRequestHeaders(response)!;
    const payload = JSON.parse(atob(forwarded.get(FORWARDED_AUTH_HEADER)!.replace(/-/g, '+').replace(/_/g, '/'))) as {
      e: number;
    };
    expect(payload.e).toBe(exp * 1000);
    const at = (ms: number) => createClerkAuth({ ...optionsFor(emulator), now: () => ms });
    expect(await authFromHeaders(forwarded, at(exp * 1000 - 1))).toMatchObject({ userId: 'user_short' });
    expect(await authFromHeaders(forwarded, at(exp * 1000))).toMatchObject({ isAuthenticated: false });
  });

  it('is not accepted by another app of the same instance whose configuration refuses the token', async () => {
    const { emulator } = context;
    const session = await emulator.createSession({ userId: 'user_app1' });
    const token = await emulator.createSessionToken(session.session.id, {
      extraClaims: { azp: 'https://app1.example' },
    });
    const app1 = { authorizedParties: ['https://app1.example'] };
    const app2 = { authorizedParties: ['https://app2.example'] };
    const response = await invoke(middlewareFor(emulator, undefined, app1), 'http://localhost/api/me', {
      headers: bearer(token),
    });
    const forwarded = forwardedRequestHeaders(response)!;
    const appClerk = (options: ClerkMiddlewareOptions) => createClerkAuth(optionsFor(emulator, options));
    expect(await authFromHeaders(forwarded, appClerk(app1))).toMatchObject({ userId: 'user_app1' });
    // App 2 itself refuses the token, and so its forwarded state.
    expect(
      (await appClerk(app2).authenticateRequest(new Request('http://localhost/', { headers: bearer(token) }))).reason,
    ).toBe('token-invalid-authorized-parties');
    expect(await authFromHeaders(forwarded, appClerk(app2))).toMatchObject({ isAuthenticated: false });
    // Any other verification configuration derives another key: an audience, a wider algorithm list.
    expect(await authFromHeaders(forwarded, appClerk({ ...app1, audience: 'app1' }))).toMatchObject({
      isAuthenticated: false,
    });
    expect(await authFromHeaders(forwarded, appClerk({ ...app1, algorithms: ['RS256', 'ES256'] }))).toMatchObject({
      isAuthenticated: false,
    });
  });

  it("returns the handler's own final response without forwarding anything, even with immutable headers", async () => {
    const { emulator } = context;
    const middleware = middlewareFor(emulator, () => Response.redirect('http://localhost/elsewhere', 302));
    const response = await invoke(middleware, 'http://localhost/old', { headers: bearer(member) });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('http://localhost/elsewhere');
    expect(response.headers.has('x-middleware-override-headers')).toBe(false);
  });

  it('gives the handler the auth object, the NextRequest and the event', async () => {
    const { emulator } = context;
    let seen: unknown[] = [];
    const middleware = middlewareFor(emulator, async (auth, request, event) => {
      seen = [
        (await auth()).userId,
        request.nextUrl.pathname,
        typeof event.waitUntil,
        (await auth({ acceptsToken: 'api_key' })).isAuthenticated,
      ];
    });
    await invoke(middleware, 'http://localhost/some/page', { headers: bearer(member) });
    expect(seen).toEqual(['user_member', '/some/page', 'function', false]);
  });

  it('lets errors other than auth.protect() propagate', async () => {
    const { emulator } = context;
    const middleware = middlewareFor(emulator, () => {
      throw new TypeError('boom');
    });
    await expect(invoke(middleware, 'http://localhost/')).rejects.toThrow('boom');
  });

  it('adds debug headers to the response when debug is on', async () => {
    const { emulator } = context;
    const response = await invoke(middlewareFor(emulator, undefined, { debug: true }), 'http://localhost/', {
      headers: bearer('not-a-token'),
    });
    expect(response.headers.get('x-clerk-auth-status')).toBe('signed-out');
    expect(response.headers.get('x-clerk-auth-reason')).toBe('token-malformed');
  });
});

describe('clerkMiddleware: auth.protect()', () => {
  it('redirects a signed-out page request to the sign-in URL with the request URL to return to', async () => {
    const { emulator } = context;
    const middleware = middlewareFor(emulator, protectAll, { signInUrl: 'https://accounts.example.com/sign-in' });
    const response = await invoke(middleware, 'http://localhost/dashboard?a=1', { headers: html });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe(
      'https://accounts.example.com/sign-in?redirect_url=http%3A%2F%2Flocalhost%2Fdashboard%3Fa%3D1',
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.has('x-middleware-override-headers')).toBe(false);
  });

  it('takes the sign-in URL from NEXT_PUBLIC_CLERK_SIGN_IN_URL and the origin from X-Forwarded-* when proxy headers are trusted', async () => {
    const { emulator } = context;
    const middleware = middlewareFor(emulator, protectAll, {
      env: { NEXT_PUBLIC_CLERK_SIGN_IN_URL: '/login', CLERK_TRUST_PROXY_HEADERS: 'true' },
    });
    const response = await invoke(middleware, 'http://localhost:3000/dashboard', {
      headers: { ...html, 'x-forwarded-host': 'app.example.com', 'x-forwarded-proto': 'https' },
    });
    expect(response.headers.get('location')).toBe(
      'https://app.example.com/login?redirect_url=https%3A%2F%2Fapp.example.com%2Fdashboard',
    );
  });

  it('keeps a request path that starts with two slashes on the app in the sign-in redirect (never another host)', async () => {
    const { emulator } = context;
    const middleware = middlewareFor(emulator, protectAll, { env: { NEXT_PUBLIC_CLERK_SIGN_IN_URL: '/login' } });
    const response = await invoke(middleware, 'http://localhost:3000//evil.example/x', { headers: html });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe(
      'http://localhost:3000/login?redirect_url=http%3A%2F%2Flocalhost%3A3000%2F%2Fevil.example%2Fx',
    );
  });

  it('ignores client-sent X-Forwarded-* in the sign-in redirect unless the app trusts its proxy', async () => {
    const { emulator } = context;
    const middleware = middlewareFor(emulator, protectAll, { env: { NEXT_PUBLIC_CLERK_SIGN_IN_URL: '/login' } });
    const response = await invoke(middleware, 'http://localhost:3000/dashboard', {
      headers: { ...html, 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe(
      'http://localhost:3000/login?redirect_url=http%3A%2F%2Flocalhost%3A3000%2Fdashboard',
    );
  });

  it('does not redirect the sign-in page to itself', async () => {
    const { emulator } = context;
    const response = await invoke(middlewareFor(emulator, protectAll), 'http://localhost/sign-in', { headers: html });
    expect(response.status).toBe(401);
  });

  it('answers a signed-out API request with 401, WWW-Authenticate and a JSON reason', async () => {
    const { emulator } = context;
    const response = await invoke(middlewareFor(emulator, protectAll), 'http://localhost/api/me', { headers: html });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="clerk"');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ error: 'unauthorized', reason: 'token-missing' });
  });

  it('answers a page request with a bad bearer token with 401, never a redirect', async () => {
    const { emulator } = context;
    const now = Math.floor(Date.now() / 1000);
    const foreign = await emulator.signToken({
      key: 'foreign',
      claims: { sub: 'user_x', iss: emulator.issuer, iat: now, nbf: now, exp: now + 60 },
      header: { cat: 'cl_B7d4PD111AAA' },
    });
    const response = await invoke(middlewareFor(emulator, protectAll), 'http://localhost/dashboard', {
      headers: { ...html, ...bearer(foreign) },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="clerk", error="invalid_token", error_description="token-invalid-signature"',
    );
  });

  it('answers 403 to a signed-in user without the role, and passes an admin on', async () => {
    const { emulator } = context;
    const middleware = middlewareFor(emulator, async (auth) => {
      await auth.protect({ role: 'org:admin' });
    });
    const denied = await invoke(middleware, 'http://localhost/admin', { headers: { ...html, ...bearer(member) } });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toBe(
      'Bearer realm="clerk", error="insufficient_scope", error_description="forbidden"',
    );
    expect(await denied.json()).toEqual({ error: 'forbidden', reason: 'forbidden' });

    const allowed = await invoke(middleware, 'http://localhost/admin', { headers: bearer(admin) });
    expect(allowed.headers.get('x-middleware-next')).toBe('1');
  });

  it("answers 404 instead when configured with unauthorized: 'not-found', globally or per call", async () => {
    const { emulator } = context;
    const global = middlewareFor(emulator, async (auth) => void (await auth.protect({ role: 'admin' })), {
      unauthorized: 'not-found',
    });
    const hidden = await invoke(global, 'http://localhost/admin', { headers: bearer(member) });
    expect(hidden.status).toBe(404);
    expect(hidden.headers.has('www-authenticate')).toBe(false);
    expect(await hidden.json()).toEqual({ error: 'not-found' });

    const perCall = middlewareFor(
      emulator,
      async (auth) => void (await auth.protect({ role: 'admin' }, { unauthorized: 'not-found' })),
    );
    expect((await invoke(perCall, 'http://localhost/admin', { headers: bearer(member) })).status).toBe(404);
  });

  it('checks permission, feature and plan, and requires all of them', async () => {
    const { emulator } = context;
    const statusFor = async (params: Parameters<ClerkMiddlewareAuth['protect']>[0]) =>
      (
        await invoke(
          middlewareFor(emulator, async (auth) => void (await auth.protect(params))),
          'http://localhost/x',
          { headers: bearer(member) },
        )
      ).status;
    expect(await statusFor({ permission: 'org:reports:read' })).toBe(200);
    expect(await statusFor({ permission: 'org:reports:write' })).toBe(403);
    expect(await statusFor({ feature: 'reports' })).toBe(200);
    expect(await statusFor({ feature: 'billing' })).toBe(403);
    expect(await statusFor({ plan: 'pro' })).toBe(200);
    expect(await statusFor({ plan: 'enterprise' })).toBe(403);
    expect(await statusFor({ role: 'org:member', plan: 'pro' })).toBe(200);
    expect(await statusFor({ role: 'org:member', plan: 'enterprise' })).toBe(403);
  });

  it('accepts a predicate; one that throws or returns a non-boolean denies', async () => {
    const { emulator } = context;
    const statusFor = async (params: Parameters<ClerkMiddlewareAuth['protect']>[0]) =>
      (
        await invoke(
          middlewareFor(emulator, async (auth) => void (await auth.protect(params))),
          'http://localhost/x',
          { headers: bearer(member) },
        )
      ).status;
    expect(await statusFor((auth) => auth.userId === 'user_member')).toBe(200);
    expect(await statusFor((auth) => auth.userId === 'user_other')).toBe(403);
    expect(await statusFor({ predicate: (auth) => auth.tokenType === 'session_token' })).toBe(200);
    expect(
      await statusFor(() => {
        throw new Error('bug');
      }),
    ).toBe(403);
    expect(await statusFor((() => 'yes') as unknown as () => boolean)).toBe(403);
  });

  it('resolves to the auth object when the request passes', async () => {
    const { emulator } = context;
    let userId: string | null = null;
    await invoke(
      middlewareFor(emulator, async (auth) => {
        userId = (await auth.protect()).userId;
      }),
      'http://localhost/x',
      { headers: bearer(member) },
    );
    expect(userId).toBe('user_member');
  });

  it('verifies an API key only where protect() accepts one, and forwards the machine identity', async () => {
    const { emulator } = context;
    const { secret } = await emulator.createApiKey({ subject: 'user_member', scopes: ['write'] });
    const verifyRoute = 'POST /v1/api_keys/verify';
    const before = emulator.requestCount(verifyRoute);

    const sessionOnly = await invoke(middlewareFor(emulator, protectAll), 'http://localhost/api/me', {
      headers: bearer(secret),
    });
    expect(sessionOnly.status).toBe(401);
    expect(await sessionOnly.json()).toEqual({ error: 'unauthorized', reason: 'token-type-mismatch' });
    expect(emulator.requestCount(verifyRoute)).toBe(before);

    const ingest = middlewareFor(
      emulator,
      async (auth) => void (await auth.protect({ acceptsToken: 'api_key', scopes: ['write'] })),
    );
    const allowed = await invoke(ingest, 'http://localhost/api/ingest', { method: 'POST', headers: bearer(secret) });
    expect(allowed.headers.get('x-middleware-next')).toBe('1');
    expect(emulator.requestCount(verifyRoute)).toBe(before + 1);
    const forwarded = forwardedRequestHeaders(allowed)!;
    const clerk = routeClerkFor(emulator);
    expect(await authFromHeaders(forwarded, clerk, { acceptsToken: 'api_key' })).toMatchObject({
      tokenType: 'api_key',
      subject: 'user_member',
      scopes: ['write'],
    });
    expect(await authFromHeaders(forwarded, clerk)).toMatchObject({ isAuthenticated: false, tokenType: 'api_key' });

    const readOnly = middlewareFor(
      emulator,
      async (auth) => void (await auth.protect({ acceptsToken: 'api_key', scopes: ['admin'] })),
    );
    expect(
      (await invoke(readOnly, 'http://localhost/api/ingest', { method: 'POST', headers: bearer(secret) })).status,
    ).toBe(403);
  });

  it('answers 503 with Retry-After when Clerk cannot be reached, never a sign-out or a redirect', async () => {
    const emulator = await createClerkEmulator();
    try {
      const { session } = await emulator.createSession({ userId: 'user_1' });
      const token = await emulator.createSessionToken(session.id);
      emulator.fault('GET /v1/jwks', { status: 503, headers: { 'Retry-After': '7' } });
      const response = await invoke(middlewareFor(emulator, protectAll), 'http://localhost/dashboard', {
        headers: { ...html, cookie: `__session=${token}; __client_uat=${Math.floor(Date.now() / 1000) - 5}` },
      });
      expect(response.status).toBe(503);
      // A key-set failure passes on the wait the JWKS asked for.
      expect(response.headers.get('retry-after')).toBe('7');
      expect(await response.json()).toEqual({ error: 'unavailable', reason: 'jwks-unavailable' });
    } finally {
      await emulator.close();
    }
  });
});

describe('clerkMiddleware: session refresh', () => {
  it('refreshes an expired session cookie, sets the new cookies and hands the new session to the app', async () => {
    const { emulator } = context;
    const { session, refreshToken } = await emulator.createSession({ userId: 'user_refresh' });
    const issuedAt = Math.floor(Date.now() / 1000) - 120;
    const expired = await emulator.createSessionToken(session.id, { issuedAt, expiresInSeconds: 60 });
    const suffix = emulator.cookieSuffix;
    const route = 'POST /v1/sessions/:session_id/refresh';
    const before = emulator.requestCount(route);

    const response = await invoke(middlewareFor(emulator, protectAll), 'http://localhost/dashboard', {
      headers: {
        ...html,
        cookie: `theme=dark; __session_${suffix}=${expired}; __client_uat_${suffix}=${issuedAt}; __refresh_${suffix}=${refreshToken}`,
      },
    });
    expect(response.headers.get('x-middleware-next')).toBe('1');
    expect(emulator.requestCount(route)).toBe(before + 1);
    const setCookies = response.headers.getSetCookie();
    const fresh = setCookies
      .find((cookie) => cookie.startsWith(`__session_${suffix}=`))
      ?.split(';')[0]
      ?.split('=')[1];
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(expired);
    expect(setCookies.some((cookie) => cookie.startsWith(`__client_uat_${suffix}=`))).toBe(true);

    const forwarded = forwardedRequestHeaders(response)!;
    const cookie = forwarded.get('cookie')!;
    expect(cookie).toContain('theme=dark');
    expect(cookie).toContain(`__session_${suffix}=${fresh}`);
    expect(cookie).not.toContain(expired);
    expect(await authFromHeaders(forwarded, routeClerkFor(emulator))).toMatchObject({ userId: 'user_refresh' });
  });

  it('adds the refresh cookies to a response the handler returns', async () => {
    const { emulator } = context;
    const { session, refreshToken } = await emulator.createSession({ userId: 'user_refresh_2' });
    const issuedAt = Math.floor(Date.now() / 1000) - 120;
    const expired = await emulator.createSessionToken(session.id, { issuedAt, expiresInSeconds: 60 });
    const suffix = emulator.cookieSuffix;
    const middleware = middlewareFor(emulator, () => NextResponse.json({ ok: true }));
    const response = await invoke(middleware, 'http://localhost/api/x', {
      headers: {
        cookie: `__session_${suffix}=${expired}; __client_uat_${suffix}=${issuedAt}; __refresh_${suffix}=${refreshToken}`,
      },
    });
    expect(await response.json()).toEqual({ ok: true });
    expect(response.headers.getSetCookie().filter((cookie) => cookie.startsWith('__session'))).toHaveLength(2);
  });
});

describe('clerkMiddleware: configuration', () => {
  it('throws when created with a malformed key, naming the variable to set', () => {
    expect(() => clerkMiddleware({ secretKey: 'not-a-key', env: {} })).toThrowError(/CLERK_SECRET_KEY/);
    expect(() => clerkMiddleware({ secretKey: 'not-a-key', env: {} })).toThrow(
      expect.objectContaining({ code: 'configuration-invalid', option: 'secretKey' }),
    );
  });

  it('throws when created without a secret key to sign forwarded state with', () => {
    const { emulator } = context;
    expect(() => clerkMiddleware({ publishableKey: emulator.publishableKey, env: {} })).toThrow(
      expect.objectContaining({ code: 'configuration-missing', option: 'secretKey' }),
    );
  });

  it('rejects invalid adapter options when created', () => {
    const { emulator } = context;
    expect(() => clerkMiddleware(optionsFor(emulator, { unauthorized: 'teapot' as 'forbidden' }))).toThrow(
      expect.objectContaining({ option: 'unauthorized' }),
    );
    expect(() => clerkMiddleware(optionsFor(emulator, { forwardedStateTtlSeconds: 0 }))).toThrow(
      expect.objectContaining({ option: 'forwardedStateTtlSeconds' }),
    );
    expect(() => clerkMiddleware(optionsFor(emulator, { apiRoutes: ['no-slash'] }))).toThrow(TypeError);
  });

  it('accepts keys that only appear at run time (next build evaluates without them), and fails the request if they never do', async () => {
    const middleware = clerkMiddleware({ env: {} });
    await expect(invoke(middleware, 'http://localhost/')).rejects.toMatchObject({ code: 'configuration-missing' });
  });

  it('reads keys from the environment, with NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY as the publishable key', async () => {
    const { emulator } = context;
    const middleware = clerkMiddleware(protectAll, {
      env: {
        CLERK_SECRET_KEY: emulator.secretKey,
        NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: emulator.publishableKey,
        CLERK_API_URL: emulator.url,
        CLERK_HANDSHAKE: 'false',
      },
    });
    const suffix = emulator.cookieSuffix;
    const response = await invoke(middleware, 'http://localhost/dashboard', {
      headers: { ...html, cookie: `__session_${suffix}=${member}; __client_uat_${suffix}=${memberIssuedAt}` },
    });
    expect(response.headers.get('x-middleware-next')).toBe('1');
  });
});

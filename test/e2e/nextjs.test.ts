// End to end: examples/nextjs is built (`next build`) and started (`next start` on 127.0.0.1)
// twice, with middleware.ts (edge runtime) and with proxy.ts (Node runtime), against the Clerk
// emulator over real loopback HTTP, and probed with real HTTP requests.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { createClerkClient } from '../../src/api/index.js';
import { createClerkAuth } from '../../src/core/authenticate.js';
import { sessionAuthObject } from '../../src/core/claims.js';
import type { ClerkEdgeOptions } from '../../src/core/config.js';
import { signedIn } from '../../src/core/state.js';
import {
  credentialHash,
  FORWARDED_AUTH_HEADER,
  FORWARDED_SIGNATURE_HEADER,
  forwardingSecret,
  signForwardedState,
} from '../../src/next/forwarded.js';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { nextBrowserSuite } from '../browser/next-browser.js';
import { build, builtRuntime, cleanCopies, prepare, start, type FileConvention, type StartedApp } from './next-app.js';

const CONVENTIONS: FileConvention[] = ['middleware', 'proxy'];
const REFRESH_ROUTE = 'POST /v1/sessions/:session_id/refresh';
// Two `next build`s on a machine shared with other work have taken more than the project's 150 s.
const BUILD_TIMEOUT_MS = 600_000;

let emulator: ClerkEmulator;
const apps = new Map<FileConvention, StartedApp>();
const dirs = new Map<FileConvention, string>();
let memberToken: string;
let adminToken: string;
let memberIssuedAt: number;
/** A user stored in the emulator (name, metadata) with a session, for the Backend API routes. */
let ada: { id: string; sessionId: string; token: string };
const TEMPLATE_ROUTE = 'POST /v1/sessions/:session_id/tokens/:template_name';
let startedAt = 0;

beforeAll(async () => {
  startedAt = Date.now();
  emulator = await createClerkEmulator();
  for (const convention of CONVENTIONS) dirs.set(convention, await prepare(convention));
  // In parallel: each build spends much of its time waiting (type check, I/O); measured faster on two cores.
  await Promise.all(CONVENTIONS.map((convention) => build(dirs.get(convention)!)));
  const env = {
    CLERK_SECRET_KEY: emulator.secretKey,
    CLERK_PUBLISHABLE_KEY: emulator.publishableKey,
    CLERK_API_URL: emulator.url,
    // These probes test the middleware's own answers with plain HTTP; the handshake has the browser suite.
    CLERK_HANDSHAKE: 'false',
  };
  for (const convention of CONVENTIONS) apps.set(convention, await start(dirs.get(convention)!, env));

  const member = await emulator.createSession({ userId: 'user_member', orgId: 'org_demo', orgRole: 'org:member' });
  const admin = await emulator.createSession({ userId: 'user_admin', orgId: 'org_demo', orgRole: 'org:admin' });
  memberIssuedAt = Math.floor(Date.now() / 1000);
  memberToken = await emulator.createSessionToken(member.session.id, {
    expiresInSeconds: 600,
    issuedAt: memberIssuedAt,
  });
  adminToken = await emulator.createSessionToken(admin.session.id, { expiresInSeconds: 600 });
  const backend = createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url, env: {} });
  const user = await backend.users.create({ body: { first_name: 'Ada', last_name: 'Lovelace' } });
  await backend.jwtTemplates.create({ body: { name: 'e2e', claims: { role: 'e2e' }, lifetime: 300 } });
  const adaSession = await emulator.createSession({ userId: user.id });
  ada = {
    id: user.id,
    sessionId: adaSession.session.id,
    token: await emulator.createSessionToken(adaSession.session.id, { expiresInSeconds: 600 }),
  };
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([...apps.values()].map((app) => app.stop()));
  await emulator?.close();
  cleanCopies();
  console.info(
    `examples/nextjs e2e: built, started and probed both file conventions in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
  );
});

async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A GET with the path sent byte for byte (fetch would resolve `..` and `%2e%2e` segments first). */
function rawGet(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; location: string | null; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, headers, timeout: 15_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location ?? null,
          text: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const html = { accept: 'text/html,application/xhtml+xml' };

/**
 * A forwarded state for `userId`, signed with the key of an app configured like the example (plus
 * `options`): what an attacker who knew the secret key could send.
 */
async function forgedHeaders(
  userId: string,
  boundTo: Record<string, string>,
  options: ClerkEdgeOptions & { expiresAt?: number } = {},
): Promise<Record<string, string>> {
  const now = Math.floor(Date.now() / 1000);
  const state = signedIn(
    sessionAuthObject({
      sub: userId,
      sid: 'sess_forged',
      iat: now,
      exp: options.expiresAt ?? now + 600,
      o: { id: 'org_demo', rol: 'admin' },
      v: 2,
    }),
  );
  const { expiresAt: _, ...configOptions } = options;
  const { config } = createClerkAuth({
    secretKey: emulator.secretKey,
    publishableKey: emulator.publishableKey,
    apiUrl: emulator.url,
    env: {},
    ...configOptions,
  });
  return signForwardedState(state, {
    ...forwardingSecret({ ...config, secretKey: emulator.secretKey }),
    credentialHash: await credentialHash(new Headers(boundTo), emulator.cookieSuffix),
    now: Date.now(),
    ttlSeconds: 60,
  });
}

describe.each(CONVENTIONS)('examples/nextjs with %s.ts', (convention) => {
  const app = () => apps.get(convention)!;

  it('was built for the runtime of its file convention', () => {
    expect(builtRuntime(dirs.get(convention)!)).toBe(convention === 'proxy' ? 'nodejs' : 'edge');
  });

  it('redirects a signed-out page request to sign in, with the page as the return URL', async () => {
    const response = await get(`${app().url}/dashboard?tab=1`, html);
    expect(response.status).toBe(307);
    const location = new URL(response.headers.get('location')!, app().url);
    expect(location.pathname).toBe('/sign-in');
    // The request URL as Next reports it (`next start` says localhost whatever the Host header), not
    // the client's Host header: that is only trusted with trustProxyHeaders (see docs/nextjs.md).
    const nextOrigin = `http://localhost:${new URL(app().url).port}`;
    expect(location.searchParams.get('redirect_url')).toBe(`${nextOrigin}/dashboard?tab=1`);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a signed-out API request with 401, WWW-Authenticate and a JSON reason', async () => {
    const response = await get(`${app().url}/api/me`, html);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="clerk"');
    expect(JSON.parse(response.text)).toEqual({ error: 'unauthorized', reason: 'token-missing' });
  });

  it('serves the protected page to an emulator session cookie and shows the user id', async () => {
    const suffix = emulator.cookieSuffix;
    const cookie = `__session_${suffix}=${memberToken}; __client_uat_${suffix}=${memberIssuedAt}`;
    const response = await get(`${app().url}/dashboard`, { ...html, cookie });
    expect(response.status).toBe(200);
    expect(response.text).toContain('<span id="user-id">user_member</span>');
  });

  it('shows the signed-in user from currentUser(), updates metadata and mints a JWT-template token', async () => {
    const auth = { authorization: `Bearer ${ada.token}` };
    const users = emulator.requestCount('GET /v1/users/:user_id');
    const profile = await get(`${app().url}/api/me/profile`, auth);
    expect(profile.status).toBe(200);
    expect(JSON.parse(profile.text)).toMatchObject({ name: 'Ada Lovelace', sameObject: true });
    expect(emulator.requestCount('GET /v1/users/:user_id') - users).toBe(1);
    const page = await get(`${app().url}/dashboard/profile`, { ...html, ...auth });
    expect(page.text).toContain('<span id="user-name">Ada Lovelace</span>');

    const updated = await fetch(`${app().url}/api/me/metadata`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ [convention]: true }),
    });
    expect(updated.status).toBe(200);
    expect(((await updated.json()) as { publicMetadata: Record<string, unknown> }).publicMetadata[convention]).toBe(
      true,
    );

    const mints = emulator.requestCount(TEMPLATE_ROUTE);
    const first = JSON.parse((await get(`${app().url}/api/me/token/e2e`, auth)).text) as { token: string };
    const second = JSON.parse((await get(`${app().url}/api/me/token/e2e`, auth)).text) as { token: string };
    expect(second.token).toBe(first.token);
    expect(decodeJwt(first.token)).toMatchObject({ role: 'e2e', sid: ada.sessionId, sub: ada.id });
    expect(emulator.requestCount(TEMPLATE_ROUTE) - mints).toBe(1);
  });

  it('serves the protected API to an emulator session token in the Authorization header', async () => {
    const response = await get(`${app().url}/api/me`, bearer(memberToken));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({
      userId: 'user_member',
      orgId: 'org_demo',
      orgRole: 'org:member',
    });
  });

  it('answers 403 to a user without the org:admin role, and lets an admin in', async () => {
    const api = await get(`${app().url}/api/admin`, bearer(memberToken));
    expect(api.status).toBe(403);
    expect(JSON.parse(api.text)).toEqual({ error: 'forbidden', reason: 'forbidden' });
    const suffix = emulator.cookieSuffix;
    const page = await get(`${app().url}/admin`, {
      ...html,
      cookie: `__session_${suffix}=${memberToken}; __client_uat_${suffix}=${memberIssuedAt}`,
    });
    expect(page.status).toBe(403);

    const admin = await get(`${app().url}/api/admin`, bearer(adminToken));
    expect(admin.status).toBe(200);
    expect(JSON.parse(admin.text)).toEqual({
      userId: 'user_admin',
      orgId: 'org_demo',
      orgRole: 'org:admin',
      admin: true,
    });
  });

  it('refuses a token signed by another key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const foreign = await emulator.signToken({
      key: 'foreign',
      claims: { sub: 'user_member', sid: 'sess_x', iss: emulator.issuer, iat: now, nbf: now - 10, exp: now + 600 },
      header: { cat: 'cl_B7d4PD111AAA' },
    });
    const response = await get(`${app().url}/api/me`, bearer(foreign));
    expect(response.status).toBe(401);
    expect(JSON.parse(response.text)).toEqual({ error: 'unauthorized', reason: 'token-invalid-signature' });
  });

  it('ignores auth headers forged by the client, even validly signed ones', async () => {
    const signedOut = await forgedHeaders('user_forged', {});
    const whoami = await get(`${app().url}/api/whoami`, signedOut);
    expect(JSON.parse(whoami.text)).toEqual({ userId: null, isAuthenticated: false, tokenType: null });
    expect((await get(`${app().url}/api/me`, signedOut)).status).toBe(401);

    const asAdmin = await forgedHeaders('user_admin', bearer(memberToken));
    const member = await get(`${app().url}/api/whoami`, { ...bearer(memberToken), ...asAdmin });
    expect(JSON.parse(member.text)).toEqual({
      userId: 'user_member',
      isAuthenticated: true,
      tokenType: 'session_token',
    });
    expect((await get(`${app().url}/api/admin`, { ...bearer(memberToken), ...asAdmin })).status).toBe(403);

    const throughNextInternals = await get(`${app().url}/api/whoami`, {
      'x-middleware-override-headers': FORWARDED_AUTH_HEADER,
      [`x-middleware-request-${FORWARDED_AUTH_HEADER}`]: signedOut[FORWARDED_AUTH_HEADER]!,
      [`x-middleware-request-${FORWARDED_SIGNATURE_HEADER}`]: signedOut[FORWARDED_SIGNATURE_HEADER]!,
    });
    expect(JSON.parse(throughNextInternals.text)).toMatchObject({ userId: null, isAuthenticated: false });

    const garbage = await get(`${app().url}/api/whoami`, {
      [FORWARDED_AUTH_HEADER]: 'eyJ2IjoxfQ',
      [FORWARDED_SIGNATURE_HEADER]: 'AAAA',
    });
    expect(JSON.parse(garbage.text)).toMatchObject({ userId: null, isAuthenticated: false });
  });

  it('replays of forwarded state (expired token, another configuration, handler-only headers) change no verdict', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await emulator.createSessionToken(
      (await emulator.createSession({ userId: `user_expired_${convention}` })).session.id,
      { issuedAt: now - 120, expiresInSeconds: 60 },
    );
    const forExpired = await forgedHeaders('user_admin', bearer(expired), { expiresAt: now - 60 });
    const expiredReplay = await get(`${app().url}/api/me`, { ...bearer(expired), ...forExpired });
    expect(expiredReplay.status).toBe(401);
    expect(JSON.parse(expiredReplay.text)).toEqual({ error: 'unauthorized', reason: 'token-expired' });

    const otherApp = await forgedHeaders('user_admin', bearer(memberToken), {
      authorizedParties: ['https://other-app.example'],
    });
    const otherReplay = await get(`${app().url}/api/admin`, { ...bearer(memberToken), ...otherApp });
    expect(otherReplay.status).toBe(403);
    const whoami = await get(`${app().url}/api/whoami`, { ...bearer(memberToken), ...otherApp });
    expect(JSON.parse(whoami.text)).toEqual({
      userId: 'user_member',
      isAuthenticated: true,
      tokenType: 'session_token',
    });
  });

  it('protects dynamic pages whatever their path looks like: extensions, dot-directories, encodings', async () => {
    const paths = [
      '/admin/x.txt',
      '/admin/a.png',
      '/admin/site.webmanifest',
      '/admin/favicon.ico',
      '/dashboard/.well-known/x.json',
      '/dashboard/report.csv',
      '/dashboard/app.js',
      '/admin%2Fx',
      '/%61dmin/x.txt',
    ];
    for (const path of paths) {
      const response = await rawGet(app().url, path, html);
      const location = response.location === null ? null : new URL(response.location, app().url).pathname;
      expect([path, response.status, location]).toEqual([path, 307, '/sign-in']);
    }
    const suffix = emulator.cookieSuffix;
    const memberCookie = `__session_${suffix}=${memberToken}; __client_uat_${suffix}=${memberIssuedAt}`;
    const asMember = await rawGet(app().url, '/admin/x.txt', { ...html, cookie: memberCookie });
    expect(asMember.status).toBe(403);
    // The pages exist and render for who may see them.
    const asAdmin = await rawGet(app().url, '/admin/x.txt', { ...html, ...bearer(adminToken) });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.text).toContain('<span id="user-id">user_admin</span>');
    const dashboard = await rawGet(app().url, '/dashboard/.well-known/x.json', { ...html, cookie: memberCookie });
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).toContain('<span id="user-id">user_member</span>');
  });

  it('serves nothing protected through the paths the matcher skips, or paths no page answers', async () => {
    for (const path of [
      '/%2561dmin/x.txt',
      '/_next/static/..%2Fadmin',
      '/_next/static/%2e%2e/%2e%2e/admin',
      '/_next/static/../../admin/x.txt',
      '/_next/image?url=%2Fadmin&w=64&q=75',
      '/_next/image?url=%2Fdashboard%2Fx.png&w=64&q=75',
      '/favicon.ico/../admin',
    ]) {
      const response = await rawGet(app().url, path, html);
      expect([path, response.status === 200, response.text.includes('id="user-id"')]).toEqual([path, false, false]);
    }
  });

  it('refreshes an expired session cookie and sets the new session cookies on the response', async () => {
    const { session, refreshToken } = await emulator.createSession({ userId: `user_refresh_${convention}` });
    const issuedAt = Math.floor(Date.now() / 1000) - 120;
    const expired = await emulator.createSessionToken(session.id, { issuedAt, expiresInSeconds: 60 });
    const suffix = emulator.cookieSuffix;
    const refreshesBefore = emulator.requestCount(REFRESH_ROUTE);

    const response = await get(`${app().url}/dashboard`, {
      ...html,
      cookie: `__session_${suffix}=${expired}; __client_uat_${suffix}=${issuedAt}; __refresh_${suffix}=${refreshToken}`,
    });
    expect(response.status).toBe(200);
    expect(response.text).toContain(`<span id="user-id">user_refresh_${convention}</span>`);
    expect(emulator.requestCount(REFRESH_ROUTE)).toBe(refreshesBefore + 1);
    const cookies = response.headers.getSetCookie();
    const session_ = cookies.find((cookie) => cookie.startsWith(`__session_${suffix}=`));
    expect(session_).toBeDefined();
    expect(session_).not.toContain(expired);
    expect(cookies.some((cookie) => cookie.startsWith(`__client_uat_${suffix}=`))).toBe(true);
  });
});

// The same builds, started again with the handshake on, driven by a real browser.
nextBrowserSuite(CONVENTIONS, dirs);

import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TOKEN_CATEGORY, createClerkEmulator } from '../../src/testing/index.js';
import type { ClerkEmulator } from '../../src/testing/index.js';
import { expectFapiError, expectFapiStatus, fapiQueryParameter } from './fapi-spec.js';
import { bapi, obj } from './http.js';
import { expectMatchesComponent, expectMatchesSpec, specPathFor } from './spec-schema.js';

const APP = 'http://localhost:3999/dashboard?tab=1';
const HANDSHAKE = '/v1/client/handshake';
let emulator: ClerkEmulator;

beforeAll(async () => {
  emulator = await createClerkEmulator();
});
afterAll(() => emulator.close());

/** A GET on the Frontend API that does not follow redirects, as a browser's first hop. */
function fapiGet(path: string, params: Record<string, string>, cookie?: string, target = emulator) {
  const url = new URL(path, target.frontendApiUrl);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
}

const handshake = (params: Record<string, string>, cookie?: string) =>
  fapiGet(HANDSHAKE, { redirect_url: APP, format: 'nonce', ...params }, cookie);

const signIn = (userId: string, params: Record<string, string> = {}, cookie?: string) =>
  fapiGet('/__emulator/sign-in', { user_id: userId, redirect_url: APP, ...params }, cookie);

/** The `name=value` pair of the FAPI `__client` cookie a response sets. */
const clientCookie = (res: Response) =>
  res.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith('__client='))
    ?.split(';')[0];

const location = (res: Response) => new URL(res.headers.get('location') ?? 'about:blank');

async function redeem(nonce: string | null, target = emulator) {
  return bapi(target, 'GET', `/v1/clients/handshake_payload?nonce=${encodeURIComponent(nonce ?? '')}`);
}

/** The directives a handshake redirect carries under its nonce. */
async function directivesOf(res: Response, target = emulator): Promise<string[]> {
  const payload = await redeem(location(res).searchParams.get('__clerk_handshake_nonce'), target);
  expect(payload.status).toBe(200);
  expect(Object.keys(obj(payload.body))).toEqual(['directives']);
  return obj(payload.body).directives as string[];
}

const cookieValue = (directives: string[], name: string) =>
  directives
    .find((d) => d.startsWith(`${name}=`))
    ?.split(';')[0]
    ?.slice(name.length + 1);

const verify = (token: string) => jwtVerify(token, createLocalJWKSet(emulator.jwks()));

describe('GET /v1/client/handshake for a signed-out browser', () => {
  it('redirects 307 to redirect_url with a one-time nonce, a dev-browser token and a FAPI-host client cookie', async () => {
    const res = await handshake({ suffixed_cookies: 'true', __clerk_hs_reason: 'session-token-expired' });
    expect(res.status).toBe(307);
    expectFapiStatus('GET', HANDSHAKE, 307);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const to = location(res);
    expect(`${to.origin}${to.pathname}`).toBe('http://localhost:3999/dashboard');
    expect(to.searchParams.get('tab')).toBe('1');
    expect(to.searchParams.get('__clerk_handshake_nonce')).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(to.searchParams.get('__clerk_db_jwt')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^__client=[A-Za-z0-9]{48}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=315360000$/);
    const logged = emulator.requests.at(-1);
    expect(logged?.route).toBe('GET /v1/client/handshake');
    expect(logged?.query.__clerk_hs_reason).toBe('session-token-expired');
  });

  it('stores directives that clear the session cookies, redeemable once with the secret key', async () => {
    const res = await handshake({ suffixed_cookies: 'true' });
    const nonce = location(res).searchParams.get('__clerk_handshake_nonce');
    const s = emulator.cookieSuffix;
    expect(await directivesOf(res)).toEqual([
      `__session_${s}=; Path=/; SameSite=Lax; Max-Age=0`,
      '__session=; Path=/; SameSite=Lax; Max-Age=0',
      `__client_uat_${s}=0; Path=/; SameSite=Lax; Max-Age=315360000`,
      '__client_uat=0; Path=/; SameSite=Lax; Max-Age=315360000',
      `__refresh_${s}=; Path=/; SameSite=Lax; Max-Age=0`,
    ]);
    const again = await redeem(nonce);
    expect(again.status).toBe(400);
    expect(obj(again.body).errors[0].code).toBe('invalid_nonce');
    expectMatchesComponent('ClerkErrors', again.body);
  });
});

describe('GET /v1/clients/handshake_payload', () => {
  it('is a Backend API path of the spec and requires the secret key', async () => {
    expect(specPathFor('/v1/clients/handshake_payload')).toBe('/clients/handshake_payload');
    const res = await handshake({});
    const nonce = location(res).searchParams.get('__clerk_handshake_nonce') ?? '';
    const anonymous = await bapi(emulator, 'GET', `/v1/clients/handshake_payload?nonce=${nonce}`, { bearer: null });
    expect(anonymous.status).toBe(401);
    expectMatchesComponent('ClerkErrors', anonymous.body);
    // The refused request did not use the nonce up.
    expect((await redeem(nonce)).status).toBe(200);
  });

  it('answers 400 in the ClerkErrors shape for a missing or unknown nonce', async () => {
    const missing = await bapi(emulator, 'GET', '/v1/clients/handshake_payload');
    expect(missing.status).toBe(400);
    expect(obj(missing.body).errors[0]).toMatchObject({ code: 'form_param_missing', meta: { param_name: 'nonce' } });
    expectMatchesComponent('ClerkErrors', missing.body);
    const unknown = await redeem('not-a-nonce');
    expect(unknown.status).toBe(400);
    expect(obj(unknown.body).errors[0]).toMatchObject({ code: 'invalid_nonce', meta: { param_name: 'nonce' } });
    expectMatchesComponent('ClerkErrors', unknown.body);
  });

  it('takes injected faults like every other route', async () => {
    const res = await handshake({});
    emulator.fault('GET /v1/clients/handshake_payload', { status: 503, times: 1 });
    const faulted = await redeem(location(res).searchParams.get('__clerk_handshake_nonce'));
    expect(faulted.status).toBe(503);
    expectMatchesComponent('ClerkErrors', faulted.body);
    expect((await redeem(location(res).searchParams.get('__clerk_handshake_nonce'))).status).toBe(200);
  });

  it('refuses a nonce after five minutes', async () => {
    let clock = Date.UTC(2025, 5, 1, 12, 0, 0);
    const timed = await createClerkEmulator({ now: () => clock });
    try {
      const res = await fapiGet(HANDSHAKE, { redirect_url: APP, format: 'nonce' }, undefined, timed);
      clock += 5 * 60 * 1000;
      expect((await redeem(location(res).searchParams.get('__clerk_handshake_nonce'), timed)).status).toBe(400);
    } finally {
      await timed.close();
    }
  });
});

describe('test-only sign-in on the Frontend API host', () => {
  it('signs the browser in and hands the app a session token, client_uat and refresh token for its own domain', async () => {
    const res = await signIn('user_browser');
    expect(res.status).toBe(307);
    expect(clientCookie(res)).toMatch(/^__client=/);
    const directives = await directivesOf(res);
    const s = emulator.cookieSuffix;
    expect(directives.map((d) => d.split('=')[0])).toEqual([`__session_${s}`, `__client_uat_${s}`, `__refresh_${s}`]);
    expect(directives.join('\n')).not.toMatch(/Domain=/i);
    const token = cookieValue(directives, `__session_${s}`) ?? '';
    const { payload } = await verify(token);
    expect(payload.sub).toBe('user_browser');
    expect(payload.azp).toBe('http://localhost:3999');
    expect(decodeProtectedHeader(token).cat).toBe(TOKEN_CATEGORY.session);
    const session = await bapi(emulator, 'GET', `/v1/sessions/${payload.sid}`);
    expect(obj(session.body).status).toBe('active');
    expect(cookieValue(directives, `__client_uat_${s}`)).toBe(String(Math.floor(obj(session.body).created_at / 1000)));
    expect(directives[2]).toMatch(/; Path=\/; SameSite=Lax; HttpOnly; Max-Age=315360000$/);
  });

  it('sets a __refresh cookie that the Backend API refresh endpoint accepts', async () => {
    const directives = await directivesOf(await signIn('user_refresh'));
    const s = emulator.cookieSuffix;
    const token = cookieValue(directives, `__session_${s}`) ?? '';
    const { payload } = await verify(token);
    const refreshed = await bapi(emulator, 'POST', `/v1/sessions/${payload.sid}/refresh`, {
      body: {
        expired_token: token,
        refresh_token: cookieValue(directives, `__refresh_${s}`),
        request_origin: 'http://localhost:3999',
      },
    });
    expect(refreshed.status).toBe(200);
    expectMatchesSpec('POST', '/v1/sessions/:session_id/refresh', 200, refreshed.body);
    expect((await verify(obj(refreshed.body).jwt)).payload.sid).toBe(payload.sid);
  });

  it('remembers the browser by its __client cookie: later handshakes mint fresh tokens for the same session', async () => {
    const first = await signIn('user_remembered');
    const cookie = clientCookie(first) ?? '';
    const sid = (await verify(cookieValue(await directivesOf(first), `__session_${emulator.cookieSuffix}`) ?? ''))
      .payload.sid;
    const later = await handshake({ suffixed_cookies: 'false' }, cookie);
    const directives = await directivesOf(later);
    const s = emulator.cookieSuffix;
    expect(directives.map((d) => d.split('=')[0])).toEqual([
      `__session_${s}`,
      `__client_uat_${s}`,
      `__refresh_${s}`,
      '__session',
      '__client_uat',
    ]);
    expect(cookieValue(directives, '__session')).toBe(cookieValue(directives, `__session_${s}`));
    expect((await verify(cookieValue(directives, '__session') ?? '')).payload.sid).toBe(sid);
    // Without the cookie the same Frontend API sees a signed-out browser.
    expect(cookieValue(await directivesOf(await handshake({})), '__client_uat')).toBe('0');
  });

  it('answers 400 without user_id or with a redirect_url that is not an absolute http(s) URL', async () => {
    const noUser = await fapiGet('/__emulator/sign-in', { redirect_url: APP });
    expect(noUser.status).toBe(400);
    expectMatchesComponent('ClerkErrors', await noUser.json());
    const badUrl = await signIn('user_x', { redirect_url: 'javascript:alert(1)' });
    expect(badUrl.status).toBe(400);
    expect((await badUrl.json()).errors[0].meta.param_name).toBe('redirect_url');
  });
});

describe('signing the browser out', () => {
  it('ends the session on /__emulator/sign-out and redirects with directives that clear the cookies', async () => {
    const cookie = clientCookie(await signIn('user_out')) ?? '';
    const out = await fapiGet('/__emulator/sign-out', { redirect_url: APP }, cookie);
    expect(out.status).toBe(307);
    const directives = await directivesOf(out);
    expect(cookieValue(directives, `__session_${emulator.cookieSuffix}`)).toBe('');
    expect(cookieValue(directives, `__client_uat_${emulator.cookieSuffix}`)).toBe('0');
    expect(cookieValue(await directivesOf(await handshake({}, cookie)), '__client_uat')).toBe('0');
  });

  it('ends sessions with signOutBrowserClients and with a Backend API revoke', async () => {
    const a = clientCookie(await signIn('user_prog_a')) ?? '';
    const b = clientCookie(await signIn('user_prog_b')) ?? '';
    expect(emulator.signOutBrowserClients({ userId: 'user_prog_a' })).toBe(1);
    expect(cookieValue(await directivesOf(await handshake({}, a)), '__client_uat')).toBe('0');
    const stillIn = await directivesOf(await handshake({}, b));
    const { payload } = await verify(cookieValue(stillIn, '__session') ?? '');
    expect((await bapi(emulator, 'POST', `/v1/sessions/${payload.sid}/revoke`)).status).toBe(200);
    expect(cookieValue(await directivesOf(await handshake({}, b)), '__client_uat')).toBe('0');
  });
});

describe('handshake formats and parameters', () => {
  it('accepts exactly the formats the FAPI spec lists and defaults to the spec default', async () => {
    const format = fapiQueryParameter('GET', HANDSHAKE, 'format');
    expect(format.schema?.enum).toEqual(['nonce', 'token']);
    fapiQueryParameter('GET', HANDSHAKE, 'redirect_url');
    const byDefault = await fapiGet(HANDSHAKE, { redirect_url: APP });
    const carrier = format.schema?.default === 'token' ? '__clerk_handshake' : '__clerk_handshake_nonce';
    expect(location(byDefault).searchParams.has(carrier)).toBe(true);
    const wrong = await handshake({ format: 'cookie' });
    expect(wrong.status).toBe(400);
    expectFapiError('GET', HANDSHAKE, 400, await wrong.json());
    const missing = await fapiGet(HANDSHAKE, { format: 'nonce' });
    expect(missing.status).toBe(400);
    expectFapiError('GET', HANDSHAKE, 400, await missing.json());
  });

  it('with format=token carries the directives in a __clerk_handshake JWT signed with the instance key', async () => {
    const cookie = clientCookie(await signIn('user_token')) ?? '';
    const res = await handshake({ format: 'token', suffixed_cookies: 'true' }, cookie);
    const to = location(res);
    expect(to.searchParams.has('__clerk_handshake_nonce')).toBe(false);
    const token = to.searchParams.get('__clerk_handshake') ?? '';
    const { payload, protectedHeader } = await verify(token);
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: emulator.kid, cat: TOKEN_CATEGORY.session });
    const directives = payload.handshake as string[];
    expect(directives.map((d) => d.split('=')[0])).toEqual([
      `__session_${emulator.cookieSuffix}`,
      `__client_uat_${emulator.cookieSuffix}`,
      `__refresh_${emulator.cookieSuffix}`,
    ]);
    expect((await verify(cookieValue(directives, `__session_${emulator.cookieSuffix}`) ?? '')).payload.sub).toBe(
      'user_token',
    );
  });

  it('replaces stale handshake parameters in redirect_url and marks cookies Secure for https apps', async () => {
    const res = await fapiGet(HANDSHAKE, {
      redirect_url: 'https://localhost:3999/?__clerk_handshake_nonce=old&__clerk_db_jwt=old&keep=1',
      format: 'nonce',
    });
    const to = location(res);
    expect(to.searchParams.getAll('__clerk_handshake_nonce')).toHaveLength(1);
    expect(to.searchParams.get('__clerk_handshake_nonce')).not.toBe('old');
    expect(to.searchParams.get('__clerk_db_jwt')).not.toBe('old');
    expect(to.searchParams.get('keep')).toBe('1');
    expect((await directivesOf(res))[0]).toBe(
      `__session_${emulator.cookieSuffix}=; Path=/; SameSite=Lax; Secure; Max-Age=0`,
    );
  });
});

describe('development instances and the dev browser', () => {
  it('creates a dev browser on POST /v1/dev_browser that identifies the client in later handshakes', async () => {
    const created = await fetch(`${emulator.frontendApiUrl}/v1/dev_browser`, { method: 'POST' });
    expect(created.status).toBe(200);
    const body = (await created.json()) as { object: string; id: string };
    expect(body.object).toBe('dev_browser');
    const signedIn = await signIn('user_dev', { __clerk_db_jwt: body.id });
    expect(location(signedIn).searchParams.get('__clerk_db_jwt')).toBe(body.id);
    // No __client cookie: the dev-browser token alone finds the signed-in client.
    const later = await handshake({ __clerk_db_jwt: body.id });
    expect(location(later).searchParams.get('__clerk_db_jwt')).toBe(body.id);
    const { payload } = await verify(cookieValue(await directivesOf(later), '__session') ?? '');
    expect(payload.sub).toBe('user_dev');
  });

  it('on a production instance: no dev browser, and the nonce is also set as a cookie', async () => {
    const live = await createClerkEmulator({ instanceType: 'live' });
    try {
      const res = await fapiGet(HANDSHAKE, { redirect_url: APP, format: 'nonce' }, undefined, live);
      const nonce = location(res).searchParams.get('__clerk_handshake_nonce');
      expect(location(res).searchParams.has('__clerk_db_jwt')).toBe(false);
      expect(res.headers.getSetCookie()[1]).toBe(
        `__clerk_handshake_nonce=${nonce}; Path=/; HttpOnly; SameSite=Lax; Max-Age=300`,
      );
      const devBrowser = await fetch(`${live.frontendApiUrl}/v1/dev_browser`, { method: 'POST' });
      expect(devBrowser.status).toBe(400);
      expectFapiError('POST', '/v1/dev_browser', 400, await devBrowser.json());
    } finally {
      await live.close();
    }
  });
});

describe('session token lifetime', () => {
  it('follows sessionTokenLifetimeSeconds in handshake tokens and refuses disagreeing option names', async () => {
    const short = await createClerkEmulator({ sessionTokenLifetimeSeconds: 2 });
    try {
      const res = await fapiGet('/__emulator/sign-in', { user_id: 'user_short', redirect_url: APP }, undefined, short);
      const directives = await directivesOf(res, short);
      const token = cookieValue(directives, `__session_${short.cookieSuffix}`) ?? '';
      const { payload } = await jwtVerify(token, createLocalJWKSet(short.jwks()));
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(2);
    } finally {
      await short.close();
    }
    await expect(createClerkEmulator({ sessionTokenLifetimeSeconds: 2, sessionTokenTtlSeconds: 3 })).rejects.toThrow(
      /disagree/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { handshakeResponse } from '../../src/index.js';
import {
  APP,
  browserClerk,
  handshakeTarget,
  pageLoad,
  signInReturnUrl,
  withLiveAndDevEmulators,
} from './handshake-support.js';

// The return trip from the Frontend API: nonce and legacy token, on production and development instances.

const emulators = withLiveAndDevEmulators();

const PAYLOAD = 'GET /v1/clients/handshake_payload' as const;
const path = (url: URL) => `${url.pathname}${url.search}`;
const cookieNames = (headers: Headers) => headers.getSetCookie().map((cookie) => cookie.split('=')[0]);

describe('a return trip with __clerk_handshake_nonce', () => {
  it('sets every directive and is signed in on the same response (production: no redirect)', async () => {
    const back = await signInReturnUrl(emulators.live, { userId: 'user_nonce' });
    const before = emulators.live.requestCount(PAYLOAD);
    const state = await browserClerk(emulators.live).authenticateRequest(pageLoad(path(back)));
    expect(state.status).toBe('signed-in');
    expect(state.toAuth().userId).toBe('user_nonce');
    const s = emulators.live.cookieSuffix;
    expect(cookieNames(state.headers)).toEqual([
      `__session_${s}`,
      `__client_uat_${s}`,
      `__refresh_${s}`,
      '__clerk_redirect_count',
    ]);
    expect(state.headers.get('location')).toBeNull();
    expect(handshakeResponse(state, pageLoad(path(back)))).toBeUndefined();
    expect(emulators.live.requestCount(PAYLOAD)).toBe(before + 1);
  });

  it('reads the nonce from a cookie as well', async () => {
    const back = await signInReturnUrl(emulators.live);
    const nonce = back.searchParams.get('__clerk_handshake_nonce') as string;
    const state = await browserClerk(emulators.live).authenticateRequest(
      pageLoad('/', { __clerk_handshake_nonce: nonce }),
    );
    expect(state.status).toBe('signed-in');
  });

  it('costs at most one Backend API call per nonce: a reload with a used nonce goes on with its cookies', async () => {
    const clerk = browserClerk(emulators.live);
    const back = await signInReturnUrl(emulators.live);
    const first = await clerk.authenticateRequest(pageLoad(path(back)));
    expect(first.status).toBe('signed-in');
    const calls = emulators.live.requestCount(PAYLOAD);
    const reload = await clerk.authenticateRequest(pageLoad(path(back)));
    expect([reload.status, reload.reason]).toEqual(['signed-out', 'token-missing']);
    expect(emulators.live.requestCount(PAYLOAD)).toBe(calls);
  });

  it('a bogus nonce costs one call, however often and however concurrently it is sent', async () => {
    const clerk = browserClerk(emulators.live);
    const before = emulators.live.requestCount(PAYLOAD);
    const bogus = pageLoad('/?__clerk_handshake_nonce=bogus_nonce_0123456789');
    const states = await Promise.all([1, 2, 3, 4, 5].map(() => clerk.authenticateRequest(bogus.clone())));
    await clerk.authenticateRequest(bogus.clone());
    expect(states.map((state) => state.status)).toEqual(Array(5).fill('signed-out'));
    expect(emulators.live.requestCount(PAYLOAD)).toBe(before + 1);
  });

  it('a nonce of the wrong shape never reaches the Backend API', async () => {
    const before = emulators.live.requestCount(PAYLOAD);
    const state = await browserClerk(emulators.live).authenticateRequest(pageLoad('/?__clerk_handshake_nonce=a%0Db'));
    expect(state.status).toBe('signed-out');
    expect(emulators.live.requestCount(PAYLOAD)).toBe(before);
  });

  it('is unavailable (a 503 page, never signed out) when the payload cannot be fetched, and retried after', async () => {
    const clerk = browserClerk(emulators.live);
    const back = await signInReturnUrl(emulators.live);
    emulators.live.fault(PAYLOAD, { status: 503, times: 1 });
    const request = pageLoad(path(back));
    const state = await clerk.authenticateRequest(request);
    expect([state.status, state.reason]).toEqual(['unavailable', 'backend-api-unavailable']);
    const response = handshakeResponse(state, request);
    expect(response?.status).toBe(503);
    expect(response?.headers.get('retry-after')).toBe('5');
    expect(response?.headers.get('location')).toBeNull();
    expect((await clerk.authenticateRequest(pageLoad(path(back)))).status).toBe('signed-in');
  });

  it('never logs the nonce or the payload', async () => {
    const logged: string[] = [];
    const originals = { log: console.log, warn: console.warn, error: console.error, info: console.info };
    for (const name of ['log', 'warn', 'error', 'info'] as const)
      console[name] = (...args: unknown[]) => logged.push(args.map(String).join(' '));
    try {
      const back = await signInReturnUrl(emulators.live);
      emulators.live.fault(PAYLOAD, { status: 500, times: 1 });
      await browserClerk(emulators.live, { debug: true }).authenticateRequest(pageLoad(path(back)));
      const state = await browserClerk(emulators.live, { debug: true }).authenticateRequest(pageLoad(path(back)));
      const nonce = back.searchParams.get('__clerk_handshake_nonce') as string;
      expect(logged.join('\n')).not.toContain(nonce);
      expect(logged.join('\n')).not.toContain('__session');
      expect(JSON.stringify(state)).not.toContain(nonce);
    } finally {
      Object.assign(console, originals);
    }
  });
});

describe('a return trip with the legacy __clerk_handshake token', () => {
  it('is verified with the instance keys and signs the request in', async () => {
    const back = await signInReturnUrl(emulators.live, { format: 'token', userId: 'user_token' });
    expect(back.searchParams.has('__clerk_handshake')).toBe(true);
    const state = await browserClerk(emulators.live).authenticateRequest(pageLoad(path(back)));
    expect(state.status).toBe('signed-in');
    expect(state.toAuth().userId).toBe('user_token');
  });

  it('refuses a JWT-template token (cat) carrying a handshake claim', async () => {
    const { session } = await emulators.live.createSession({ userId: 'user_victim' });
    const valid = await emulators.live.createSessionToken(session.id);
    const forged = await emulators.live.signToken({
      claims: { handshake: [`__session=${valid}; Path=/`], exp: Math.floor(Date.now() / 1000) + 60 },
      header: { cat: 'cl_B7d4PD222AAA' },
    });
    const state = await browserClerk(emulators.live).authenticateRequest(pageLoad(`/?__clerk_handshake=${forged}`));
    expect(state.status).toBe('signed-out');
    expect(state.headers.getSetCookie()).toEqual([]);
  });

  it('refuses a token signed by a foreign key, an unsecured one, one with a typ other than JWT, an expired one, one not active yet, one without exp and one with an empty kid', async () => {
    const { session } = await emulators.live.createSession({ userId: 'user_victim' });
    const handshake = [`__session=${await emulators.live.createSessionToken(session.id)}; Path=/`];
    const claims = { handshake, exp: Math.floor(Date.now() / 1000) + 60 };
    // The same claims signed properly are accepted: the refusals below are for the carrier alone.
    const genuine = await emulators.live.signToken({ claims });
    expect(
      (await browserClerk(emulators.live).authenticateRequest(pageLoad(`/?__clerk_handshake=${genuine}`))).status,
    ).toBe('signed-in');
    const tokens = await Promise.all([
      emulators.live.signToken({ claims, key: 'foreign' }),
      emulators.live.signToken({ claims, alg: 'none' }),
      emulators.live.signToken({ claims, header: { typ: 'at+jwt' } }),
      emulators.live.signToken({ claims: { ...claims, exp: Math.floor(Date.now() / 1000) - 60 } }),
      emulators.live.signToken({ claims: { ...claims, nbf: Math.floor(Date.now() / 1000) + 3600 } }),
      emulators.live.signToken({ claims, header: { kid: '' } }),
      emulators.live.signToken({ claims: { handshake } }),
      emulators.live.signToken({ claims: { handshake, exp: 'never' as unknown as number } }),
    ]);
    for (const token of tokens) {
      const state = await browserClerk(emulators.live).authenticateRequest(pageLoad(`/?__clerk_handshake=${token}`));
      expect([state.status, state.headers.getSetCookie()]).toEqual(['signed-out', []]);
    }
  });
});

describe('development instances', () => {
  it('send a page load without a dev-browser token through the handshake (dev-browser-missing)', async () => {
    const state = await browserClerk(emulators.dev).authenticateRequest(pageLoad('/'));
    expect([state.status, state.reason]).toEqual(['handshake', 'dev-browser-missing']);
    expect(handshakeTarget(state.headers).searchParams.has('__clerk_db_jwt')).toBe(false);
  });

  it('carry the dev-browser cookie into the handshake', async () => {
    const s = emulators.dev.cookieSuffix;
    const state = await browserClerk(emulators.dev).authenticateRequest(
      pageLoad('/', { __clerk_db_jwt: 'dvb_abc', [`__client_uat_${s}`]: '1700000000' }),
    );
    expect(state.status).toBe('handshake');
    expect(handshakeTarget(state.headers).searchParams.get('__clerk_db_jwt')).toBe('dvb_abc');
  });

  it('sync a dev-browser token that arrives in the URL (dev-browser-sync), without it in redirect_url', async () => {
    const state = await browserClerk(emulators.dev).authenticateRequest(pageLoad('/x?__clerk_db_jwt=dvb_new&a=1'));
    expect([state.status, state.reason]).toEqual(['handshake', 'dev-browser-sync']);
    const target = handshakeTarget(state.headers);
    expect(target.searchParams.get('redirect_url')).toBe(`${APP}/x?a=1`);
    expect(target.searchParams.get('__clerk_db_jwt')).toBe('dvb_new');
  });

  it('sign the return trip in and redirect to the clean URL, keeping the dev-browser token as a cookie', async () => {
    const back = await signInReturnUrl(emulators.dev, { userId: 'user_dev' });
    const devBrowser = back.searchParams.get('__clerk_db_jwt') as string;
    expect(devBrowser).toBeTruthy();
    const request = pageLoad(path(back));
    const state = await browserClerk(emulators.dev).authenticateRequest(request);
    expect(state.status).toBe('signed-in');
    expect(state.toAuth().userId).toBe('user_dev');
    expect(state.headers.get('location')).toBe(`${APP}/dashboard?tab=1`);
    expect(state.headers.getSetCookie()).toContain(
      `__clerk_db_jwt_${emulators.dev.cookieSuffix}=${devBrowser}; Path=/; SameSite=Lax; Max-Age=31536000`,
    );
    const response = handshakeResponse(state, request);
    expect(response?.status).toBe(307);
    expect(response?.headers.get('location')).toBe(`${APP}/dashboard?tab=1`);
    expect(response?.headers.getSetCookie().length).toBe(state.headers.getSetCookie().length);
  });

  it('redirect a return trip whose path starts with two slashes to the app itself, never to another host', async () => {
    const back = await signInReturnUrl(emulators.dev, { userId: 'user_dev', redirect: `${APP}//evil.example/steal` });
    const request = pageLoad(`${APP}${path(back)}`);
    const state = await browserClerk(emulators.dev).authenticateRequest(request);
    expect(state.status).toBe('signed-in');
    expect(state.headers.get('location')).toBe(`${APP}//evil.example/steal`);
    expect(handshakeResponse(state, request)?.headers.get('location')).toBe(`${APP}//evil.example/steal`);
  });

  it('with handshake: false never redirect, even without a dev-browser token', async () => {
    const state = await browserClerk(emulators.dev, { handshake: false }).authenticateRequest(pageLoad('/'));
    expect([state.status, state.reason]).toEqual(['signed-out', 'token-missing']);
  });
});

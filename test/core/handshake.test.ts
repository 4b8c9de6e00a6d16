import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hintFor } from '../../src/core/errors.js';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { sessionClaims } from '../support/fixtures.js';
import { APP, browserClerk, handshakeTarget, pageLoad } from './handshake-support.js';

// The triggers of a handshake on a production (live) instance, and what never redirects.

let emulator: ClerkEmulator;
let s: string;
beforeAll(async () => {
  emulator = await createClerkEmulator({ instanceType: 'live' });
  s = emulator.cookieSuffix;
});
afterAll(() => emulator?.close());

const now = () => Math.floor(Date.now() / 1000);

describe('a page load whose cookies cannot be decided locally', () => {
  it('with __client_uat > 0 and no __session gets a 307 to the Frontend API handshake with every parameter', async () => {
    const clerk = browserClerk(emulator);
    const state = await clerk.authenticateRequest(
      pageLoad('/dashboard?tab=1&__clerk_handshake_nonce=zz', { [`__client_uat_${s}`]: String(now() - 10) }),
    );
    expect(state.status).toBe('handshake');
    expect(state.reason).toBe('session-token-missing');
    expect(state.toAuth().userId).toBeNull();
    const target = handshakeTarget(state.headers);
    expect(`${target.origin}${target.pathname}`).toBe(`${emulator.frontendApiUrl}/v1/client/handshake`);
    expect([...target.searchParams.entries()]).toEqual([
      ['redirect_url', `${APP}/dashboard?tab=1`],
      ['format', 'nonce'],
      ['suffixed_cookies', 'true'],
      ['__clerk_hs_reason', 'session-token-missing'],
      ['__clerk_api_version', '2025-11-10'],
    ]);
    expect(state.headers.get('cache-control')).toBe('no-store');
    expect(state.headers.get('vary')).toBe('Cookie');
    expect(state.headers.getSetCookie()).toEqual([
      '__clerk_redirect_count=1; Path=/; SameSite=Lax; HttpOnly; Max-Age=3',
    ]);
  });

  it('with __session but __client_uat 0 gets a handshake (client-uat-missing)', async () => {
    const { session } = await emulator.createSession();
    const token = await emulator.createSessionToken(session.id);
    const state = await browserClerk(emulator).authenticateRequest(
      pageLoad('/', { [`__session_${s}`]: token, [`__client_uat_${s}`]: '0' }),
    );
    expect([state.status, state.reason]).toEqual(['handshake', 'client-uat-missing']);
  });

  it('with a token issued before __client_uat gets a handshake (session-token-outdated)', async () => {
    const { session } = await emulator.createSession();
    const token = await emulator.createSessionToken(session.id);
    const state = await browserClerk(emulator).authenticateRequest(
      pageLoad('/', { [`__session_${s}`]: token, [`__client_uat_${s}`]: String(now() + 30) }),
    );
    expect([state.status, state.reason]).toEqual(['handshake', 'session-token-outdated']);
  });

  it('with an expired token and no __refresh gets a handshake (token-expired)', async () => {
    const token = await emulator.signToken({
      claims: sessionClaims(emulator, { iat: now() - 120, nbf: now() - 130, exp: now() - 60 }),
    });
    const state = await browserClerk(emulator).authenticateRequest(
      pageLoad('/', { [`__session_${s}`]: token, [`__client_uat_${s}`]: String(now() - 300) }),
    );
    expect([state.status, state.reason]).toEqual(['handshake', 'token-expired']);
  });

  it('with an expired token whose refresh is refused gets a handshake (refresh-rejected)', async () => {
    const token = await emulator.signToken({
      claims: sessionClaims(emulator, { sid: 'sess_unknown', iat: now() - 120, nbf: now() - 130, exp: now() - 60 }),
    });
    const state = await browserClerk(emulator).authenticateRequest(
      pageLoad('/', {
        [`__session_${s}`]: token,
        [`__client_uat_${s}`]: String(now() - 300),
        [`__refresh_${s}`]: 'not-a-refresh-token',
      }),
    );
    expect([state.status, state.reason]).toEqual(['handshake', 'refresh-rejected']);
  });

  it('with nbf in the future gets a handshake (token-not-active-yet)', async () => {
    const token = await emulator.signToken({ claims: sessionClaims(emulator, { nbf: now() + 600, iat: now() - 5 }) });
    const state = await browserClerk(emulator).authenticateRequest(
      pageLoad('/', { [`__session_${s}`]: token, [`__client_uat_${s}`]: String(now() - 300) }),
    );
    expect([state.status, state.reason]).toEqual(['handshake', 'token-not-active-yet']);
  });

  it('without sec-fetch-dest but Accept text/html gets a handshake too', async () => {
    const request = new Request(`${APP}/`, {
      headers: { accept: 'text/html', cookie: `__client_uat_${s}=${now() - 10}` },
    });
    expect((await browserClerk(emulator).authenticateRequest(request)).status).toBe('handshake');
  });

  it('keeps a path that starts with two slashes on the app in redirect_url (never a protocol-relative URL to another host)', async () => {
    const state = await browserClerk(emulator).authenticateRequest(
      pageLoad(`${APP}//evil.example/steal?x=1`, { [`__client_uat_${s}`]: String(now() - 10) }),
    );
    expect(state.status).toBe('handshake');
    expect(handshakeTarget(state.headers).searchParams.get('redirect_url')).toBe(`${APP}//evil.example/steal?x=1`);
  });

  it('goes through the proxy URL when one is configured', async () => {
    const clerk = browserClerk(emulator, { frontendApiUrl: undefined, proxyUrl: 'https://app.test/__clerk' });
    const state = await clerk.authenticateRequest(pageLoad('/', { [`__client_uat_${s}`]: String(now() - 10) }));
    expect(handshakeTarget(state.headers).href.startsWith('https://app.test/__clerk/v1/client/handshake?')).toBe(true);
  });

  it('is signed out (never a throw) when only a JWT key is configured: there is no Frontend API to go to', async () => {
    const jwk = emulator.jwks().keys[0] as JsonWebKey;
    const clerk = browserClerk(emulator, {
      secretKey: undefined,
      publishableKey: undefined,
      frontendApiUrl: undefined,
      jwtKey: jwk,
    });
    const state = await clerk.authenticateRequest(pageLoad('/', { __client_uat: String(now() - 10) }));
    expect([state.status, state.reason, state.headers.get('location')]).toEqual([
      'signed-out',
      'session-token-missing',
      null,
    ]);
  });

  it('is signed out with handshake-loop at the third consecutive handshake, and nothing redirects', async () => {
    const clerk = browserClerk(emulator);
    const cookies = { [`__client_uat_${s}`]: String(now() - 10) };
    const second = await clerk.authenticateRequest(pageLoad('/', { ...cookies, __clerk_redirect_count: '2' }));
    expect(second.status).toBe('handshake');
    expect(second.headers.getSetCookie()[0]).toMatch(/^__clerk_redirect_count=3;/);
    const third = await clerk.authenticateRequest(pageLoad('/', { ...cookies, __clerk_redirect_count: '3' }));
    expect([third.status, third.reason]).toEqual(['signed-out', 'handshake-loop']);
    expect(third.headers.get('location')).toBeNull();
  });
});

describe('the loop guard', () => {
  it('logs one line per instance at the third handshake: the last trigger and the hint, no request data', async () => {
    const logged: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => logged.push(args.map(String).join(' '));
    try {
      const clerk = browserClerk(emulator, { frontendApiUrl: undefined, proxyUrl: 'https://app.test/__clerk-loop' });
      const cookies = { [`__client_uat_${s}`]: String(now() - 10), __clerk_redirect_count: '3' };
      for (const path of ['/first?secret=1', '/second']) {
        const state = await clerk.authenticateRequest(pageLoad(path, cookies));
        expect([state.status, state.reason]).toEqual(['signed-out', 'handshake-loop']);
      }
      expect(logged).toEqual([`clerk-edge: ${hintFor('handshake-loop')} (last trigger: session-token-missing)`]);
      expect(logged[0]).not.toContain('secret=1');
    } finally {
      console.warn = warn;
    }
  });
});

describe('requests that are not page loads never redirect', () => {
  const cookies = () => ({ [`__client_uat_${s}`]: String(now() - 10) });

  it('a fetch call (sec-fetch-dest: empty) keeps its signed-out verdict', async () => {
    const state = await browserClerk(emulator).authenticateRequest(
      pageLoad('/api', cookies(), { headers: { 'sec-fetch-dest': 'empty', accept: '*/*' } }),
    );
    expect([state.status, state.reason, state.headers.get('location')]).toEqual([
      'signed-out',
      'session-token-missing',
      null,
    ]);
  });

  it('a form POST (sec-fetch-dest: document) keeps its signed-out verdict', async () => {
    const state = await browserClerk(emulator).authenticateRequest(pageLoad('/form', cookies(), { method: 'POST' }));
    expect([state.status, state.reason]).toEqual(['signed-out', 'session-token-missing']);
  });

  it('a request accepting JSON without sec-fetch-dest keeps its signed-out verdict', async () => {
    const request = new Request(`${APP}/api`, {
      headers: { accept: 'application/json', cookie: `__client_uat_${s}=${now() - 10}` },
    });
    expect((await browserClerk(emulator).authenticateRequest(request)).status).toBe('signed-out');
  });

  it('with handshake: false (API-only mode) a page load is signed out', async () => {
    const state = await browserClerk(emulator, { handshake: false }).authenticateRequest(pageLoad('/', cookies()));
    expect([state.status, state.reason, state.headers.get('location')]).toEqual([
      'signed-out',
      'session-token-missing',
      null,
    ]);
  });

  it('with CLERK_HANDSHAKE=false in the environment a page load is signed out', async () => {
    const state = await browserClerk(emulator, { env: { CLERK_HANDSHAKE: 'false' } }).authenticateRequest(
      pageLoad('/', cookies()),
    );
    expect(state.status).toBe('signed-out');
  });

  it('a page load with no Clerk cookies at all stays signed out without a round trip', async () => {
    const state = await browserClerk(emulator).authenticateRequest(pageLoad('/'));
    expect([state.status, state.reason]).toEqual(['signed-out', 'token-missing']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authFromHeaders } from '../../src/next/auth.js';
import { createClerkAuth } from '../../src/core/authenticate.js';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { forwardedRequestHeaders, html, invoke, middlewareFor, optionsFor } from './support.js';

// The Next middleware answers a handshake itself and hands the return trip's session to the app.

let live: ClerkEmulator;
let dev: ClerkEmulator;
beforeAll(async () => {
  [live, dev] = await Promise.all([createClerkEmulator({ instanceType: 'live' }), createClerkEmulator()]);
});
afterAll(async () => {
  await Promise.all([live?.close(), dev?.close()]);
});

const withHandshake = (emulator: ClerkEmulator) => ({ handshake: true, frontendApiUrl: emulator.frontendApiUrl });
const page = { ...html, 'sec-fetch-dest': 'document' };

async function returnUrl(emulator: ClerkEmulator, redirect: string, userId: string): Promise<string> {
  const url = new URL('/__emulator/sign-in', emulator.frontendApiUrl);
  url.searchParams.set('user_id', userId);
  url.searchParams.set('redirect_url', redirect);
  const response = await fetch(url, { redirect: 'manual' });
  return response.headers.get('location') as string;
}

describe('Next clerkMiddleware and the handshake', () => {
  it('answers a page load that needs a handshake with the 307; the handler is not called', async () => {
    let called = false;
    const middleware = middlewareFor(
      live,
      () => {
        called = true;
      },
      withHandshake(live),
    );
    const response = await invoke(middleware, 'http://localhost/dashboard', {
      headers: { ...page, cookie: `__client_uat_${live.cookieSuffix}=1700000000` },
    });
    expect(response.status).toBe(307);
    const location = new URL(response.headers.get('location') as string);
    expect(location.searchParams.get('redirect_url')).toBe('http://localhost/dashboard');
    expect(location.searchParams.get('__clerk_hs_reason')).toBe('session-token-missing');
    expect(response.headers.get('x-middleware-next')).toBeNull();
    expect(called).toBe(false);
  });

  it('never redirects a fetch call: it goes on signed out', async () => {
    const response = await invoke(middlewareFor(live, undefined, withHandshake(live)), 'http://localhost/api/me', {
      headers: { accept: '*/*', 'sec-fetch-dest': 'empty', cookie: `__client_uat_${live.cookieSuffix}=1700000000` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-middleware-next')).toBe('1');
    expect(response.headers.get('location')).toBeNull();
  });

  it('sets the return trip cookies and hands the signed-in session to the app (auth())', async () => {
    const location = await returnUrl(live, 'http://localhost/dashboard', 'user_next_hs');
    const response = await invoke(middlewareFor(live, undefined, withHandshake(live)), location, {
      headers: page,
    });
    expect(response.headers.get('x-middleware-next')).toBe('1');
    const names = response.headers.getSetCookie().map((cookie) => cookie.split('=')[0]);
    expect(names).toContain(`__session_${live.cookieSuffix}`);
    expect(names).toContain(`__refresh_${live.cookieSuffix}`);
    const forwarded = forwardedRequestHeaders(response) as Headers;
    const route = createClerkAuth(optionsFor(live, withHandshake(live)));
    expect(await authFromHeaders(forwarded, route)).toMatchObject({ userId: 'user_next_hs' });
  });

  it('answers a return trip whose payload cannot be fetched with a 503 page', async () => {
    const location = await returnUrl(live, 'http://localhost/dashboard', 'user_next_503');
    live.fault('GET /v1/clients/handshake_payload', { status: 503, times: 1 });
    const response = await invoke(middlewareFor(live, undefined, withHandshake(live)), location, { headers: page });
    expect(response.status).toBe(503);
    expect(response.headers.get('x-middleware-next')).toBeNull();
  });

  it('redirects a development return trip to the clean URL with the cookies', async () => {
    const location = await returnUrl(dev, 'http://localhost/home', 'user_next_dev');
    const response = await invoke(middlewareFor(dev, undefined, withHandshake(dev)), location, { headers: page });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe('http://localhost/home');
    const names = response.headers.getSetCookie().map((cookie) => cookie.split('=')[0]);
    expect(names).toContain(`__session_${dev.cookieSuffix}`);
    expect(names).toContain(`__clerk_db_jwt_${dev.cookieSuffix}`);
  });
});

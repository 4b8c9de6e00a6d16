import { describe, expect, it } from 'vitest';
import { authFromHeaders } from '../../src/next/auth.js';
import { createClerkAuth } from '../../src/core/authenticate.js';
import type { ClerkEmulator } from '../../src/testing/index.js';
import { withLiveAndDevEmulators } from '../core/handshake-support.js';
import { forwardedRequestHeaders, html, invoke, middlewareFor, optionsFor } from './support.js';

// The Next middleware answers a handshake itself and hands the return trip's session to the app.

const emulators = withLiveAndDevEmulators();

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
      emulators.live,
      () => {
        called = true;
      },
      withHandshake(emulators.live),
    );
    const response = await invoke(middleware, 'http://localhost/dashboard', {
      headers: { ...page, cookie: `__client_uat_${emulators.live.cookieSuffix}=1700000000` },
    });
    expect(response.status).toBe(307);
    const location = new URL(response.headers.get('location') as string);
    expect(location.searchParams.get('redirect_url')).toBe('http://localhost/dashboard');
    expect(location.searchParams.get('__clerk_hs_reason')).toBe('session-token-missing');
    expect(response.headers.get('x-middleware-next')).toBeNull();
    expect(called).toBe(false);
  });

  it('never redirects a fetch call: it goes on signed out', async () => {
    const response = await invoke(
      middlewareFor(emulators.live, undefined, withHandshake(emulators.live)),
      'http://localhost/api/me',
      {
        headers: {
          accept: '*/*',
          'sec-fetch-dest': 'empty',
          cookie: `__client_uat_${emulators.live.cookieSuffix}=1700000000`,
        },
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-middleware-next')).toBe('1');
    expect(response.headers.get('location')).toBeNull();
  });

  it('sets the return trip cookies and hands the signed-in session to the app (auth())', async () => {
    const location = await returnUrl(emulators.live, 'http://localhost/dashboard', 'user_next_hs');
    const response = await invoke(middlewareFor(emulators.live, undefined, withHandshake(emulators.live)), location, {
      headers: page,
    });
    expect(response.headers.get('x-middleware-next')).toBe('1');
    const names = response.headers.getSetCookie().map((cookie) => cookie.split('=')[0]);
    expect(names).toContain(`__session_${emulators.live.cookieSuffix}`);
    expect(names).toContain(`__refresh_${emulators.live.cookieSuffix}`);
    const forwarded = forwardedRequestHeaders(response) as Headers;
    const route = createClerkAuth(optionsFor(emulators.live, withHandshake(emulators.live)));
    expect(await authFromHeaders(forwarded, route)).toMatchObject({ userId: 'user_next_hs' });
  });

  it('answers a return trip whose payload cannot be fetched with a 503 page', async () => {
    const location = await returnUrl(emulators.live, 'http://localhost/dashboard', 'user_next_503');
    emulators.live.fault('GET /v1/clients/handshake_payload', { status: 503, times: 1 });
    const response = await invoke(middlewareFor(emulators.live, undefined, withHandshake(emulators.live)), location, {
      headers: page,
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('x-middleware-next')).toBeNull();
  });

  it('redirects a development return trip to the clean URL with the cookies', async () => {
    const location = await returnUrl(emulators.dev, 'http://localhost/home', 'user_next_dev');
    const response = await invoke(middlewareFor(emulators.dev, undefined, withHandshake(emulators.dev)), location, {
      headers: page,
    });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe('http://localhost/home');
    const names = response.headers.getSetCookie().map((cookie) => cookie.split('=')[0]);
    expect(names).toContain(`__session_${emulators.dev.cookieSuffix}`);
    expect(names).toContain(`__clerk_db_jwt_${emulators.dev.cookieSuffix}`);
  });
});

import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { ClerkEdgeOptions } from '../../src/index.js';
import { clerkMiddleware, getAuth } from '../../src/hono/index.js';
import type { ClerkEmulator } from '../../src/testing/index.js';
import { TEST_ENV } from '../support/fixtures.js';
import { pageLoad, signInReturnUrl, withLiveAndDevEmulators } from '../core/handshake-support.js';

// Hono's clerkMiddleware answers a handshake itself and puts the return trip's cookies on the route's response.

const emulators = withLiveAndDevEmulators();

function appFor(emulator: ClerkEmulator, options: ClerkEdgeOptions = {}) {
  const reached: string[] = [];
  const app = new Hono();
  app.use(
    clerkMiddleware({
      secretKey: emulator.secretKey,
      publishableKey: emulator.publishableKey,
      apiUrl: emulator.url,
      frontendApiUrl: emulator.frontendApiUrl,
      env: TEST_ENV,
      ...options,
    }),
  );
  app.get('*', (c) => {
    reached.push(c.req.path);
    return c.html(`<p>${getAuth(c).userId ?? 'signed out'}</p>`);
  });
  app.post('*', (c) => {
    reached.push(c.req.path);
    return c.text(getAuth(c).userId ?? 'signed out');
  });
  return { app, reached };
}

const path = (url: URL) => `${url.pathname}${url.search}`;
const uat = (emulator: ClerkEmulator) => ({ [`__client_uat_${emulator.cookieSuffix}`]: '1700000000' });

describe('Hono clerkMiddleware and the handshake', () => {
  it('answers a page load that needs a handshake with the 307 itself; the route is not reached', async () => {
    const { app, reached } = appFor(emulators.live);
    const response = await app.request(pageLoad('/dashboard', uat(emulators.live)));
    expect(response.status).toBe(307);
    const location = new URL(response.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe(`${emulators.live.frontendApiUrl}/v1/client/handshake`);
    expect(location.searchParams.get('redirect_url')).toBe('http://app.test/dashboard');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.getSetCookie()).toEqual([
      '__clerk_redirect_count=1; Path=/; SameSite=Lax; HttpOnly; Max-Age=3',
    ]);
    expect(reached).toEqual([]);
  });

  it('never redirects a fetch call or a form POST: the route runs signed out', async () => {
    const { app, reached } = appFor(emulators.live);
    const api = await app.request(pageLoad('/api', uat(emulators.live), { headers: { 'sec-fetch-dest': 'empty' } }));
    const form = await app.request(pageLoad('/form', uat(emulators.live), { method: 'POST' }));
    expect([api.status, form.status]).toEqual([200, 200]);
    expect(await form.text()).toBe('signed out');
    expect(reached).toEqual(['/api', '/form']);
  });

  it('puts the return trip cookies on the page the route renders, signed in', async () => {
    const { app } = appFor(emulators.live);
    const back = await signInReturnUrl(emulators.live, { userId: 'user_hono_hs' });
    const response = await app.request(pageLoad(path(back)));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<p>user_hono_hs</p>');
    const names = response.headers.getSetCookie().map((cookie) => cookie.split('=')[0]);
    expect(names).toContain(`__session_${emulators.live.cookieSuffix}`);
    expect(names).toContain(`__refresh_${emulators.live.cookieSuffix}`);
  });

  it('answers a return trip whose payload cannot be fetched with a 503 page, not a redirect', async () => {
    const { app, reached } = appFor(emulators.live);
    const back = await signInReturnUrl(emulators.live);
    emulators.live.fault('GET /v1/clients/handshake_payload', { status: 503, times: 1 });
    const response = await app.request(pageLoad(path(back)));
    expect(response.status).toBe(503);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(reached).toEqual([]);
  });

  it('on a development instance redirects the return trip to the clean URL with the cookies', async () => {
    const { app, reached } = appFor(emulators.dev);
    const back = await signInReturnUrl(emulators.dev, { redirect: '/home?x=1' });
    const response = await app.request(pageLoad(path(back)));
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe('http://app.test/home?x=1');
    const names = response.headers.getSetCookie().map((cookie) => cookie.split('=')[0]);
    expect(names).toContain(`__session_${emulators.dev.cookieSuffix}`);
    expect(names).toContain(`__clerk_db_jwt_${emulators.dev.cookieSuffix}`);
    expect(reached).toEqual([]);
  });

  it('with handshake: false renders the page signed out', async () => {
    const { app, reached } = appFor(emulators.live, { handshake: false });
    const response = await app.request(pageLoad('/dashboard', uat(emulators.live)));
    expect([response.status, await response.text()]).toEqual([200, '<p>signed out</p>']);
    expect(reached).toEqual(['/dashboard']);
  });
});

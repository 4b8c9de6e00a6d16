import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { emulatorBindings, startWorkerd, type Workerd } from './harness.js';

// withClerk in real workerd answers a handshake itself and puts the return trip's cookies on the handler's response.

const PLAIN = 'test/workers/fixtures/plain-worker.ts';
let live: ClerkEmulator;
let workerd: Workerd;

beforeAll(async () => {
  live = await createClerkEmulator({ instanceType: 'live' });
  const env = { ...emulatorBindings(live), CLERK_FRONTEND_API_URL: live.frontendApiUrl };
  workerd = await startWorkerd([
    { name: 'handshake', entry: PLAIN, bindings: env },
    { name: 'api-only', entry: PLAIN, bindings: { ...env, CLERK_HANDSHAKE: 'false' } },
  ]);
});

afterAll(async () => {
  await workerd?.dispose();
  await live?.close();
});

const page = (cookie?: string) => ({
  'sec-fetch-dest': 'document',
  accept: 'text/html',
  ...(cookie ? { cookie } : {}),
});

describe('withClerk and the handshake (workerd)', () => {
  it('answers a page load that needs a handshake with a 307 to the Frontend API; the handler does not run', async () => {
    const answer = await workerd.fetch('/dashboard', {
      headers: page(`__client_uat_${live.cookieSuffix}=1700000000`),
      redirect: 'manual',
    });
    expect(answer.status).toBe(307);
    const location = new URL(answer.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe(`${live.frontendApiUrl}/v1/client/handshake`);
    expect(location.searchParams.get('redirect_url')).toBe('http://worker.test/dashboard');
    expect(answer.headers['x-handler']).toBeUndefined();
    expect(answer.headers['set-cookie']).toBe('__clerk_redirect_count=1; Path=/; SameSite=Lax; HttpOnly; Max-Age=3');
  });

  it('never redirects a fetch call', async () => {
    const answer = await workerd.fetch('/dashboard', {
      headers: { 'sec-fetch-dest': 'empty', cookie: `__client_uat_${live.cookieSuffix}=1700000000` },
      redirect: 'manual',
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'signed-out', reason: 'session-token-missing' });
  });

  it('signs the return trip in and sets its cookies on the handler response', async () => {
    const signIn = new URL('/__emulator/sign-in', live.frontendApiUrl);
    signIn.searchParams.set('user_id', 'user_worker_hs');
    signIn.searchParams.set('redirect_url', 'http://worker.test/home');
    const back = new URL((await fetch(signIn, { redirect: 'manual' })).headers.get('location') as string);
    const answer = await workerd.fetch(`${back.pathname}${back.search}`, { headers: page(), redirect: 'manual' });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'signed-in', userId: 'user_worker_hs' });
    expect(answer.headers['set-cookie']).toContain(`__session_${live.cookieSuffix}=`);
    expect(answer.headers['set-cookie']).toContain(`__refresh_${live.cookieSuffix}=`);
  });

  it('with CLERK_HANDSHAKE=false the handler runs signed out', async () => {
    const answer = await workerd.fetch('/dashboard', {
      headers: page(`__client_uat_${live.cookieSuffix}=1700000000`),
      redirect: 'manual',
      worker: 'api-only',
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'signed-out', reason: 'session-token-missing' });
  });
});

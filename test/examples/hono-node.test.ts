import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/hono-node/app.js';
import { withEmulator, TEST_ENV } from '../support/fixtures.js';

const ctx = withEmulator();
let server: ReturnType<typeof serve>;
let url: string;

beforeAll(async () => {
  const app = createApp({
    secretKey: ctx.emulator.secretKey,
    publishableKey: ctx.emulator.publishableKey,
    apiUrl: ctx.emulator.url,
    env: TEST_ENV,
  });
  server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('examples/hono-node over real HTTP', () => {
  it('serves the public route to everyone', async () => {
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hello: 'world', signedIn: false });
  });

  it('protects /me and /admin and accepts API keys on /ingest', async () => {
    const { session } = await ctx.emulator.createSession({ userId: 'user_ex', orgId: 'org_ex', orgRole: 'org:member' });
    const token = await ctx.emulator.createSessionToken(session.id);
    const key = await ctx.emulator.createApiKey({ subject: 'user_ex', scopes: ['write'] });
    expect((await fetch(`${url}/me`)).status).toBe(401);
    const me = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ userId: 'user_ex', orgRole: 'org:member' });
    expect((await fetch(`${url}/admin`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    const ingest = await fetch(`${url}/ingest`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}` } });
    expect(await ingest.json()).toEqual({ acceptedFor: 'user_ex' });
    expect(
      (await fetch(`${url}/ingest`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(401);
  });
});

import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { createClerkClient } from '../../src/api/index.js';
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

  it('greets the signed-in user by name, merges their metadata and hands out a JWT-template token', async () => {
    const admin = createClerkClient({ secretKey: ctx.emulator.secretKey, apiUrl: ctx.emulator.url });
    const user = await admin.users.create({
      body: { first_name: 'Ada', last_name: 'Lovelace', public_metadata: { plan: 'free' } },
    });
    await admin.jwtTemplates.create({ body: { name: 'example', claims: { scope: 'demo' }, lifetime: 120 } });
    const { session } = await ctx.emulator.createSession({ userId: user.id });
    const headers = { authorization: `Bearer ${await ctx.emulator.createSessionToken(session.id)}` };
    const userCalls = ctx.emulator.requestCount('GET /v1/users/:user_id');

    expect(await (await fetch(`${url}/hello`, { headers })).json()).toEqual({ greeting: 'Hello, Ada Lovelace!' });
    expect(ctx.emulator.requestCount('GET /v1/users/:user_id') - userCalls).toBe(1);
    expect((await fetch(`${url}/hello`)).status).toBe(401);

    const updated = await fetch(`${url}/me/metadata`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ theme: 'dark' }),
    });
    expect(await updated.json()).toEqual({ publicMetadata: { plan: 'free', theme: 'dark' } });
    expect((await admin.users.get({ path: { user_id: user.id } })).public_metadata).toEqual({
      plan: 'free',
      theme: 'dark',
    });

    const mints = ctx.emulator.requestCount('POST /v1/sessions/:session_id/tokens/:template_name');
    const first = (await (await fetch(`${url}/token/example`, { headers })).json()) as { token: string };
    const second = (await (await fetch(`${url}/token/example`, { headers })).json()) as { token: string };
    expect(second.token).toBe(first.token);
    expect(decodeJwt(first.token)).toMatchObject({ scope: 'demo', sid: session.id, sub: user.id });
    expect(ctx.emulator.requestCount('POST /v1/sessions/:session_id/tokens/:template_name') - mints).toBe(1);
  });
});

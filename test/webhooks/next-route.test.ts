// The Next.js route handler of docs/webhooks.md, called the way Next calls it (a NextRequest) and
// served over HTTP to receive the emulator's deliveries.
import { serve, type ServerType } from '@hono/node-server';
import { NextRequest } from 'next/server';
import { Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClerkEmulator, type ClerkEmulator } from 'clerk-edge/testing';
import { POST } from './fixtures/next-route.js';

const SECRET = `whsec_${btoa('next-route-handler-secret-32byte')}`;
let emulator: ClerkEmulator;
let server: ServerType;
let url: string;

beforeAll(async () => {
  vi.stubEnv('CLERK_WEBHOOK_SIGNING_SECRET', SECRET);
  emulator = await createClerkEmulator();
  await new Promise<void>((resolve) => {
    server = serve({ fetch: (request) => POST(request), port: 0, hostname: '127.0.0.1' }, (info) => {
      url = `http://127.0.0.1:${info.port}/api/webhooks/clerk`;
      resolve();
    });
  });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await emulator?.close();
  server?.close();
});

function signedRequest(body: string, secret = SECRET) {
  const seconds = Math.floor(Date.now() / 1000);
  return new NextRequest('https://app.example/api/webhooks/clerk', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'svix-id': 'msg_next',
      'svix-timestamp': String(seconds),
      'svix-signature': new Webhook(secret).sign('msg_next', new Date(seconds * 1000), body),
    },
    body,
  });
}

describe('the Next.js route handler from the docs', () => {
  const body = JSON.stringify({ type: 'user.created', object: 'event', data: { id: 'user_next', object: 'user' } });

  it('answers 200 with the event type for a genuine NextRequest', async () => {
    const response = await POST(signedRequest(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 'user.created' });
  });

  it('answers 400 with the reason for a delivery signed with another secret', async () => {
    const response = await POST(signedRequest(body, `whsec_${btoa('some-other-endpoint-secret-32byt')}`));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.any(String), reason: 'signature-invalid' });
  });

  it("receives the emulator's deliveries over HTTP, and refuses its stale ones", async () => {
    emulator.webhooks.addEndpoint(url, { secret: SECRET, maxAttempts: 1 });
    const { session } = await emulator.createSession({ userId: 'user_next' });
    await emulator.webhooks.settled();
    const [stale] = await emulator.webhooks.emit('user.updated', { id: 'user_next' }, { mode: 'stale' });
    const [created] = emulator.webhooks.deliveries();
    expect(created?.payload.data).toMatchObject({ id: session.id });
    expect([created?.status, created?.responseStatus, JSON.parse(created?.history[0]?.body ?? 'null')]).toEqual([
      'delivered',
      200,
      { received: 'session.created' },
    ]);
    expect([stale?.status, stale?.responseStatus, JSON.parse(stale?.history[0]?.body ?? 'null')]).toEqual([
      'failed',
      400,
      { error: expect.any(String), reason: 'timestamp-too-old' },
    ]);
  });
});

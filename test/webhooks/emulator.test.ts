// The emulator's signed deliveries over real HTTP: to the Hono app of docs/webhooks.md, and to a
// bare recording server that checks them with Svix's and Standard Webhooks' own verifiers.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook } from 'svix';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClerkEmulator, type ClerkEmulator } from 'clerk-edge/testing';
import { bapi } from '../emulator/http.js';
import app from './fixtures/hono-app.js';

const SECRET = `whsec_${btoa('emulator-webhook-test-secret-32b')}`;

let emulator: ClerkEmulator;
let honoServer: ServerType;
let appUrl: string;

/** A server that answers the statuses of `script` in turn (then 200) and records each request. */
interface Recorder {
  url: string;
  received: Array<{ headers: IncomingHttpHeaders; body: string }>;
  script: number[];
  server: Server;
}
const recorders: Recorder[] = [];

async function startRecorder(script: number[] = []): Promise<Recorder> {
  const recorder: Recorder = { url: '', received: [], script: [...script], server: createServer() };
  recorder.server.on('request', (request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      recorder.received.push({ headers: request.headers, body });
      response.writeHead(recorder.script.shift() ?? 200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => recorder.server.listen(0, '127.0.0.1', resolve));
  recorder.url = `http://127.0.0.1:${(recorder.server.address() as AddressInfo).port}/hook`;
  recorders.push(recorder);
  return recorder;
}

beforeAll(async () => {
  vi.stubEnv('CLERK_WEBHOOK_SIGNING_SECRET', SECRET);
  emulator = await createClerkEmulator();
  await new Promise<void>((resolve) => {
    honoServer = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      appUrl = `http://127.0.0.1:${info.port}/webhooks/clerk`;
      resolve();
    });
  });
});

afterEach(async () => {
  for (const endpoint of emulator.webhooks.endpoints()) emulator.webhooks.removeEndpoint(endpoint.id);
  await emulator.webhooks.settled();
  emulator.webhooks.clearDeliveries();
  for (const recorder of recorders.splice(0)) recorder.server.close();
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await emulator?.close();
  honoServer?.close();
});

const answer = (body: string | undefined) => JSON.parse(body ?? 'null') as unknown;

describe('the emulator delivers webhooks', () => {
  it('sends session.created and session.revoked to the Hono app from the docs, whose handler answers', async () => {
    emulator.webhooks.addEndpoint(appUrl, { secret: SECRET });
    const { session } = await emulator.createSession({ userId: 'user_hook' });
    emulator.revokeSession(session.id);
    await emulator.webhooks.settled();

    const deliveries = emulator.webhooks.deliveries();
    expect(deliveries.map((delivery) => [delivery.eventType, delivery.status, delivery.attempts])).toEqual([
      ['session.created', 'delivered', 1],
      ['session.revoked', 'delivered', 1],
    ]);
    expect(deliveries.map((delivery) => answer(delivery.history[0]?.body))).toEqual([
      { received: 'session.created', id: session.id },
      { received: 'session.revoked', id: session.id },
    ]);
    expect(deliveries[0]?.payload).toMatchObject({
      type: 'session.created',
      object: 'event',
      data: { id: session.id, user_id: 'user_hook', status: 'active' },
    });
    expect(deliveries[1]?.payload.data).toMatchObject({ id: session.id, status: 'revoked' });
    expect(deliveries[0]?.id).toMatch(/^msg_\w{27}$/);
    expect(deliveries[0]?.responseStatus).toBe(200);
  });

  it('delivers state changes made through the Backend API routes', async () => {
    emulator.webhooks.addEndpoint(appUrl, { secret: SECRET });
    const created = await bapi(emulator, 'POST', '/v1/sessions', { body: { user_id: 'user_bapi' } });
    const { id } = created.body as { id: string };
    await bapi(emulator, 'POST', `/v1/sessions/${id}/revoke`);
    await emulator.webhooks.settled();
    expect(emulator.webhooks.deliveries().map((delivery) => answer(delivery.history[0]?.body))).toEqual([
      { received: 'session.created', id },
      { received: 'session.revoked', id },
    ]);
  });

  it('signs each delivery so that Svix and standardwebhooks accept it with the endpoint secret', async () => {
    const recorder = await startRecorder();
    const { secret } = emulator.webhooks.addEndpoint(recorder.url);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const { session } = await emulator.createSession({ userId: 'user_svix' });
    await emulator.webhooks.settled();

    const [request] = recorder.received;
    if (!request) throw new Error('no delivery arrived');
    const headers = request.headers as Record<string, string>;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['svix-id']).toBe(emulator.webhooks.deliveries()[0]?.id);
    expect(Math.abs(Number(headers['svix-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    const event = new Webhook(secret).verify(request.body, headers) as { type: string; data: { id: string } };
    expect(event.type).toBe('session.created');
    expect(event.data.id).toBe(session.id);
    const standard = {
      'webhook-id': headers['svix-id'] as string,
      'webhook-timestamp': headers['svix-timestamp'] as string,
      'webhook-signature': headers['svix-signature'] as string,
    };
    expect(new StandardWebhook(secret).verify(request.body, standard)).toEqual(event);
  });

  it('sends an endpoint only the event types it subscribed to', async () => {
    const recorder = await startRecorder();
    emulator.webhooks.addEndpoint(recorder.url, { events: ['session.revoked'] });
    const { session } = await emulator.createSession();
    emulator.revokeSession(session.id);
    await emulator.webhooks.settled();
    expect(recorder.received.map((request) => (JSON.parse(request.body) as { type: string }).type)).toEqual([
      'session.revoked',
    ]);
    expect(emulator.webhooks.deliveries().map((delivery) => delivery.eventType)).toEqual(['session.revoked']);
  });

  it('retries a failing endpoint with doubling delays and records every attempt', async () => {
    const recorder = await startRecorder([503, 500]);
    emulator.webhooks.addEndpoint(recorder.url, { retryDelayMs: 40 });
    const [delivery] = await emulator.webhooks.emit('user.created', { id: 'user_retry', object: 'user' });
    expect(delivery?.status).toBe('delivered');
    expect(delivery?.attempts).toBe(3);
    expect(delivery?.history.map((attempt) => attempt.status)).toEqual([503, 500, 200]);
    const [first, second, third] = delivery?.history.map((attempt) => attempt.at) ?? [];
    expect(second! - first!).toBeGreaterThanOrEqual(40);
    expect(third! - second!).toBeGreaterThanOrEqual(80);
    // Every retry carries the same message id, so receivers can deduplicate.
    expect(new Set(recorder.received.map((request) => request.headers['svix-id'])).size).toBe(1);
  });

  it('gives up after maxAttempts and records the failure, including refused connections', async () => {
    const recorder = await startRecorder([500, 500, 500]);
    emulator.webhooks.addEndpoint(recorder.url, { maxAttempts: 2, retryDelayMs: 1 });
    emulator.webhooks.addEndpoint('http://127.0.0.1:9/nothing-listens-here', { maxAttempts: 2, retryDelayMs: 1 });
    const deliveries = await emulator.webhooks.emit('user.deleted', { id: 'user_gone', deleted: true });
    expect(deliveries.map((delivery) => [delivery.status, delivery.attempts, delivery.responseStatus])).toEqual([
      ['failed', 2, 500],
      ['failed', 2, null],
    ]);
    expect(deliveries[1]?.history.every((attempt) => attempt.status === null && attempt.error !== undefined)).toBe(
      true,
    );
    expect(recorder.received).toHaveLength(2);
  });

  it.each([
    ['tampered', 'signature-invalid'],
    ['stale', 'timestamp-too-old'],
    ['future', 'timestamp-too-new'],
  ] as const)(
    'sends a %s delivery on request, which the Hono app refuses with 400 (%s) without running its handler',
    async (mode, reason) => {
      emulator.webhooks.addEndpoint(appUrl, { secret: SECRET, maxAttempts: 1 });
      const [delivery] = await emulator.webhooks.emit('user.created', { id: 'user_forged', object: 'user' }, { mode });
      expect(delivery?.mode).toBe(mode);
      expect(delivery?.status).toBe('failed');
      expect(delivery?.responseStatus).toBe(400);
      expect(answer(delivery?.history[0]?.body)).toEqual({ error: expect.any(String), reason });
    },
  );

  it('stops delivering to a removed endpoint', async () => {
    const recorder = await startRecorder();
    const endpoint = emulator.webhooks.addEndpoint(recorder.url);
    expect(emulator.webhooks.removeEndpoint(endpoint.id)).toBe(true);
    expect(emulator.webhooks.removeEndpoint(endpoint.id)).toBe(false);
    await emulator.createSession();
    await emulator.webhooks.settled();
    expect(recorder.received).toEqual([]);
    expect(emulator.webhooks.deliveries()).toEqual([]);
  });

  it('refuses an endpoint secret that is not a signing secret, without echoing it', () => {
    expect(() => emulator.webhooks.addEndpoint(appUrl, { secret: 'whsec_tooshort' })).toThrow(
      'The endpoint `secret` option is not a valid webhook signing secret.',
    );
  });
});

describe('closing the emulator', () => {
  it('stops pending retries', async () => {
    const closing = await createClerkEmulator();
    const recorder = await startRecorder([500, 500, 500]);
    closing.webhooks.addEndpoint(recorder.url, { retryDelayMs: 60_000 });
    const sent = closing.webhooks.emit('user.created', { id: 'user_late' });
    await vi.waitFor(() => expect(recorder.received).toHaveLength(1));
    const started = Date.now();
    await closing.close();
    const [delivery] = await sent;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(delivery?.status).toBe('failed');
    expect(delivery?.attempts).toBe(1);
  });
});

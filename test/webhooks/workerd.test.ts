// The Hono app of docs/webhooks.md inside real workerd (Miniflare): Svix-signed deliveries get the
// same verdicts as Svix's own verifier, and the emulator's deliveries reach it over HTTP.
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClerkEmulator, type ClerkEmulator } from 'clerk-edge/testing';
import { bundleWorker, COMPATIBILITY_DATE } from '../workers/harness.js';
import { BODY, cases, current, svixHeaders, svixVerdict } from './svix-cases.js';

let mf: Miniflare;
let url: string;
let emulator: ClerkEmulator;

beforeAll(async () => {
  emulator = await createClerkEmulator();
  mf = new Miniflare({
    modules: true,
    script: await bundleWorker('test/webhooks/fixtures/hono-app.ts'),
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { CLERK_WEBHOOK_SIGNING_SECRET: current },
    host: '127.0.0.1',
    port: 0,
  });
  url = new URL('/webhooks/clerk', await mf.ready).href;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  await emulator?.close();
});

async function post(headers: Record<string, string>, body: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('clerkWebhook in workerd', () => {
  // The worker has one secret (the current one): cases that verify with another secret run in Node.
  const workerCases = cases().filter((test) => test.secret === undefined);

  it.each(workerCases.map((test) => [test.name, test] as const))(
    'judges a delivery %s as Svix does',
    async (_name, test) => {
      const answer = await post(test.headers, test.body ?? BODY);
      if (test.expected === 'accepted') {
        expect(answer).toEqual({
          status: 200,
          json: { received: 'user.created', id: 'user_2abcdefghijklmnopqrstuvwxyz' },
        });
      } else {
        expect(answer.status).toBe(400);
        expect(answer.json).toEqual({ error: expect.any(String), reason: test.expected });
        expect(JSON.stringify(answer.json)).not.toContain(current.slice('whsec_'.length));
      }
      expect(answer.status === 200).toBe(svixVerdict(test));
    },
  );

  it('answers 413 to a body over the 1 MiB cap', async () => {
    const body = JSON.stringify({ type: 'user.created', data: { pad: 'x'.repeat(1024 * 1024) } });
    const answer = await post(svixHeaders({ body }), body);
    expect(answer).toEqual({ status: 413, json: { error: expect.any(String), reason: 'body-too-large' } });
  });

  it("receives the emulator's deliveries and runs its handler for each", async () => {
    emulator.webhooks.addEndpoint(url, { secret: current });
    const { session } = await emulator.createSession({ userId: 'user_workerd' });
    emulator.revokeSession(session.id);
    await emulator.webhooks.settled();
    const deliveries = emulator.webhooks.deliveries();
    expect(deliveries.map((delivery) => [delivery.eventType, delivery.status, delivery.responseStatus])).toEqual([
      ['session.created', 'delivered', 200],
      ['session.revoked', 'delivered', 200],
    ]);
    expect(deliveries.map((delivery) => JSON.parse(delivery.history[0]?.body ?? 'null'))).toEqual([
      { received: 'session.created', id: session.id },
      { received: 'session.revoked', id: session.id },
    ]);
    const [tampered] = await emulator.webhooks.emit('user.created', { id: 'user_x' }, { mode: 'tampered' });
    expect(tampered?.responseStatus).toBe(400);
    expect(JSON.parse(tampered?.history[0]?.body ?? 'null')).toMatchObject({ reason: 'signature-invalid' });
  });
});

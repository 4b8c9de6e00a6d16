import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClerkClient } from '../../src/api/index.js';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { bearer, emulatorBindings, startWorkerd, type Workerd } from './harness.js';

const TEMPLATE_ROUTE = 'POST /v1/sessions/:session_id/tokens/:template_name' as const;
let emulator: ClerkEmulator;
let workerd: Workerd;
let userId: string;

beforeAll(async () => {
  emulator = await createClerkEmulator();
  const admin = createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url });
  userId = (await admin.users.create({ body: { first_name: 'Grace', last_name: 'Hopper' } })).id;
  await admin.jwtTemplates.create({ body: { name: 'edge', claims: { aud: 'edge-service' }, lifetime: 120 } });
  workerd = await startWorkerd([
    { name: 'client', entry: 'test/workers/fixtures/client-worker.ts', bindings: emulatorBindings(emulator) },
  ]);
}, 120_000);

afterAll(async () => {
  await workerd?.dispose();
  await emulator?.close();
});

describe('withClerk hands the handler the Backend API client and getToken', () => {
  it('gives clerk.client, one object per instance, that reads the signed-in user', async () => {
    const { session } = await emulator.createSession({ userId });
    const headers = bearer(await emulator.createSessionToken(session.id));
    expect((await workerd.fetch('/user', { headers })).json).toEqual({ name: 'Grace Hopper' });
    await workerd.fetch('/user', { headers });
    expect((await workerd.fetch('/clients')).json).toBe(1);
  });

  it('mints a JWT-template token once for many requests of one session', async () => {
    const { session } = await emulator.createSession({ userId });
    const token = await emulator.createSessionToken(session.id);
    const headers = bearer(token);
    expect((await workerd.fetch('/token', { headers })).json).toEqual({ token });
    const before = emulator.requestCount(TEMPLATE_ROUTE);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => workerd.fetch('/token?template=edge', { headers })),
    );
    const tokens = new Set(answers.map((answer) => (answer.json as { token: string }).token));
    expect(tokens.size).toBe(1);
    expect(emulator.requestCount(TEMPLATE_ROUTE) - before).toBe(1);
    expect(decodeJwt([...tokens][0] as string)).toMatchObject({ aud: 'edge-service', sid: session.id, sub: userId });
  });
});

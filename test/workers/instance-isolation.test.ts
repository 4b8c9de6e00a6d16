import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { bearer, emulatorBindings, startWorkerd, type Workerd } from './harness.js';

// Two Workers for two Clerk instances in one workerd process: both use withClerk's default
// store, the Cache API's `caches.default`, which they share as Workers of one zone do.

const PLAIN = 'test/workers/fixtures/plain-worker.ts';
const API_KEY_VERIFY = 'POST /v1/api_keys/verify' as const;
const M2M_VERIFY = 'POST /v1/m2m_tokens/verify' as const;

let a: ClerkEmulator;
let b: ClerkEmulator;
let workerd: Workerd;

beforeAll(async () => {
  [a, b] = await Promise.all([createClerkEmulator(), createClerkEmulator()]);
  workerd = await startWorkerd([
    { name: 'instance-a', entry: PLAIN, bindings: emulatorBindings(a) },
    { name: 'instance-b', entry: PLAIN, bindings: emulatorBindings(b) },
  ]);
});

afterAll(async () => {
  await workerd?.dispose();
  await Promise.all([a?.close(), b?.close()]);
});

afterEach(() => {
  for (const emulator of [a, b]) {
    emulator.clearFaults();
    emulator.resetCounts();
  }
});

describe('two instances behind one shared Cache API', () => {
  it("refuses in B an API key A accepted, and B's rejection does not block it in A", async () => {
    const { secret } = await a.createApiKey({ subject: 'user_of_a', scopes: ['read'] });
    const first = await workerd.fetch('/api-key', { worker: 'instance-a', headers: bearer(secret) });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ status: 'signed-in', subject: 'user_of_a' });

    const other = await workerd.fetch('/api-key', { worker: 'instance-b', headers: bearer(secret) });
    expect(other.status).toBe(401);
    expect(other.json).toMatchObject({ reason: 'token-invalid' });
    expect(b.requestCount(API_KEY_VERIFY)).toBe(1);

    const again = await workerd.fetch('/api-key', { worker: 'instance-a', headers: bearer(secret) });
    expect(again.status).toBe(200);
    expect(a.requestCount(API_KEY_VERIFY)).toBe(1);
  });

  it("keeps B's negative M2M verdict away from A, and A's positive one away from B", async () => {
    const { token } = await a.createM2MToken();
    const inB = () => workerd.fetch('/m2m', { worker: 'instance-b', headers: bearer(token) });
    expect((await inB()).status).toBe(401);
    const inA = await workerd.fetch('/m2m', { worker: 'instance-a', headers: bearer(token) });
    expect(inA.status).toBe(200);
    expect(inA.json).toMatchObject({ status: 'signed-in', tokenType: 'm2m_token', subject: a.machineId });
    const stillB = await inB();
    expect(stillB.status).toBe(401);
    expect(stillB.json).toMatchObject({ reason: 'token-invalid' });
    expect([a.requestCount(M2M_VERIFY), b.requestCount(M2M_VERIFY)]).toEqual([1, 1]);
  });

  it("never serves A's key set to B", async () => {
    const { session } = await a.createSession({ userId: 'user_a' });
    const tokenA = await a.createSessionToken(session.id);
    expect((await workerd.fetch('/protected', { worker: 'instance-a', headers: bearer(tokenA) })).status).toBe(200);
    const inB = await workerd.fetch('/protected', { worker: 'instance-b', headers: bearer(tokenA) });
    expect(inB.status).toBe(401);
    expect(inB.json).toMatchObject({ reason: 'jwk-kid-mismatch' });
    expect(b.requestCount('GET /v1/jwks')).toBeGreaterThanOrEqual(1);
  });
});

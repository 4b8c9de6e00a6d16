import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { bearer, emulatorBindings, startWorkerd, type Workerd } from './harness.js';

// Several isolates of one workerd process: they share the Cache API (as isolates of one data
// center do) and a KV namespace, and nothing else.

const JWKS = 'GET /v1/jwks' as const;
const VERIFY_API_KEY = 'POST /v1/api_keys/verify' as const;
const PLAIN = 'test/workers/fixtures/plain-worker.ts';

let emulator: ClerkEmulator;
let workerd: Workerd;

beforeAll(async () => {
  emulator = await createClerkEmulator();
  const env = emulatorBindings(emulator);
  const kv = { ...env, TEST_STORE: 'kv' };
  workerd = await startWorkerd([
    { name: 'cache-first', entry: PLAIN, bindings: env },
    { name: 'cache-second', entry: PLAIN, bindings: env },
    { name: 'hono-second', entry: 'test/workers/fixtures/hono-worker.ts', bindings: env },
    { name: 'isolated', entry: PLAIN, bindings: { ...env, TEST_STORE: 'none' } },
    { name: 'kv-first', entry: PLAIN, bindings: kv, kvNamespaces: ['CLERK_CACHE'] },
    { name: 'kv-second', entry: PLAIN, bindings: kv, kvNamespaces: ['CLERK_CACHE'] },
  ]);
});

afterAll(async () => {
  await workerd?.dispose();
  await emulator?.close();
});

afterEach(() => {
  emulator.clearFaults();
  emulator.resetCounts();
});

async function token(): Promise<string> {
  const { session } = await emulator.createSession({ userId: 'user_shared' });
  return emulator.createSessionToken(session.id);
}

describe('shared stores across isolates', () => {
  it('a second isolate with a warm Cache API store makes no JWKS call', async () => {
    expect((await workerd.fetch('/protected', { worker: 'cache-first', headers: bearer(await token()) })).status).toBe(
      200,
    );
    expect(emulator.requestCount(JWKS)).toBe(1);
    emulator.resetCounts();

    const second = await workerd.fetch('/protected', { worker: 'cache-second', headers: bearer(await token()) });
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ status: 'signed-in', userId: 'user_shared' });
    const hono = await workerd.fetch('/protected', { worker: 'hono-second', headers: bearer(await token()) });
    expect(hono.status).toBe(200);
    expect(emulator.requestCount(JWKS)).toBe(0);
  });

  it('an isolate without the shared store still fetches (the count above can fail)', async () => {
    expect((await workerd.fetch('/protected', { worker: 'isolated', headers: bearer(await token()) })).status).toBe(
      200,
    );
    expect(emulator.requestCount(JWKS)).toBe(1);
  });

  it('a warm Cache API store carries a new isolate through a JWKS outage', async () => {
    emulator.fault(JWKS, { status: 503 });
    // cache-second only ever read the keys from the store; the Backend API is down now.
    const res = await workerd.fetch('/protected', { worker: 'cache-second', headers: bearer(await token()) });
    expect(res.status).toBe(200);
  });

  it('shares API key verdicts through the Cache API: one Backend API call for both isolates', async () => {
    const { secret } = await emulator.createApiKey({ subject: 'user_key_owner', scopes: ['read'] });
    expect((await workerd.fetch('/api-key', { worker: 'cache-first', headers: bearer(secret) })).status).toBe(200);
    const second = await workerd.fetch('/api-key', { worker: 'cache-second', headers: bearer(secret) });
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ tokenType: 'api_key', subject: 'user_key_owner' });
    expect(emulator.requestCount(VERIFY_API_KEY)).toBe(1);
  });

  it('shares keys and API key verdicts through KV with KvStore', async () => {
    const { secret } = await emulator.createApiKey({ subject: 'user_kv', scopes: ['read'] });
    expect((await workerd.fetch('/protected', { worker: 'kv-first', headers: bearer(await token()) })).status).toBe(
      200,
    );
    expect((await workerd.fetch('/api-key', { worker: 'kv-first', headers: bearer(secret) })).status).toBe(200);
    expect(emulator.requestCount(JWKS)).toBe(1);
    expect(emulator.requestCount(VERIFY_API_KEY)).toBe(1);
    emulator.resetCounts();

    expect((await workerd.fetch('/protected', { worker: 'kv-second', headers: bearer(await token()) })).status).toBe(
      200,
    );
    expect((await workerd.fetch('/api-key', { worker: 'kv-second', headers: bearer(secret) })).status).toBe(200);
    expect(emulator.requests).toEqual([]);
  });
});

import { setMaxListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { bearer, emulatorBindings, startWorkerd, type Workerd } from './harness.js';

// 100 concurrent requests reach an isolate that has no keys yet. Each workerd process below is
// fresh, so every isolate (and the Cache API) starts cold. The emulator delays its JWKS answer a
// little, as a real network does, so the whole burst is in flight before the keys arrive.

const JWKS = 'GET /v1/jwks' as const;
const BURST = 100;
const PLAIN = 'test/workers/fixtures/plain-worker.ts';

let emulator: ClerkEmulator;
let baselines: Workerd;
let hono: Workerd;
let abandoning: Workerd;
const measured: Record<string, number> = {};

beforeAll(async () => {
  setMaxListeners(BURST * 10); // Miniflare keeps an abort listener per dispatchFetch on one shared signal.
  emulator = await createClerkEmulator();
  const env = emulatorBindings(emulator);
  [baselines, hono, abandoning] = await Promise.all([
    startWorkerd([
      { name: 'clerk-edge-workers', entry: PLAIN, bindings: env },
      { name: 'jose', entry: 'test/workers/fixtures/jose-worker.ts', bindings: env },
      { name: 'clerk-backend', entry: 'test/workers/fixtures/clerk-backend-worker.ts', bindings: env },
    ]),
    startWorkerd([{ name: 'clerk-edge-hono', entry: 'test/workers/fixtures/hono-worker.ts', bindings: env }]),
    startWorkerd([{ name: 'abandoning', entry: PLAIN, bindings: { ...env, TEST_KEYS_TIMEOUT_MS: '1000' } }]),
  ]);
});

afterAll(async () => {
  if (Object.keys(measured).length > 0) {
    console.info(`JWKS fetches for ${BURST} concurrent cold requests in workerd: ${JSON.stringify(measured)}`);
  }
  await Promise.all([baselines?.dispose(), hono?.dispose(), abandoning?.dispose()]);
  await emulator?.close();
});

async function token(): Promise<string> {
  const { session } = await emulator.createSession({ userId: 'user_burst' });
  return emulator.createSessionToken(session.id);
}

/** Sends the burst and returns the statuses and how many times the keys were fetched. */
async function burst(workerd: Workerd, worker: string, path: string): Promise<{ statuses: number[]; fetches: number }> {
  const tokens = await Promise.all(Array.from({ length: BURST }, token));
  emulator.resetCounts();
  emulator.fault(JWKS, { delayMs: 150 });
  try {
    const answers = await Promise.all(tokens.map((t) => workerd.fetch(path, { worker, headers: bearer(t) })));
    measured[worker] = emulator.requestCount(JWKS);
    return { statuses: answers.map((answer) => answer.status), fetches: measured[worker] };
  } finally {
    emulator.clearFaults();
  }
}

describe('a burst of concurrent cold requests in one workerd isolate', () => {
  it('shares one JWKS fetch across the whole burst with withClerk', async () => {
    const { statuses, fetches } = await burst(baselines, 'clerk-edge-workers', '/protected');
    expect(statuses).toEqual(Array(BURST).fill(200));
    expect(fetches).toBeGreaterThanOrEqual(1);
    expect(fetches).toBeLessThanOrEqual(2);
  });

  it('shares one JWKS fetch across the whole burst with the Hono adapter', async () => {
    const { statuses, fetches } = await burst(hono, 'clerk-edge-hono', '/protected');
    expect(statuses).toEqual(Array(BURST).fill(200));
    expect(fetches).toBeGreaterThanOrEqual(1);
    expect(fetches).toBeLessThanOrEqual(2);
  });

  // Baselines, measured the same way: they show the burst really is concurrent in this harness.
  it('makes jose createRemoteJWKSet fetch the keys for nearly every request', async () => {
    const { statuses, fetches } = await burst(baselines, 'jose', '/');
    expect(statuses).toEqual(Array(BURST).fill(200));
    expect(fetches).toBeGreaterThan(BURST / 2);
  });

  it('makes @clerk/backend fetch the keys for nearly every request', async () => {
    const { statuses, fetches } = await burst(baselines, 'clerk-backend', '/');
    expect(statuses).toEqual(Array(BURST).fill(200));
    expect(fetches).toBeGreaterThan(BURST / 2);
  });
});

describe('a key fetch whose request is gone', () => {
  it('neither hangs nor fails the requests that joined it: they fetch once more after the timeout', async () => {
    emulator.resetCounts();
    // The first fetch never answers in time; the request that started it ends without waiting.
    emulator.fault(JWKS, { delayMs: 20_000, times: 1 });
    const gone = await abandoning.fetch('/abandon', { headers: bearer(await token()) });
    expect(gone.status).toBe(202);
    expect(emulator.requestCount(JWKS)).toBe(1);

    const tokens = await Promise.all(Array.from({ length: 20 }, token));
    const started = Date.now();
    const answers = await Promise.all(tokens.map((t) => abandoning.fetch('/protected', { headers: bearer(t) })));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(emulator.requestCount(JWKS)).toBe(2);
    // Joiners wait for the dead fetch at most its timeout (1 s here) plus a 1 s grace.
    expect(Date.now() - started).toBeLessThan(5000);

    // The isolate is healthy afterwards: keys are cached, no more fetches.
    expect((await abandoning.fetch('/protected', { headers: bearer(await token()) })).status).toBe(200);
    expect(emulator.requestCount(JWKS)).toBe(2);
  });
});

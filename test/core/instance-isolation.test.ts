import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, type CacheStore, type MachineAuthObject } from '../../src/index.js';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { bearer, clerkFor, sessionClaims } from '../support/fixtures.js';

// Two Clerk instances (two emulators, each with its own keys, secret key and tokens) whose
// authenticators share one store, as two apps sharing `caches.default` or a KV namespace do.

let a: ClerkEmulator;
let b: ClerkEmulator;

beforeAll(async () => {
  [a, b] = await Promise.all([createClerkEmulator(), createClerkEmulator()]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});
afterEach(() => {
  for (const emulator of [a, b]) emulator.resetCounts();
});

/** A store that records the keys written to it. */
function recordingStore(): CacheStore & { keys: string[] } {
  const memory = new MemoryStore();
  const keys: string[] = [];
  return {
    keys,
    get: (key) => memory.get(key),
    async set(key, value, ttl) {
      keys.push(key);
      await memory.set(key, value, ttl);
    },
  };
}

const API_KEY_VERIFY = 'POST /v1/api_keys/verify' as const;
const M2M_VERIFY = 'POST /v1/m2m_tokens/verify' as const;

describe('authenticators of two instances sharing one store', () => {
  it('refuses in instance B an API key that instance A accepted and cached', async () => {
    const store = new MemoryStore();
    const { secret } = await a.createApiKey({ subject: 'user_of_a', scopes: ['read'] });
    const stateA = await clerkFor(a, { store }).authenticateRequest(bearer(secret), { acceptsToken: 'api_key' });
    expect(stateA.status).toBe('signed-in');
    expect((stateA.toAuth() as MachineAuthObject).subject).toBe('user_of_a');

    const stateB = await clerkFor(b, { store }).authenticateRequest(bearer(secret), { acceptsToken: 'api_key' });
    expect(stateB).toMatchObject({ status: 'signed-out', reason: 'token-invalid' });
    expect(b.requestCount(API_KEY_VERIFY)).toBe(1);
  });

  it("does not let instance B's negative verdict block instance A's valid API key", async () => {
    const store = new MemoryStore();
    const { secret } = await a.createApiKey({ subject: 'user_of_a' });
    expect((await clerkFor(b, { store }).authenticateRequest(bearer(secret), { acceptsToken: 'api_key' })).reason).toBe(
      'token-invalid',
    );
    const stateA = await clerkFor(a, { store }).authenticateRequest(bearer(secret), { acceptsToken: 'api_key' });
    expect(stateA.status).toBe('signed-in');
    expect((stateA.toAuth() as MachineAuthObject).subject).toBe('user_of_a');
    expect(a.requestCount(API_KEY_VERIFY)).toBe(1);
  });

  it('keeps M2M token verdicts apart in both directions', async () => {
    const store = new MemoryStore();
    const { token } = await a.createM2MToken();
    const forB = () => clerkFor(b, { store }).authenticateRequest(bearer(token), { acceptsToken: 'm2m_token' });
    const forA = () => clerkFor(a, { store }).authenticateRequest(bearer(token), { acceptsToken: 'm2m_token' });
    expect((await forB()).reason).toBe('token-invalid');
    const stateA = await forA();
    expect(stateA.status).toBe('signed-in');
    expect((stateA.toAuth() as MachineAuthObject).subject).toBe(a.machineId);
    expect((await forB()).reason).toBe('token-invalid');
    expect([a.requestCount(M2M_VERIFY), b.requestCount(M2M_VERIFY)]).toEqual([1, 1]);
  });

  it("never adopts the other instance's key set, so its session tokens stay refused", async () => {
    const store = recordingStore();
    const tokenA = await a.signToken({ claims: sessionClaims(a) });
    expect((await clerkFor(a, { store }).authenticateRequest(bearer(tokenA))).status).toBe('signed-in');
    const stateB = await clerkFor(b, { store }).authenticateRequest(bearer(tokenA));
    expect(stateB).toMatchObject({ status: 'signed-out', reason: 'jwk-kid-mismatch' });
    expect(b.requestCount('GET /v1/jwks')).toBe(1); // B's own keys, just fetched: no refetch for A's unknown kid
    const jwksKeys = [...new Set(store.keys.filter((key) => key.startsWith('clerk-edge:jwks:')))];
    expect(jwksKeys).toHaveLength(2);
  });

  it('writes keys that start with a 64-hex instance identity and hold no secret', async () => {
    const store = recordingStore();
    const { secret } = await a.createApiKey();
    await clerkFor(a, { store }).authenticateRequest(bearer(secret), { acceptsToken: 'api_key' });
    await clerkFor(b, { store }).authenticateRequest(bearer(secret), { acceptsToken: 'api_key' });
    expect(store.keys).toHaveLength(2);
    const identities = store.keys.map((key) => /^clerk-edge:machine:([0-9a-f]{64}):[0-9a-f]{64}$/.exec(key)?.[1]);
    expect(identities.every((identity) => identity !== undefined)).toBe(true);
    expect(identities[0]).not.toBe(identities[1]);
    for (const key of store.keys) {
      for (const hidden of [secret, a.secretKey, b.secretKey, a.machineSecretKey]) expect(key).not.toContain(hidden);
    }
  });

  it('keeps the verified-session cache per authenticator: B never accepts a token A cached', async () => {
    const clerkA = clerkFor(a, { sessionCache: { enabled: true } });
    const clerkB = clerkFor(b, { sessionCache: { enabled: true } });
    const tokenA = await a.signToken({ claims: sessionClaims(a) });
    expect((await clerkA.authenticateRequest(bearer(tokenA))).status).toBe('signed-in');
    expect((await clerkA.authenticateRequest(bearer(tokenA))).status).toBe('signed-in');
    expect((await clerkB.authenticateRequest(bearer(tokenA))).reason).toBe('jwk-kid-mismatch');
  });
});

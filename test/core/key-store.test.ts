import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../src/index.js';
import { createTestKeyPair, signTestToken } from '../../src/testing/index.js';
import { bearer, clerkFor, sessionClaims, withEmulator } from '../support/fixtures.js';

const ctx = withEmulator();
const JWKS = 'GET /v1/jwks' as const;

/** A clock the test moves by hand; the emulator keeps real time, tokens are long-lived. */
function manualClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const validToken = () =>
  ctx.emulator.signToken({
    claims: sessionClaims(ctx.emulator, { exp: Math.floor(Date.now() / 1000) + 3 * 24 * 3600 }),
  });

afterEach(() => {
  ctx.emulator.clearFaults();
  ctx.emulator.resetCounts();
  vi.restoreAllMocks();
});

describe('key store', () => {
  it('makes exactly one JWKS fetch for 100 concurrent requests on a cold cache', async () => {
    ctx.emulator.resetCounts();
    const clerk = clerkFor(ctx.emulator);
    const token = await validToken();
    const states = await Promise.all(Array.from({ length: 100 }, () => clerk.authenticateRequest(bearer(token))));
    expect(states.every((state) => state.status === 'signed-in')).toBe(true);
    expect(ctx.emulator.requestCount(JWKS)).toBe(1);
  });

  it('refetches at most once per cooldown window for 1,000 random unknown kids', async () => {
    const clock = manualClock();
    const clerk = clerkFor(ctx.emulator, { now: clock.now, keys: { unknownKidCooldownMs: 30_000 } });
    expect((await clerk.authenticateRequest(bearer(await validToken()))).status).toBe('signed-in');
    ctx.emulator.resetCounts();

    const forger = await createTestKeyPair();
    const forged = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        signTestToken({
          keyPair: forger,
          claims: sessionClaims(ctx.emulator),
          header: { kid: `ins_forged_${i}_${Math.random()}` },
        }),
      ),
    );
    const firstWindow = await Promise.all(
      forged.slice(0, 500).map((token) => clerk.authenticateRequest(bearer(token))),
    );
    expect(firstWindow.every((state) => state.reason === 'jwk-kid-mismatch')).toBe(true);
    expect(ctx.emulator.requestCount(JWKS)).toBe(1);

    clock.advance(30_000);
    for (const token of forged.slice(500))
      expect((await clerk.authenticateRequest(bearer(token))).reason).toBe('jwk-kid-mismatch');
    expect(ctx.emulator.requestCount(JWKS)).toBe(2);
  });

  it.each([
    ['answers 500', { status: 500 }],
    ['times out', { delayMs: 1500 }],
    ['drops the connection', { drop: true }],
    ['answers malformed JSON', { malformed: true }],
  ])('keeps accepting valid tokens with warm keys when the JWKS %s', async (_, fault) => {
    const clock = manualClock();
    const clerk = clerkFor(ctx.emulator, {
      now: clock.now,
      keys: { ttlMs: 60_000, maxStaleMs: 3_600_000, timeoutMs: 300 },
    });
    const token = await validToken();
    expect((await clerk.authenticateRequest(bearer(token))).status).toBe('signed-in');

    ctx.emulator.fault(JWKS, fault);
    clock.advance(61_000); // stale: served while a background refresh fails
    expect((await clerk.authenticateRequest(bearer(token))).status).toBe('signed-in');
    clock.advance(3_000_000); // still within last-known-good
    expect((await clerk.authenticateRequest(bearer(token))).status).toBe('signed-in');
    await new Promise((resolve) => setTimeout(resolve, 400));
    clock.advance(700_000); // past ttl + maxStale: keys are too old to trust and the JWKS is down
    expect(await clerk.authenticateRequest(bearer(token))).toMatchObject({
      status: 'unavailable',
      reason: 'jwks-unavailable',
    });
  });

  it('answers unavailable, not signed-out, on a cold cache with the JWKS down', async () => {
    ctx.emulator.fault(JWKS, { status: 503 });
    const state = await clerkFor(ctx.emulator).authenticateRequest(bearer(await validToken()));
    expect(state).toMatchObject({ status: 'unavailable', reason: 'jwks-unavailable' });
    expect(state.retryAfterSeconds).toBe(5); // the JWKS sent no Retry-After: the default
  });

  it('reports a rejected secret key as unavailable and does not retry it', async () => {
    ctx.emulator.resetCounts();
    const clerk = clerkFor(ctx.emulator, { secretKey: 'sk_test_wrong' });
    const state = await clerk.authenticateRequest(bearer(await validToken()));
    expect(state).toMatchObject({ status: 'unavailable', reason: 'secret-key-invalid' });
    expect(ctx.emulator.requestCount(JWKS)).toBe(1);
  });

  it('accepts a token signed by a rotated key after exactly one refetch', async () => {
    const clerk = clerkFor(ctx.emulator);
    expect((await clerk.authenticateRequest(bearer(await validToken()))).status).toBe('signed-in');
    ctx.emulator.resetCounts();
    await ctx.emulator.rotateKeys({ keepPrevious: false });
    const rotated = await validToken();
    expect((await clerk.authenticateRequest(bearer(rotated))).status).toBe('signed-in');
    expect((await clerk.authenticateRequest(bearer(rotated))).status).toBe('signed-in');
    expect(ctx.emulator.requestCount(JWKS)).toBe(1);
  });

  it('waits for a slow JWKS when timeoutMs is larger than a timer can hold (never a 1 ms timeout, so never a 503)', async () => {
    const clerk = clerkFor(ctx.emulator, { keys: { timeoutMs: 3_000_000_000 } });
    ctx.emulator.fault(JWKS, { delayMs: 50, times: 1 });
    const state = await clerk.authenticateRequest(bearer(await validToken()));
    expect([state.status, state.reason]).toEqual(['signed-in', null]);
  });

  it('refreshes stale keys in the background and hands the work to waitUntil', async () => {
    const clock = manualClock();
    const clerk = clerkFor(ctx.emulator, { now: clock.now, keys: { ttlMs: 60_000 } });
    const token = await validToken();
    await clerk.authenticateRequest(bearer(token));
    ctx.emulator.resetCounts();
    ctx.emulator.fault(JWKS, { delayMs: 300 });
    clock.advance(61_000);
    const background: Promise<unknown>[] = [];
    const started = performance.now();
    const state = await clerk.authenticateRequest(bearer(token), { waitUntil: (promise) => background.push(promise) });
    expect(state.status).toBe('signed-in');
    expect(performance.now() - started).toBeLessThan(250); // did not wait for the slow refresh
    expect(background).toHaveLength(1);
    await Promise.all(background);
    expect(ctx.emulator.requestCount(JWKS)).toBe(1);
  });

  it('shares keys across authenticators through a shared store', async () => {
    const store = new MemoryStore();
    const token = await validToken();
    expect((await clerkFor(ctx.emulator, { store }).authenticateRequest(bearer(token))).status).toBe('signed-in');
    ctx.emulator.resetCounts();
    expect((await clerkFor(ctx.emulator, { store }).authenticateRequest(bearer(token))).status).toBe('signed-in');
    expect(ctx.emulator.requestCount(JWKS)).toBe(0);
  });

  it('scopes keys per instance: another secret key does not reuse them', async () => {
    const store = new MemoryStore();
    const token = await validToken();
    await clerkFor(ctx.emulator, { store }).authenticateRequest(bearer(token));
    ctx.emulator.resetCounts();
    const other = clerkFor(ctx.emulator, { store, secretKey: 'sk_test_someone_else' });
    expect((await other.authenticateRequest(bearer(token))).reason).toBe('secret-key-invalid');
    expect(ctx.emulator.requestCount(JWKS)).toBe(1);
  });

  it('does not import keys again on the warm path', async () => {
    const clerk = clerkFor(ctx.emulator);
    const token = await validToken();
    await clerk.authenticateRequest(bearer(token));
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    for (let i = 0; i < 20; i++) expect((await clerk.authenticateRequest(bearer(token))).status).toBe('signed-in');
    expect(importKey).not.toHaveBeenCalled();
  });
});

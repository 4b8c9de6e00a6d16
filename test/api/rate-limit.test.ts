import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClerkClient } from '../../src/api/index.js';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';

// 429 handling of clerk-edge/api: the same wait rule as the core (default when no Retry-After, capped
// at MAX_BACKOFF_SECONDS), so one answer can neither leave an endpoint hammered nor lock it for a day.

let emulator: ClerkEmulator;

beforeAll(async () => {
  emulator = await createClerkEmulator();
}, 60_000);
afterAll(() => emulator.close());
afterEach(() => {
  emulator.clearFaults();
  emulator.resetCounts();
});

describe('clerk-edge/api 429 back-off', () => {
  it('backs off clerk-edge/api calls after a 429 without Retry-After too (the default wait)', async () => {
    const clerk = createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url, timeoutMs: 5000 });
    emulator.fault('GET /v1/users/:user_id', { status: 429, times: 1 });
    await expect(clerk.users.get({ path: { user_id: 'user_any' } })).rejects.toMatchObject({
      code: 'api-rate-limited',
      retryAfterSeconds: 5,
    });
    await expect(clerk.users.get({ path: { user_id: 'user_any' } })).rejects.toMatchObject({
      code: 'api-rate-limited',
    });
    expect(emulator.requestCount('GET /v1/users/:user_id')).toBe(1);
  });

  it('caps a huge Retry-After in clerk-edge/api as the core does (120 s), so one bad header cannot lock an endpoint for a day', async () => {
    const clerk = createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url, timeoutMs: 5000 });
    emulator.fault('GET /v1/users/:user_id', { status: 429, headers: { 'Retry-After': '86400' }, times: 1 });
    await expect(clerk.users.get({ path: { user_id: 'user_any' } })).rejects.toMatchObject({
      code: 'api-rate-limited',
      retryAfterSeconds: 120,
    });
    const blocked = await clerk.users.get({ path: { user_id: 'user_any' } }).then(
      () => undefined,
      (error: { retryAfterSeconds?: number }) => error,
    );
    expect(blocked?.retryAfterSeconds).toBeLessThanOrEqual(120);
    expect(blocked?.retryAfterSeconds).toBeGreaterThan(110);
    expect(emulator.requestCount('GET /v1/users/:user_id')).toBe(1);
  });
});

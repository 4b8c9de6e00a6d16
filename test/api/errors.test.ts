import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { ClerkApiError, createClerkClient } from '../../src/api/index.js';
import type { BackoffGate, ClerkClient } from '../../src/api/index.js';
import { createClerkEmulator } from '../../src/testing/index.js';
import type { ClerkEmulator } from '../../src/testing/index.js';

let emulator: ClerkEmulator;
let clerk: ClerkClient;
let userId: string;
const caught: unknown[] = [];

beforeAll(async () => {
  emulator = await createClerkEmulator();
  clerk = createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url, timeoutMs: 5000 });
  userId = (await clerk.users.create({ body: { email_address: ['errors@example.com'] } })).id;
}, 60_000);
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCounts();
});

/** The ClerkApiError a call rejects with (kept for the secret-key check at the end). */
async function failure(call: Promise<unknown>): Promise<ClerkApiError> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ClerkApiError);
  caught.push(error);
  return error as ClerkApiError;
}

const getUser = () => clerk.users.get({ path: { user_id: userId } });

describe('ClerkApiError and retries', () => {
  it("turns Clerk's 404 body into a ClerkApiError with status, errors and code", async () => {
    const error = await failure(clerk.users.get({ path: { user_id: 'user_missing' } }));
    expect(error.name).toBe('ClerkApiError');
    expect(error.code).toBe('api-response-error');
    expect(error.status).toBe(404);
    expect(error.endpoint).toBe('GET /users/{user_id}');
    expect(error.errors[0]?.code).toBe('resource_not_found');
    expect(error.message).toContain('GET /users/{user_id} answered 404');
    // A 404 is an answer, not a transient failure: asked once.
    expect(emulator.requestCount('GET /v1/users/:user_id')).toBe(1);
  });

  it('keeps the meta of a 422 and the clerk_trace_id of an error body', async () => {
    const invalid = await failure(clerk.organizations.create({ body: { name: '' } }));
    expect(invalid.status).toBe(422);
    expect(invalid.errors[0]).toMatchObject({ code: 'form_param_missing', meta: { param_name: 'name' } });
    emulator.fault('GET /v1/users/:user_id', {
      status: 400,
      body: { errors: [{ code: 'bad_request', message: 'bad', long_message: 'Bad.' }], clerk_trace_id: 'trace_123' },
    });
    expect((await failure(getUser())).traceId).toBe('trace_123');
  });

  it('retries a GET once after a 5xx, with the second answer winning', async () => {
    emulator.fault('GET /v1/users/:user_id', { status: 503, times: 1 });
    expect((await getUser()).id).toBe(userId);
    expect(emulator.requestCount('GET /v1/users/:user_id')).toBe(2);
  });

  it('gives up after one retry when the GET keeps failing', async () => {
    emulator.fault('GET /v1/users/:user_id', { status: 502 });
    const error = await failure(getUser());
    expect(error.status).toBe(502);
    expect(error.errors[0]?.code).toBe('internal_clerk_error');
    expect(emulator.requestCount('GET /v1/users/:user_id')).toBe(2);
  });

  it('retries a GET once after the connection drops', async () => {
    emulator.fault('GET /v1/users/:user_id', { drop: true, times: 1 });
    expect((await getUser()).id).toBe(userId);
    expect(emulator.requestCount('GET /v1/users/:user_id')).toBe(2);
  });

  it('never retries a write: a 500 or a dropped connection on POST fails at once', async () => {
    emulator.fault('POST /v1/users', { status: 500, times: 1 });
    expect((await failure(clerk.users.create({ body: {} }))).status).toBe(500);
    emulator.fault('PATCH /v1/users/:user_id/metadata', { drop: true, times: 1 });
    const error = await failure(
      clerk.users.updateMetadata({ path: { user_id: userId }, body: { public_metadata: {} } }),
    );
    expect(error.code).toBe('api-network-error');
    expect(error.status).toBeUndefined();
    expect(emulator.requestCount('POST /v1/users')).toBe(1);
    expect(emulator.requestCount('PATCH /v1/users/:user_id/metadata')).toBe(1);
  });

  it('reports a timeout as its own kind and does not retry it', async () => {
    const impatient = createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url, timeoutMs: 200 });
    emulator.fault('GET /v1/users/:user_id', { delayMs: 2000, times: 1 });
    const error = await failure(impatient.users.get({ path: { user_id: userId } }));
    expect(error.code).toBe('api-timeout');
    expect(emulator.requestCount('GET /v1/users/:user_id')).toBe(1);
  });

  it('waits for a slow answer when timeoutMs is larger than a timer can hold (never a timeout at once)', async () => {
    const patient = createClerkClient({
      secretKey: emulator.secretKey,
      apiUrl: emulator.url,
      timeoutMs: 3_000_000_000,
    });
    emulator.fault('GET /v1/users/:user_id', { delayMs: 50, times: 1 });
    expect((await patient.users.get({ path: { user_id: userId } })).id).toBe(userId);
  });

  it('reports a 2xx whose body is not JSON as a malformed response', async () => {
    emulator.fault('GET /v1/users/:user_id', { malformed: true, times: 1 });
    expect((await failure(getUser())).code).toBe('api-malformed-response');
  });

  it('reports an unreachable API as a network error', async () => {
    const offline = createClerkClient({ secretKey: emulator.secretKey, apiUrl: 'http://127.0.0.1:1', timeoutMs: 2000 });
    const error = await failure(offline.users.get({ path: { user_id: userId } }));
    expect(error.code).toBe('api-network-error');
  });

  it('honours Retry-After on a 429: no retry, and the endpoint backs off without calling Clerk', async () => {
    emulator.fault('GET /v1/users/:user_id', { status: 429, headers: { 'Retry-After': '30' }, times: 1 });
    const limited = await failure(getUser());
    expect(limited).toMatchObject({ code: 'api-rate-limited', status: 429, retryAfterSeconds: 30 });
    const blocked = await failure(getUser());
    expect(blocked.code).toBe('api-rate-limited');
    expect(blocked.retryAfterSeconds).toBeGreaterThan(28);
    expect(emulator.requestCount('GET /v1/users/:user_id')).toBe(1);
    // Other endpoints are not held back.
    expect(Array.isArray(await clerk.users.list({ query: { limit: 1 } }))).toBe(true);
  });

  it('reads Retry-After of a 503 as seconds after the one GET retry, without backing off', async () => {
    const fresh = createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url });
    const get = () => fresh.users.get({ path: { user_id: userId } });
    emulator.fault('GET /v1/users/:user_id', { status: 503, headers: { 'Retry-After': '9' }, times: 2 });
    expect(await failure(get())).toMatchObject({ code: 'api-response-error', status: 503, retryAfterSeconds: 9 });
    expect(emulator.requestCount('GET /v1/users/:user_id')).toBe(2);
    expect((await get()).id).toBe(userId);
  });

  it('asks a plugged-in back-off gate before every call and tells it about 429s', async () => {
    const opened: Array<[string, number]> = [];
    const gate: BackoffGate = {
      blockedFor: (endpoint) => (endpoint === 'GET /clients' ? 12 : 0),
      openFor: (endpoint, seconds) => opened.push([endpoint, seconds]),
    };
    const gated = createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url, backoff: gate });
    expect(await failure(gated.clients.list())).toMatchObject({ code: 'api-rate-limited', retryAfterSeconds: 12 });
    expect(emulator.requestCount('GET /v1/clients')).toBe(0);
    emulator.fault('POST /v1/invitations', { status: 429, headers: { 'Retry-After': '7' }, times: 1 });
    await failure(gated.invitations.create({ body: { email_address: 'rl@example.com' } }));
    expect(opened).toEqual([['POST /invitations', 7]]);
  });

  it('never puts the secret key in an error, even when the answer echoes it', async () => {
    emulator.fault('GET /v1/users/:user_id', {
      status: 400,
      body: {
        errors: [{ code: 'bad_request', message: emulator.secretKey, long_message: `key ${emulator.secretKey}` }],
      },
    });
    // A fresh client: the one above is still backing off GET /users/{user_id} after the 429.
    const fresh = createClerkClient({ secretKey: emulator.secretKey, apiUrl: emulator.url });
    const echoed = await failure(fresh.users.get({ path: { user_id: userId } }));
    expect(echoed.errors[0]?.long_message).toBe('key [redacted]');
    expect(caught.length).toBeGreaterThan(12);
    for (const error of caught as ClerkApiError[]) {
      const everything = [
        error.message,
        error.stack,
        JSON.stringify(error),
        JSON.stringify(error.errors),
        String(error),
      ];
      for (const text of everything) expect(text ?? '').not.toContain(emulator.secretKey);
    }
  });
});

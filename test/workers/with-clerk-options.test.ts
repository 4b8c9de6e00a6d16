import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClerkConfigurationError, MemoryStore } from '../../src/index.js';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { withClerk, type ClerkFetchHandler, type WorkerExecutionContext } from '../../src/workers/index.js';

// Option handling, checked in Node by calling the Worker's fetch directly (workerd behaviour is
// covered by with-clerk.test.ts).

let emulator: ClerkEmulator;
beforeAll(async () => {
  emulator = await createClerkEmulator();
});
afterAll(async () => {
  await emulator?.close();
});

const ctx: WorkerExecutionContext = { waitUntil() {} };
const report: ClerkFetchHandler<Record<string, unknown>> = (_request, _env, _ctx, clerk) =>
  Response.json({ status: clerk.state.status, reason: clerk.state.reason, userId: clerk.auth.userId });

async function bearerRequest(): Promise<Request> {
  const { session } = await emulator.createSession({ userId: 'user_options' });
  return new Request('https://app.example/', {
    headers: { authorization: `Bearer ${await emulator.createSessionToken(session.id)}` },
  });
}

describe('withClerk options', () => {
  it('throws when created with a malformed option, naming the variable to set', () => {
    expect(() => withClerk(report, { secretKey: 'not-a-key' })).toThrow(ClerkConfigurationError);
    expect(() => withClerk(report, { secretKey: 'not-a-key' })).toThrow(/CLERK_SECRET_KEY/);
    expect(() => withClerk(undefined as unknown as ClerkFetchHandler<object>)).toThrow(/fetch handler/);
  });

  it('reads each missing field from env on its own: an explicit apiUrl keeps the keys from bindings', async () => {
    const worker = withClerk(report, { apiUrl: emulator.url, store: false });
    const env = {
      CLERK_SECRET_KEY: emulator.secretKey,
      CLERK_PUBLISHABLE_KEY: emulator.publishableKey,
      CLERK_API_URL: 'http://127.0.0.1:9',
    };
    const res = await worker.fetch(await bearerRequest(), env, ctx);
    expect(await res.json()).toEqual({ status: 'signed-in', reason: null, userId: 'user_options' });
  });

  it('throws on the first request whose bindings hold a malformed key, without echoing the value', async () => {
    const worker = withClerk(report, { store: false });
    const secret = 'sk_live_with spaces_is_malformed';
    const failure = await worker
      .fetch(new Request('https://app.example/'), { CLERK_SECRET_KEY: secret }, ctx)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ClerkConfigurationError);
    expect((failure as Error).message).toMatch(/CLERK_SECRET_KEY/);
    expect((failure as Error).message).not.toContain('with spaces');
  });

  it('builds a store from env once per isolate, not per request', async () => {
    const made: object[] = [];
    const worker = withClerk(report, {
      store: (env) => {
        made.push(env);
        return new MemoryStore();
      },
    });
    const env = {
      CLERK_SECRET_KEY: emulator.secretKey,
      CLERK_PUBLISHABLE_KEY: emulator.publishableKey,
      CLERK_API_URL: emulator.url,
    };
    for (let i = 0; i < 3; i++) expect((await worker.fetch(await bearerRequest(), env, ctx)).status).toBe(200);
    expect(made).toEqual([env]);
  });

  it('adds state headers to an immutable response returned by the handler', async () => {
    const immutable = Response.redirect('https://app.example/next', 302);
    const worker = withClerk(() => immutable, { debug: true, store: false });
    const env = {
      CLERK_SECRET_KEY: emulator.secretKey,
      CLERK_PUBLISHABLE_KEY: emulator.publishableKey,
      CLERK_API_URL: emulator.url,
    };
    const res = await worker.fetch(new Request('https://app.example/'), env, ctx);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://app.example/next');
    expect(res.headers.get('x-clerk-auth-status')).toBe('signed-out');
    expect(res.headers.get('x-clerk-auth-reason')).toBe('token-missing');
  });

  it('lets a protect function decide per request', async () => {
    const worker = withClerk(report, {
      store: false,
      protect: (request) => new URL(request.url).pathname.startsWith('/api/'),
    });
    const env = {
      CLERK_SECRET_KEY: emulator.secretKey,
      CLERK_PUBLISHABLE_KEY: emulator.publishableKey,
      CLERK_API_URL: emulator.url,
    };
    expect((await worker.fetch(new Request('https://app.example/public'), env, ctx)).status).toBe(200);
    const denied = await worker.fetch(new Request('https://app.example/api/data'), env, ctx);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ error: 'unauthorized', reason: 'token-missing' });
  });
});

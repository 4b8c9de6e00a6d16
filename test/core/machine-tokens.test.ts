import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClerkAuth, MemoryStore, type ClerkEdgeOptions, type MachineAuthObject } from '../../src/index.js';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { bearer, sessionClaims, TEST_ENV } from '../support/fixtures.js';

/** One clock for the emulator and the authenticator, moved by hand. */
let now = Date.now();
const clock = () => now;
let emulator: ClerkEmulator;

beforeAll(async () => {
  emulator = await createClerkEmulator({ now: clock });
});
afterAll(() => emulator.close());
afterEach(() => {
  emulator.clearFaults();
  emulator.resetCounts();
});

const clerk = (options: ClerkEdgeOptions = {}) =>
  createClerkAuth({
    secretKey: emulator.secretKey,
    publishableKey: emulator.publishableKey,
    apiUrl: emulator.url,
    env: TEST_ENV,
    now: clock,
    ...options,
  });

const VERIFY = {
  api_key: 'POST /v1/api_keys/verify',
  m2m_token: 'POST /v1/m2m_tokens/verify',
  oauth_token: 'POST /v1/oauth_applications/access_tokens/verify',
} as const;

type Opaque = keyof typeof VERIFY;
const mint: Record<Opaque, () => Promise<{ token: string; id: string; revoke: () => void }>> = {
  api_key: async () => {
    const key = await emulator.createApiKey({
      subject: 'user_owner',
      name: 'ci',
      scopes: ['read', 'write'],
      claims: { team: 'a' },
    });
    return { token: key.secret, id: key.id, revoke: () => emulator.revokeApiKey(key.id) };
  },
  m2m_token: async () => {
    const m2m = await emulator.createM2MToken({ scopes: ['mch_other'] });
    return { token: m2m.token, id: m2m.id, revoke: () => emulator.revokeM2MToken(m2m.id) };
  },
  oauth_token: async () => {
    const oauth = await emulator.createOAuthToken({
      userId: 'user_oauth',
      clientId: 'client_1',
      scopes: ['profile', 'email'],
    });
    return { token: oauth.token, id: oauth.id, revoke: () => emulator.revokeOAuthToken(oauth.id) };
  },
};

describe.each(Object.keys(VERIFY) as Opaque[])('opaque %s', (type) => {
  const route = VERIFY[type];

  it('is accepted when the route accepts it, with its auth object', async () => {
    const { token, id } = await mint[type]();
    const state = await clerk().authenticateRequest(bearer(token), { acceptsToken: type });
    expect(state.status).toBe('signed-in');
    expect(state.tokenType).toBe(type);
    const auth = state.toAuth() as MachineAuthObject;
    expect(auth.id).toBe(id);
    expect(auth.has({ role: 'org:admin' })).toBe(false);
    expect(emulator.requestCount(route)).toBe(1);
  });

  it('is rejected as token-invalid when unknown', async () => {
    const prefix = { api_key: 'ak_', m2m_token: 'mt_', oauth_token: 'oat_' }[type];
    expect(
      await clerk().authenticateRequest(bearer(`${prefix}${'0'.repeat(32)}`), { acceptsToken: type }),
    ).toMatchObject({ status: 'signed-out', reason: 'token-invalid' });
    expect(emulator.requestCount(route)).toBe(1);
  });

  it('stays accepted until its cache entry ends after a revocation, then is rejected', async () => {
    const { token, revoke } = await mint[type]();
    const auth = clerk({ machineTokens: { ttlMs: 30_000 } });
    expect((await auth.authenticateRequest(bearer(token), { acceptsToken: type })).status).toBe('signed-in');
    revoke();
    expect((await auth.authenticateRequest(bearer(token), { acceptsToken: type })).status).toBe('signed-in');
    now += 30_001;
    expect(await auth.authenticateRequest(bearer(token), { acceptsToken: type })).toMatchObject({
      status: 'signed-out',
      reason: 'token-revoked',
    });
    expect(emulator.requestCount(route)).toBe(2);
  });

  it('is rejected as token-expired once expired', async () => {
    const created =
      type === 'api_key'
        ? (await emulator.createApiKey({ secondsUntilExpiration: 60 })).secret
        : type === 'm2m_token'
          ? (await emulator.createM2MToken({ secondsUntilExpiration: 60 })).token
          : (await emulator.createOAuthToken({ secondsUntilExpiration: 60 })).token;
    now += 61_000;
    expect((await clerk().authenticateRequest(bearer(created), { acceptsToken: type })).reason).toBe('token-expired');
  });

  it('costs no Backend API call on a route that does not accept it', async () => {
    const { token } = await mint[type]();
    expect(await clerk().authenticateRequest(bearer(token))).toMatchObject({
      status: 'signed-out',
      reason: 'token-type-mismatch',
      tokenType: type,
    });
    expect(emulator.requests).toHaveLength(0);
  });

  it.each([
    ['answers 500', { status: 500 }, 'backend-api-unavailable'],
    ['times out', { delayMs: 600 }, 'backend-api-unavailable'],
    ['drops the connection', { drop: true }, 'backend-api-unavailable'],
    ['rate-limits', { status: 429, headers: { 'Retry-After': '7' } }, 'rate-limited'],
  ])('is unavailable, and nothing is cached, when the Backend API %s', async (_, fault, reason) => {
    const { token } = await mint[type]();
    const auth = clerk({ machineTokens: { timeoutMs: 300 } });
    emulator.fault(route, { ...fault, times: 1 });
    const state = await auth.authenticateRequest(bearer(token), { acceptsToken: type });
    expect(state).toMatchObject({ status: 'unavailable', reason });
    if (reason === 'rate-limited') {
      expect(state.retryAfterSeconds).toBe(7);
      now += 7000; // the back-off the 429 opened
    }
    expect((await auth.authenticateRequest(bearer(token), { acceptsToken: type })).status).toBe('signed-in');
  });
});

describe('machine token verification cache', () => {
  it('makes 1 verify call for 200 sequential requests with one API key', async () => {
    const { token } = await mint.api_key();
    const auth = clerk();
    for (let i = 0; i < 200; i++)
      expect((await auth.authenticateRequest(bearer(token), { acceptsToken: 'api_key' })).status).toBe('signed-in');
    expect(emulator.requestCount(VERIFY.api_key)).toBe(1);
  });

  it('makes 1 verify call for 50 concurrent requests with one new token', async () => {
    const { token } = await mint.api_key();
    emulator.fault(VERIFY.api_key, { delayMs: 50, times: 1 });
    const auth = clerk();
    const states = await Promise.all(
      Array.from({ length: 50 }, () => auth.authenticateRequest(bearer(token), { acceptsToken: 'any' })),
    );
    expect(states.every((state) => state.status === 'signed-in')).toBe(true);
    expect(emulator.requestCount(VERIFY.api_key)).toBe(1);
  });

  it('keeps invalid verdicts only briefly', async () => {
    const auth = clerk({ machineTokens: { negativeTtlMs: 5000 } });
    for (let i = 0; i < 3; i++)
      await auth.authenticateRequest(bearer('ak_unknownkey0000000000000000'), { acceptsToken: 'api_key' });
    expect(emulator.requestCount(VERIFY.api_key)).toBe(1);
    now += 5001;
    await auth.authenticateRequest(bearer('ak_unknownkey0000000000000000'), { acceptsToken: 'api_key' });
    expect(emulator.requestCount(VERIFY.api_key)).toBe(2);
  });

  it('never keeps a valid verdict past the token expiration', async () => {
    const key = await emulator.createApiKey({ secondsUntilExpiration: 10 });
    const auth = clerk({ machineTokens: { ttlMs: 60_000 } });
    expect((await auth.authenticateRequest(bearer(key.secret), { acceptsToken: 'api_key' })).status).toBe('signed-in');
    now += 10_001;
    expect((await auth.authenticateRequest(bearer(key.secret), { acceptsToken: 'api_key' })).reason).toBe(
      'token-expired',
    );
  });

  it('can be disabled', async () => {
    const { token } = await mint.api_key();
    const auth = clerk({ machineTokens: { enabled: false } });
    for (let i = 0; i < 3; i++) await auth.authenticateRequest(bearer(token), { acceptsToken: 'api_key' });
    expect(emulator.requestCount(VERIFY.api_key)).toBe(3);
  });

  it('shares verdicts through a store keyed by a hash, never by the secret', async () => {
    const { token } = await mint.api_key();
    const keys: string[] = [];
    const values: string[] = [];
    const memory = new MemoryStore();
    const store = {
      get: (key: string) => memory.get(key),
      set: async (key: string, value: unknown, ttl: number) => {
        keys.push(key);
        values.push(JSON.stringify(value));
        await memory.set(key, value, ttl);
      },
    };
    await clerk({ store }).authenticateRequest(bearer(token), { acceptsToken: 'api_key' });
    expect(await clerk({ store }).authenticateRequest(bearer(token), { acceptsToken: 'api_key' })).toMatchObject({
      status: 'signed-in',
    });
    expect(emulator.requestCount(VERIFY.api_key)).toBe(1);
    expect(keys.some((key) => key.startsWith('clerk-edge:machine:'))).toBe(true);
    expect(keys.join() + values.join()).not.toContain(token);
  });

  it('takes only the status, the reason and the wait from a refusal read from a shared store', async () => {
    const { token } = await mint.api_key();
    // A store written by something else: its refusal carries fields a verdict never has.
    const store = {
      get: async () => ({
        ok: false,
        status: 'signed-out',
        reason: 'token-invalid',
        detail: 'STORE-TEXT',
        headers: { 'set-cookie': 'x=1' },
      }),
      set: async () => {},
    };
    for (const debug of [false, true]) {
      const state = await clerk({ store, debug }).authenticateRequest(bearer(token), { acceptsToken: 'api_key' });
      expect(state).toMatchObject({ status: 'signed-out', reason: 'token-invalid', tokenType: 'api_key' });
      expect(state.headers).toBeInstanceOf(Headers);
      expect(state.headers.getSetCookie()).toEqual([]);
      expect(state.message).not.toContain('STORE-TEXT');
    }
  });
});

describe('machine auth objects', () => {
  it('maps an API key and checks scopes', async () => {
    const { token } = await mint.api_key();
    const auth = (
      await clerk().authenticateRequest(bearer(token), { acceptsToken: 'api_key' })
    ).toAuth() as MachineAuthObject;
    expect(auth).toMatchObject({
      tokenType: 'api_key',
      subject: 'user_owner',
      userId: 'user_owner',
      orgId: null,
      name: 'ci',
      scopes: ['read', 'write'],
      claims: { team: 'a' },
    });
    expect(auth.hasScope('write')).toBe(true);
    expect(auth.hasScope('admin')).toBe(false);
  });

  it('maps an M2M token to its machine and verifies it with the machine secret key', async () => {
    const { token } = await mint.m2m_token();
    const auth = (
      await clerk({ machineSecretKey: emulator.machineSecretKey }).authenticateRequest(bearer(token), {
        acceptsToken: 'm2m_token',
      })
    ).toAuth() as MachineAuthObject;
    expect(auth).toMatchObject({
      tokenType: 'm2m_token',
      machineId: emulator.machineId,
      subject: emulator.machineId,
      scopes: ['mch_other'],
    });
    expect(emulator.requests.at(-1)?.headers.authorization).toBe(`Bearer ${emulator.machineSecretKey}`);
  });

  it('maps an OAuth token to its user and client', async () => {
    const { token } = await mint.oauth_token();
    const auth = (
      await clerk().authenticateRequest(bearer(token), { acceptsToken: 'oauth_token' })
    ).toAuth() as MachineAuthObject;
    expect(auth).toMatchObject({
      tokenType: 'oauth_token',
      userId: 'user_oauth',
      clientId: 'client_1',
      scopes: ['profile', 'email'],
    });
  });

  it('sends only the token field the endpoint defines', async () => {
    const { token } = await mint.oauth_token();
    await clerk().authenticateRequest(bearer(token), { acceptsToken: 'oauth_token' });
    expect(emulator.requests.at(-1)?.body).toEqual({ access_token: token });
  });
});

describe('JWT-format machine tokens', () => {
  it('verifies M2M JWTs locally with the instance keys', async () => {
    const m2m = await emulator.createM2MToken({ format: 'jwt', scopes: ['mch_x'] });
    const auth = clerk();
    const state = await auth.authenticateRequest(bearer(m2m.token), { acceptsToken: 'm2m_token' });
    expect(state.status).toBe('signed-in');
    expect((state.toAuth() as MachineAuthObject).machineId).toBe(m2m.subject);
    expect(emulator.requestCount(VERIFY.m2m_token)).toBe(0);
    expect((await auth.authenticateRequest(bearer(m2m.token))).reason).toBe('token-type-mismatch');
  });

  it('verifies OAuth at+jwt tokens locally and rejects forged ones', async () => {
    const oauth = await emulator.createOAuthToken({
      format: 'jwt',
      userId: 'user_jwt',
      clientId: 'client_jwt',
      scopes: ['read'],
    });
    const auth = clerk();
    const state = await auth.authenticateRequest(bearer(oauth.token), { acceptsToken: 'oauth_token' });
    expect(state.status).toBe('signed-in');
    expect(state.toAuth()).toMatchObject({ userId: 'user_jwt', clientId: 'client_jwt', scopes: ['read'] });
    expect(emulator.requestCount(VERIFY.oauth_token)).toBe(0);
    const forged = await emulator.signToken({
      key: 'foreign',
      header: { typ: 'at+jwt' },
      claims: sessionClaims(emulator, { client_id: 'x' }),
    });
    expect((await auth.authenticateRequest(bearer(forged), { acceptsToken: 'oauth_token' })).reason).toBe(
      'token-invalid-signature',
    );
  });
});

describe('acceptsToken', () => {
  it('accepts an array of types and any', async () => {
    const { token } = await mint.api_key();
    expect(
      (await clerk().authenticateRequest(bearer(token), { acceptsToken: ['session_token', 'api_key'] })).status,
    ).toBe('signed-in');
    expect((await clerk().authenticateRequest(bearer(token), { acceptsToken: 'any' })).status).toBe('signed-in');
  });

  it('rejects a session token on a machine-only route without verifying it', async () => {
    const token = await emulator.signToken({ claims: sessionClaims(emulator, {}, Math.floor(now / 1000)) });
    expect((await clerk().authenticateRequest(bearer(token), { acceptsToken: 'api_key' })).reason).toBe(
      'token-type-mismatch',
    );
    expect(emulator.requests).toHaveLength(0);
  });

  it('verifyMachineToken works without a request', async () => {
    const { token } = await mint.api_key();
    expect((await clerk().verifyMachineToken(token)).status).toBe('signed-in');
    expect((await clerk().verifyMachineToken(token, { acceptsToken: 'm2m_token' })).reason).toBe('token-type-mismatch');
  });
});

describe('machine JWTs recognised after verification', () => {
  it('never accepts an M2M JWT without its cat header as a session, and verifies it as M2M when accepted', async () => {
    const nowSeconds = Math.floor(now / 1000);
    const token = await emulator.signToken({
      claims: {
        sub: 'mch_2abcdefghijklmnopqrstuvwxyz',
        iss: emulator.issuer,
        iat: nowSeconds,
        exp: nowSeconds + 60,
        scopes: 'mch_x',
      },
    });
    expect((await clerk().authenticateRequest(bearer(token))).reason).toBe('token-type-mismatch');
    const state = await clerk().authenticateRequest(bearer(token), { acceptsToken: ['session_token', 'm2m_token'] });
    expect(state.status).toBe('signed-in');
    expect(state.tokenType).toBe('m2m_token');
  });

  it('reports a rejected secret key as unavailable for opaque tokens', async () => {
    const { token } = await mint.api_key();
    expect(
      await clerk({ secretKey: 'sk_test_wrong' }).authenticateRequest(bearer(token), { acceptsToken: 'api_key' }),
    ).toMatchObject({ status: 'unavailable', reason: 'secret-key-invalid' });
  });
});

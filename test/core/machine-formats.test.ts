import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { instanceBackoff } from '../../src/core/backoff.js';
import { createClerkAuth, type ClerkEdgeOptions, type MachineAuthObject } from '../../src/index.js';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { bearer, TEST_ENV } from '../support/fixtures.js';

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

const API_KEY_VERIFY = 'POST /v1/api_keys/verify' as const;

/** M2M JWT claims as Clerk's machine-token service mints them. */
function m2mClaims(overrides: Record<string, unknown> = {}) {
  const iat = Math.floor(now / 1000);
  return {
    iss: emulator.issuer,
    sub: emulator.machineId,
    iat,
    nbf: iat - 5,
    exp: iat + 600,
    jti: 'mt_1',
    ...overrides,
  };
}

describe('M2M JWTs', () => {
  it('accepts a correctly signed M2M JWT without cat but with an mch_ subject on an m2m_token-only route', async () => {
    const token = await emulator.signToken({ claims: m2mClaims({ scopes: 'mch_other' }) });
    const state = await clerk().authenticateRequest(bearer(token), { acceptsToken: 'm2m_token' });
    expect(state.status).toBe('signed-in');
    expect(state.tokenType).toBe('m2m_token');
    const auth = state.toAuth() as MachineAuthObject;
    expect([auth.subject, auth.machineId, auth.id, auth.scopes]).toEqual([
      emulator.machineId,
      emulator.machineId,
      'mt_1',
      ['mch_other'],
    ]);
    expect(emulator.requests).toEqual([expect.objectContaining({ path: '/v1/jwks' })]);
  });

  it('refuses the same token as a session, with no call beyond the keys', async () => {
    const token = await emulator.signToken({ claims: m2mClaims() });
    expect(await clerk().authenticateRequest(bearer(token))).toMatchObject({
      status: 'signed-out',
      reason: 'token-type-mismatch',
      tokenType: 'm2m_token',
    });
    expect(emulator.requests).toHaveLength(0);
  });

  it('refuses a session-category JWT with an mch_ subject as a session, even where M2M JWTs are accepted', async () => {
    const token = await emulator.signToken({ header: { cat: 'cl_B7d4PD111AAA' }, claims: m2mClaims() });
    expect(await clerk().authenticateRequest(bearer(token), { acceptsToken: 'any' })).toMatchObject({
      status: 'signed-out',
      reason: 'token-type-mismatch',
      tokenType: 'session_token',
    });
  });

  it("refuses an M2M JWT whose iss is not the instance's Frontend API", async () => {
    for (const header of [{}, { cat: 'cl_B7d4PD333AAA' }]) {
      const token = await emulator.signToken({ header, claims: m2mClaims({ iss: 'https://clerk.other.example' }) });
      expect(await clerk().authenticateRequest(bearer(token), { acceptsToken: 'm2m_token' })).toMatchObject({
        status: 'signed-out',
        reason: 'token-invalid-issuer',
      });
    }
  });

  it('refuses an M2M JWT whose subject is not a machine as token-invalid-claims, even when it has expired', async () => {
    for (const exp of [Math.floor(now / 1000) + 600, Math.floor(now / 1000) - 600]) {
      const token = await emulator.signToken({
        header: { cat: 'cl_B7d4PD333AAA' },
        claims: m2mClaims({ sub: 'user_1', iat: exp - 700, nbf: exp - 700, exp }),
      });
      expect(await clerk().authenticateRequest(bearer(token), { acceptsToken: 'm2m_token' })).toMatchObject({
        status: 'signed-out',
        reason: 'token-invalid-claims',
        tokenType: 'm2m_token',
      });
    }
  });

  it('reports token-expired for an M2M JWT only when every other check passed', async () => {
    const exp = Math.floor(now / 1000) - 600;
    const expired = (iss: string) =>
      emulator.signToken({
        header: { cat: 'cl_B7d4PD333AAA' },
        claims: m2mClaims({ iss, iat: exp - 700, nbf: exp - 700, exp }),
      });
    const reason = async (iss: string) =>
      (await clerk().authenticateRequest(bearer(await expired(iss)), { acceptsToken: 'm2m_token' })).reason;
    expect(await reason('https://clerk.other.example')).toBe('token-invalid-issuer');
    expect(await reason(emulator.issuer)).toBe('token-expired');
  });

  it('accepts an M2M JWT without iss, as Clerk does', async () => {
    const token = await emulator.signToken({
      header: { cat: 'cl_B7d4PD333AAA' },
      claims: m2mClaims({ iss: undefined }),
    });
    expect((await clerk().authenticateRequest(bearer(token), { acceptsToken: 'm2m_token' })).status).toBe('signed-in');
  });

  it('accepts an M2M JWT minted by the emulator (cat header, iss)', async () => {
    const { token } = await emulator.createM2MToken({ format: 'jwt' });
    expect((await clerk().authenticateRequest(bearer(token), { acceptsToken: 'm2m_token' })).status).toBe('signed-in');
  });
});

describe('opaque machine token shapes', () => {
  it.each([
    ['too short', 'ak_abc'],
    ['a dash', `ak_${'a'.repeat(20)}-x`],
    ['a non-base62 byte', `ak_${'a'.repeat(20)}%00`],
    ['a non-ASCII letter', `ak_${'a'.repeat(20)}é`],
    ['too long', `ak_${'a'.repeat(257)}`],
    ['a space', `mt_${'a'.repeat(20)} x`],
    ['nothing after the prefix', 'oat_'],
    ['padding before the end', `ak_${'a'.repeat(20)}=a`],
    ['three padding characters', `ak_${'a'.repeat(20)}===`],
    ['a control character', `ak_${'a'.repeat(20)}\n`],
  ])('refuses a token with %s as token-invalid, with no Backend API call', async (_, token) => {
    const state = await clerk().verifyMachineToken(token);
    expect(state).toMatchObject({ status: 'signed-out', reason: 'token-invalid' });
    expect(emulator.requests).toHaveLength(0);
  });

  it('makes 0 calls for 100 random malformed ak_ strings and 1 call each for well-formed unknown ones', async () => {
    const auth = clerk();
    for (let i = 0; i < 100; i++) {
      const junk = `ak_${crypto.randomUUID()}`; // dashes: not Clerk's format
      expect((await auth.authenticateRequest(bearer(junk), { acceptsToken: 'api_key' })).reason).toBe('token-invalid');
    }
    expect(emulator.requestCount(API_KEY_VERIFY)).toBe(0);
    for (let i = 0; i < 3; i++)
      await auth.authenticateRequest(bearer(`ak_${crypto.randomUUID().replaceAll('-', '')}`), {
        acceptsToken: 'api_key',
      });
    expect(emulator.requestCount(API_KEY_VERIFY)).toBe(3);
  });

  it('sends well-formed tokens with an environment infix to the Backend API', async () => {
    const token = `ak_live_${'a1B2'.repeat(8)}`;
    expect((await clerk().verifyMachineToken(token)).reason).toBe('token-invalid');
    expect(emulator.requestCount(API_KEY_VERIFY)).toBe(1);
  });
});

describe('rate-limit back-off', () => {
  it('makes 1 Backend API call for 100 requests during a 429, each unavailable with the remaining wait', async () => {
    const auth = clerk();
    emulator.fault(API_KEY_VERIFY, { status: 429, headers: { 'Retry-After': '30' } });
    const waits: Array<number | null> = [];
    for (let i = 0; i < 100; i++) {
      const { secret } = await emulator.createApiKey();
      const state = await auth.authenticateRequest(bearer(secret), { acceptsToken: 'api_key' });
      expect(state).toMatchObject({ status: 'unavailable', reason: 'rate-limited' });
      waits.push(state.retryAfterSeconds);
      if (i === 49) now += 10_000;
    }
    expect(emulator.requestCount(API_KEY_VERIFY)).toBe(1);
    expect([waits[0], waits[49], waits[50], waits[99]]).toEqual([30, 30, 20, 20]);

    now += 20_000; // the back-off has ended: calls resume
    emulator.clearFaults();
    const { secret } = await emulator.createApiKey();
    expect((await auth.authenticateRequest(bearer(secret), { acceptsToken: 'api_key' })).status).toBe('signed-in');
    expect(emulator.requestCount(API_KEY_VERIFY)).toBe(2);
  });

  it('is per endpoint: a rate-limited API key endpoint does not block M2M verification', async () => {
    const auth = clerk();
    emulator.fault(API_KEY_VERIFY, { status: 429 });
    const { secret } = await emulator.createApiKey();
    expect(await auth.authenticateRequest(bearer(secret), { acceptsToken: 'api_key' })).toMatchObject({
      reason: 'rate-limited',
      retryAfterSeconds: 5, // no Retry-After: the default
    });
    const { token } = await emulator.createM2MToken();
    expect((await auth.authenticateRequest(bearer(token), { acceptsToken: 'm2m_token' })).status).toBe('signed-in');
    expect(instanceBackoff(auth.config).blockedFor('POST /api_keys/verify')).toBe(5);
    expect(instanceBackoff(auth.config).blockedFor('POST /m2m_tokens/verify')).toBe(0);
  });

  it('is per instance: another authenticator is not blocked', async () => {
    emulator.fault(API_KEY_VERIFY, { status: 429, times: 1 });
    const { secret } = await emulator.createApiKey();
    expect((await clerk().authenticateRequest(bearer(secret), { acceptsToken: 'api_key' })).reason).toBe(
      'rate-limited',
    );
    expect((await clerk().authenticateRequest(bearer(secret), { acceptsToken: 'api_key' })).status).toBe('signed-in');
  });

  it('caps a huge Retry-After at 120 seconds', async () => {
    emulator.fault(API_KEY_VERIFY, { status: 429, headers: { 'Retry-After': '86400' } });
    const { secret } = await emulator.createApiKey();
    expect((await clerk().authenticateRequest(bearer(secret), { acceptsToken: 'api_key' })).retryAfterSeconds).toBe(
      120,
    );
  });

  it('backs off JWKS fetches after a 429 too', async () => {
    const auth = clerk();
    emulator.fault('GET /v1/jwks', { status: 429, headers: { 'Retry-After': '9' } });
    const token = await emulator.signToken({ claims: { sub: 'user_1', iss: emulator.issuer, exp: now / 1000 + 60 } });
    for (let i = 0; i < 10; i++)
      expect(await auth.authenticateRequest(bearer(token))).toMatchObject({
        status: 'unavailable',
        reason: 'rate-limited',
      });
    expect(emulator.requestCount('GET /v1/jwks')).toBe(1);
  });
});

describe('a machine secret key alone', () => {
  const machineOnly = () =>
    createClerkAuth({ machineSecretKey: emulator.machineSecretKey, apiUrl: emulator.url, env: {}, now: clock });

  it('is a valid configuration that verifies opaque M2M tokens', async () => {
    const { token } = await emulator.createM2MToken();
    const state = await machineOnly().authenticateRequest(bearer(token), { acceptsToken: 'm2m_token' });
    expect(state.status).toBe('signed-in');
    expect(emulator.requests.map((request) => request.headers.authorization)).toEqual([
      `Bearer ${emulator.machineSecretKey}`,
    ]);
  });

  it('answers jwt-key-missing (unavailable) for JWTs and machine-secret-key-missing for API keys, with no call', async () => {
    const auth = machineOnly();
    const jwt = await emulator.signToken({ claims: m2mClaims() });
    expect(await auth.authenticateRequest(bearer(jwt), { acceptsToken: 'm2m_token' })).toMatchObject({
      status: 'unavailable',
      reason: 'jwt-key-missing',
    });
    const { secret } = await emulator.createApiKey();
    expect(await auth.authenticateRequest(bearer(secret), { acceptsToken: 'api_key' })).toMatchObject({
      status: 'unavailable',
      reason: 'machine-secret-key-missing',
    });
    expect(emulator.requests).toHaveLength(0);
  });
});

import { exportSPKI, importJWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/index.js';
import { bearer, clerkFor, sessionClaims, withEmulator } from '../support/fixtures.js';

const ctx = withEmulator();
const JWKS = 'GET /v1/jwks' as const;

afterEach(() => {
  ctx.emulator.clearFaults();
  ctx.emulator.resetCounts();
});

const longLivedToken = () =>
  ctx.emulator.signToken({
    claims: sessionClaims(ctx.emulator, { exp: Math.floor(Date.now() / 1000) + 3600 }),
  });

/** Key sets that hold no key an RS256 token could be verified with. */
const UNUSABLE: Array<[string, unknown]> = [
  ['an empty key set', { keys: [] }],
  ['only an HMAC key', { keys: [{ kty: 'oct', kid: 'k1', k: 'c2VjcmV0' }] }],
  ['only an EC key', { keys: [{ kty: 'EC', crv: 'P-256', kid: 'k1', x: 'AA', y: 'AA' }] }],
  ['an RSA key for encryption', { keys: [{ kty: 'RSA', kid: 'k1', use: 'enc', n: 'AQAB', e: 'AQAB' }] }],
  ['an RSA key without kid', { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }] }],
];

describe('a JWKS answer with no usable key', () => {
  it.each(UNUSABLE)(
    'with %s on a cold cache is unavailable (503 jwks-unavailable), not signed out',
    async (_, body) => {
      ctx.emulator.fault(JWKS, { status: 200, body });
      const state = await clerkFor(ctx.emulator).authenticateRequest(bearer(await longLivedToken()));
      expect(state).toMatchObject({ status: 'unavailable', reason: 'jwks-unavailable', retryAfterSeconds: 5 });
    },
  );

  it('never replaces last-known-good keys, in memory or in the shared store', async () => {
    let now = Date.now();
    const store = new MemoryStore();
    const options = { now: () => now, store, keys: { ttlMs: 60_000, unknownKidCooldownMs: 0 } };
    const clerk = clerkFor(ctx.emulator, options);
    const token = await longLivedToken();
    expect((await clerk.authenticateRequest(bearer(token))).status).toBe('signed-in');

    ctx.emulator.fault(JWKS, { status: 200, body: { keys: [] } });
    now += 61_000; // stale: a background refresh gets the empty set
    const background: Promise<unknown>[] = [];
    expect((await clerk.authenticateRequest(bearer(token), { waitUntil: (p) => background.push(p) })).status).toBe(
      'signed-in',
    );
    await Promise.all(background);
    // A forged kid forces a refetch (cooldown 0), which answers the empty set again.
    const forged = await ctx.emulator.signToken({
      header: { kid: 'ins_forged' },
      claims: sessionClaims(ctx.emulator),
    });
    expect((await clerk.authenticateRequest(bearer(forged))).status).toBe('unavailable');
    expect((await clerk.authenticateRequest(bearer(token), { waitUntil: (p) => background.push(p) })).status).toBe(
      'signed-in',
    );
    await Promise.all(background);
    expect(ctx.emulator.requestCount(JWKS)).toBe(4); // refresh, forced refetch, refresh: all empty, none adopted

    // A new authenticator on the same store still adopts the good keys, not the empty set.
    ctx.emulator.resetCounts();
    const fresh = clerkFor(ctx.emulator, options);
    expect((await fresh.authenticateRequest(bearer(token), { waitUntil: (p) => background.push(p) })).status).toBe(
      'signed-in',
    );
    await Promise.all(background);
    expect(ctx.emulator.requestCount(JWKS)).toBe(1); // the stored set is stale, so one background refresh
  });
});

describe('jwtKey', () => {
  async function pem(): Promise<string> {
    const jwk = ctx.emulator.jwks().keys[0]!;
    return exportSPKI((await importJWK(jwk, 'RS256')) as CryptoKey);
  }

  it('accepts a bare base64 SPKI body without PEM armour, on one line or several', async () => {
    const armoured = await pem();
    const body = armoured.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').trim();
    const token = await longLivedToken();
    for (const jwtKey of [body.replace(/\s+/g, ''), body]) {
      const clerk = clerkFor(ctx.emulator, { secretKey: undefined, jwtKey });
      expect((await clerk.authenticateRequest(bearer(token))).status).toBe('signed-in');
    }
    expect(ctx.emulator.requests).toHaveLength(0);
  });

  it('refuses a token signed by another key with a bare base64 jwtKey', async () => {
    const body = (await pem()).replace(/-----(BEGIN|END) PUBLIC KEY-----|\s+/g, '');
    const forged = await ctx.emulator.signToken({ key: 'foreign', claims: sessionClaims(ctx.emulator) });
    const clerk = clerkFor(ctx.emulator, { secretKey: undefined, jwtKey: body });
    expect((await clerk.authenticateRequest(bearer(forged))).reason).toBe('token-invalid-signature');
  });

  it('still refuses a value that is neither PEM, base64 SPKI nor JWK at creation', () => {
    expect(() => clerkFor(ctx.emulator, { secretKey: undefined, jwtKey: 'sk_test_not_a_key' })).toThrow(/jwtKey/);
  });
});

import { exportJWK, exportSPKI, generateKeyPair, importJWK } from 'jose';
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

  it.each(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const)(
    'verifies a %s token with that key as a JWK or as SPKI, and refuses a token of another algorithm with it',
    async (alg) => {
      const other = alg === 'ES256' ? 'RS256' : 'ES256';
      const sign = async (alg: string) =>
        ctx.emulator.signToken({
          alg,
          key: (await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {})).privateKey,
          claims: sessionClaims(ctx.emulator),
          header: { kid: 'k1' },
        });
      const { publicKey, privateKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
      const token = await ctx.emulator.signToken({
        alg,
        key: privateKey,
        claims: sessionClaims(ctx.emulator),
        header: { kid: 'k1' },
      });
      const jwk = { ...(await exportJWK(publicKey)), kid: 'k1' };
      const spki = (await exportSPKI(publicKey)).replace(/-----(BEGIN|END) PUBLIC KEY-----|\s+/g, '');
      for (const jwtKey of [jwk, spki]) {
        const clerk = clerkFor(ctx.emulator, { secretKey: undefined, jwtKey, algorithms: [alg, other] });
        expect(await clerk.authenticateRequest(bearer(token))).toMatchObject({ status: 'signed-in' });
        expect(await clerk.authenticateRequest(bearer(await sign(alg)))).toMatchObject({
          status: 'signed-out',
          reason: 'token-invalid-signature',
        });
        // A key of one type never verifies another algorithm: the JWK does not fit it, the SPKI body does not import as it.
        expect(await clerk.authenticateRequest(bearer(await sign(other)))).toMatchObject({
          status: 'signed-out',
          reason: 'jwk-alg-mismatch',
        });
      }
      expect(ctx.emulator.requests).toHaveLength(0);
    },
  );

  it('still refuses a value that is neither PEM, base64 SPKI nor JWK at creation', () => {
    expect(() => clerkFor(ctx.emulator, { secretKey: undefined, jwtKey: 'sk_test_not_a_key' })).toThrow(/jwtKey/);
  });
});

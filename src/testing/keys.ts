import { SignJWT, UnsecuredJWT, calculateJwkThumbprint, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import type { JWK, JWTHeaderParameters, JWTPayload } from 'jose';

/** A generated signing key pair with its public forms, ready for `jwtKey` options and JWKS documents. */
export interface TestKeyPair {
  /** Key id; also set on `publicJwk.kid`. */
  kid: string;
  /** JWS algorithm the key is for, e.g. `RS256`. */
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** Public JWK with `kid`, `alg` and `use: 'sig'`. */
  publicJwk: JWK;
  /** Public key as a PEM `-----BEGIN PUBLIC KEY-----` (SPKI) block, the format of `CLERK_JWT_KEY`. */
  publicPem: string;
}

/** Options for {@link createTestKeyPair}. */
export interface CreateTestKeyPairOptions {
  /** JWS algorithm (default `RS256`). Any asymmetric algorithm jose can generate keys for. */
  alg?: string;
  /** RSA modulus length in bits (default 2048); ignored for non-RSA algorithms. */
  modulusLength?: number;
  /** Key id (default: the RFC 7638 thumbprint of the public key). */
  kid?: string;
}

/**
 * Generates a key pair for signing test tokens, with no server involved.
 *
 * @example
 * ```ts
 * import { createTestKeyPair, signTestToken } from 'clerk-edge/testing';
 *
 * const keyPair = await createTestKeyPair();
 * const token = await signTestToken({ keyPair, claims: { sub: 'user_123', exp: Math.floor(Date.now() / 1000) + 60 } });
 * // verify it with `jwtKey: keyPair.publicPem`
 * ```
 */
export async function createTestKeyPair(options: CreateTestKeyPairOptions = {}): Promise<TestKeyPair> {
  const alg = options.alg ?? 'RS256';
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    modulusLength: options.modulusLength ?? 2048,
    extractable: true,
  });
  const jwk = await exportJWK(publicKey);
  const kid = options.kid ?? (await calculateJwkThumbprint(jwk));
  return {
    kid,
    alg,
    privateKey,
    publicKey,
    publicJwk: { ...jwk, kid, alg, use: 'sig' },
    publicPem: await exportSPKI(publicKey),
  };
}

/** Options for {@link signTestToken}. */
export interface SignTestTokenOptions {
  keyPair: Pick<TestKeyPair, 'kid' | 'alg' | 'privateKey'>;
  /** The payload, used verbatim: nothing (not even `iat`) is added. */
  claims: JWTPayload;
  /** Header fields merged over the default `{ alg: keyPair.alg, kid: keyPair.kid, typ: 'JWT' }`. */
  header?: Partial<JWTHeaderParameters> & Record<string, unknown>;
}

/**
 * Signs a JWT with a key pair from {@link createTestKeyPair}; the claims are used exactly as given.
 *
 * @example
 * ```ts
 * import { createTestKeyPair, signTestToken } from 'clerk-edge/testing';
 *
 * const keyPair = await createTestKeyPair({ kid: 'ins_test' });
 * const now = Math.floor(Date.now() / 1000);
 * const token = await signTestToken({
 *   keyPair,
 *   claims: { sub: 'user_123', sid: 'sess_123', iat: now, nbf: now - 10, exp: now + 60 },
 *   header: { cat: 'cl_B7d4PD111AAA' },
 * });
 * ```
 */
export async function signTestToken(options: SignTestTokenOptions): Promise<string> {
  const { keyPair, claims, header } = options;
  return signJwt(claims, { alg: keyPair.alg, kid: keyPair.kid, typ: 'JWT', ...header }, keyPair.privateKey);
}

/**
 * Signs `claims` under `header` (whose `alg` decides the algorithm). `alg: 'none'` yields an
 * unsecured JWT (header fixed to `{ alg: 'none' }` by jose) so tests can check it is refused.
 */
export async function signJwt(
  claims: JWTPayload,
  header: Partial<JWTHeaderParameters> & Record<string, unknown>,
  key: CryptoKey | Uint8Array,
): Promise<string> {
  const alg = typeof header.alg === 'string' ? header.alg : 'RS256';
  if (alg === 'none') return new UnsecuredJWT(claims).encode();
  const crit = Array.isArray(header.crit) ? header.crit : [];
  return (
    new SignJWT(claims)
      .setProtectedHeader({ ...header, alg })
      // jose refuses to sign a `crit` it does not know unless told the parameters are understood.
      .sign(key, crit.length > 0 ? { crit: Object.fromEntries(crit.map((name) => [name, true])) } : undefined)
  );
}

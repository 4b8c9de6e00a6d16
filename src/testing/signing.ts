import { compactVerify, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import type { JWK, JWTPayload } from 'jose';

import type { SignTokenOptions } from './emulator-types.js';
import { clerkId } from './ids.js';
import { signJwt } from './keys.js';

// The instance's signing keys: the current one signs, older ones stay in the JWKS after a rotation.

interface InstanceKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function generateInstanceKey(): Promise<InstanceKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const kid = clerkId('ins');
  const { kty, n, e } = await exportJWK(publicKey);
  return { kid, privateKey, publicJwk: { kid, alg: 'RS256', use: 'sig', kty, n, e } };
}

/** The emulated instance's RS256 keys, newest first. */
export class KeyRing {
  #keys: InstanceKey[];
  /** A key of no instance, made on first use, for tokens that must fail signature checks. */
  #foreign: CryptoKey | undefined;

  private constructor(first: InstanceKey) {
    this.#keys = [first];
  }

  static async create(): Promise<KeyRing> {
    return new KeyRing(await generateInstanceKey());
  }

  get #current(): InstanceKey {
    return this.#keys[0] as InstanceKey;
  }

  /** `kid` of the key new tokens are signed with. */
  get kid(): string {
    return this.#current.kid;
  }

  /** The public JWKS document (fresh copies, so callers cannot alter the ring). */
  jwks(): { keys: JWK[] } {
    return { keys: this.#keys.map((key) => ({ ...key.publicJwk })) };
  }

  /** Makes a new current key; the previous one stays published unless `keepPrevious` is false. */
  async rotate(keepPrevious = true): Promise<string> {
    const next = await generateInstanceKey();
    this.#keys = keepPrevious ? [next, this.#current] : [next];
    return next.kid;
  }

  /** Signs with the current key under `{ alg: RS256, kid, typ: JWT }` plus `header`. */
  sign(claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
    const key = this.#current;
    return signJwt(claims, { alg: 'RS256', kid: key.kid, typ: 'JWT', ...header }, key.privateKey);
  }

  /** Whether `token` carries a valid RS256 signature by one of the published keys. */
  async verifies(token: string): Promise<boolean> {
    try {
      await compactVerify(token, createLocalJWKSet(this.jwks()), { algorithms: ['RS256'] });
      return true;
    } catch {
      return false;
    }
  }

  /** Signs arbitrary claims for negative tests: any header, algorithm or key. */
  async signToken(opts: SignTokenOptions): Promise<string> {
    const alg = opts.alg ?? 'RS256';
    let key: CryptoKey | Uint8Array;
    if (opts.key === undefined || opts.key === 'current') key = this.#current.privateKey;
    else if (opts.key === 'foreign') {
      this.#foreign ??= (await generateKeyPair('RS256', { modulusLength: 2048 })).privateKey;
      key = this.#foreign;
    } else key = opts.key;
    return signJwt(opts.claims, { alg, kid: this.#current.kid, typ: 'JWT', ...opts.header }, key);
  }
}

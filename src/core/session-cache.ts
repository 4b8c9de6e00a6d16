import type { SessionClaims } from './claims.js';
import type { ResolvedConfig } from './config.js';
import type { KeyStore } from './jwks.js';
import type { WaitUntil } from './wait-until.js';
import { LruCache } from './lru.js';

interface VerifiedEntry {
  claims: SessionClaims;
  kid: string | undefined;
}

/**
 * Verdicts for exact session-token strings, kept until the token's `exp`. A browser sends the
 * same token for up to a minute, so most requests skip the signature check. It never changes
 * a verdict: a hit re-checks `exp`, `nbf` and `iat` exactly as a full verification would, and
 * is dropped when its `kid` left the key set or the key set is too old to trust. Only
 * successful verifications are kept; the cache lives in memory only, one per authenticator (so
 * per instance and configuration), bounded by `sessionCache.maxEntries` and
 * `sessionCache.maxBytes`. Internal.
 */
export class VerifiedSessionCache {
  readonly #entries: LruCache<VerifiedEntry>;
  readonly #config: ResolvedConfig;
  /** The last hit: a repeated token skips the map lookup (and its hash of the whole token). */
  #last: { token: string; entry: VerifiedEntry } | undefined;

  constructor(config: ResolvedConfig) {
    this.#config = config;
    this.#entries = new LruCache(config.sessionCache.maxEntries, config.now, config.sessionCache.maxBytes);
  }

  /** Estimated memory held, in bytes (never above `sessionCache.maxBytes`). */
  get bytes(): number {
    return this.#entries.bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(token: string, keys: KeyStore, waitUntil?: WaitUntil): SessionClaims | undefined {
    // The last token asked about is compared before the map is searched: comparing two strings
    // is far cheaper than hashing a token to look it up, and one client repeats its token.
    const last = this.#last;
    const entry = last !== undefined && last.token === token ? last.entry : this.#entries.get(token);
    if (!entry) return undefined;
    // The time checks of a full verification (session.ts), with the same clock and skew.
    const now = this.#config.now() / 1000;
    const skew = this.#config.clockSkewInMs / 1000;
    const { exp, nbf, iat } = entry.claims;
    const timely =
      typeof exp === 'number' &&
      exp > now - skew &&
      (nbf === undefined || nbf <= now + skew) &&
      (iat === undefined || iat <= now + skew);
    if (!timely || !keys.stillTrusts(entry.kid, waitUntil)) {
      this.#entries.delete(token);
      this.#last = undefined;
      return undefined;
    }
    this.#last = last?.entry === entry ? last : { token, entry };
    return entry.claims;
  }

  set(token: string, claims: SessionClaims, kid: string | undefined): void {
    if (typeof claims.exp !== 'number') return;
    const entry: VerifiedEntry = { claims: deepFreeze(claims), kid };
    this.#entries.set(
      token,
      entry,
      claims.exp * 1000 + this.#config.clockSkewInMs - this.#config.now(),
      entryBytes(token),
    );
    if (this.#last?.token === token) this.#last = undefined;
  }
}

/**
 * What one entry costs: the token string kept as the key plus its parsed claims, which take
 * about as much again (measured: 12k entries of 11 KB tokens held 264 MB, 22 KB each), plus
 * the map's own bookkeeping.
 */
export function entryBytes(token: string): number {
  return token.length * 2 + 256;
}

/** Cached claims are shared by every request that sends the token: make them read-only. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

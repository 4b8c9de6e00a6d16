import type { SessionClaims } from './claims.js';
import type { ResolvedConfig } from './config.js';
import type { KeyStore } from './jwks.js';
import type { WaitUntil } from './wait-until.js';
import { LruCache } from './lru.js';
import { untimely } from './session.js';
import { deepFreeze } from './token-class.js';

interface VerifiedEntry {
  /** The exact token: an entry is a hit only for this string. */
  token: string;
  /** The verified payload's JSON text, until the first hit parses it into {@link claims}. */
  json: string | undefined;
  /** The claims shared by every hit, deeply frozen; parsed on the first hit. */
  claims: SessionClaims | undefined;
  kid: string | undefined;
}

/**
 * Entries are found by the token's last characters (its signature, for a JWT) and then compared
 * in full: hashing a whole token for a map lookup costs more than comparing it. Only verified
 * tokens are stored, so a collision (two signatures ending alike) can cost a verification, never a verdict.
 */
const KEY_CHARS = 32;
const keyOf = (token: string) => token.slice(-KEY_CHARS);

/**
 * Verdicts for exact session-token strings, kept until the token's `exp`. A browser sends the
 * same token for up to a minute, so most requests skip the signature check. It never changes
 * a verdict: a hit re-checks `exp`, `nbf` and `iat` exactly as a full verification would, and
 * is dropped when its `kid` left the key set or the key set is too old to trust. Only
 * successful verifications are kept; the cache lives in memory only, one per authenticator (so
 * per instance and configuration), bounded by `sessionCache.maxEntries` and
 * `sessionCache.maxBytes`. Internal.
 */
export interface VerifiedSessionCache {
  get(token: string, keys: KeyStore, waitUntil?: WaitUntil): SessionClaims | undefined;
  /**
   * Remembers a verified token by its payload's JSON text (only `exp` is read from `claims`, at
   * once: a finite number, as verification guarantees). The request that verified it keeps its own claims object: only hits share one, parsed
   * and frozen on the first hit, so a token seen once never pays for freezing.
   */
  set(token: string, verdict: { claims: SessionClaims; json: string; kid: string | undefined }): void;
  /** The entries: their count (`size`) and estimated memory (`bytes`, never above `sessionCache.maxBytes`). */
  readonly entries: LruCache<VerifiedEntry>;
}

/** The {@link VerifiedSessionCache} of one authenticator. Internal. */
export function createVerifiedSessionCache(config: ResolvedConfig): VerifiedSessionCache {
  const entries = new LruCache<VerifiedEntry>(config.sessionCache.maxEntries, config.now, config.sessionCache.maxBytes);
  /** The last hit: a repeated token is compared with it before any lookup. */
  let last: VerifiedEntry | undefined;
  return {
    entries,
    get(token, keys, waitUntil) {
      let entry = last;
      if (entry?.token !== token) {
        entry = entries.get(keyOf(token));
        if (entry?.token !== token) return undefined;
      }
      // The text parsed when it was verified: it parses again, to the same claims.
      if (entry.json !== undefined) {
        entry.claims = deepFreeze(JSON.parse(entry.json) as SessionClaims);
        entry.json = undefined;
      }
      const claims = entry.claims!;
      // The time checks of a full verification, with the same clock and skew.
      if (untimely(claims, config) || !keys.stillTrusts(entry.kid, waitUntil)) {
        entries.delete(keyOf(token));
        last = undefined;
        return undefined;
      }
      last = entry;
      return claims;
    },
    set(token, { claims: { exp }, json, kid }) {
      const ttlMs = (exp as number) * 1000 + config.clockSkewInMs - config.now();
      entries.set(keyOf(token), { token, json, claims: undefined, kid }, ttlMs, entryBytes(token));
      if (last?.token === token) last = undefined;
    },
  };
}

/**
 * What one entry costs: the token string kept as the key plus its parsed claims, which take
 * about as much again (measured: 12k entries of 11 KB tokens held 264 MB, 22 KB each), plus
 * the map's own bookkeeping.
 */
export function entryBytes(token: string): number {
  return token.length * 2 + 256;
}

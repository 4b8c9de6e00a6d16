import type { JWK } from 'jose';
import { backendApiUrl, callClerkApi } from './backend-api.js';
import type { ResolvedConfig } from './config.js';
import { instanceIdentity } from './instance-identity.js';
import { apiRefusal, refused, unavailable, type Refusal } from './refusal.js';
import { FLIGHT_GRACE_MS, SingleFlight } from './single-flight.js';
import type { WaitUntil } from './wait-until.js';

/** A verification key, or why there is none. Internal. */
export type KeyLookup = { ok: true; key: CryptoKey; kid: string | undefined } | Refusal;

/** The serialisable form kept in memory and in a shared store. */
interface KeySetRecord {
  keys: JWK[];
  fetchedAt: number;
}

interface KeySetState {
  fetchedAt: number;
  byKid: Map<string, JWK>;
  /** Imported keys by `kid` and `alg`: a refreshed set imports its keys again. */
  imported: Map<string, Promise<CryptoKey | undefined>>;
}

/** The curve of each elliptic-curve `alg`; the RSA algorithms (`RS*`, `PS*`) have none. */
const CURVES: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521', EdDSA: 'Ed25519' };

/** Whether a JWK may verify a signature made with `alg`: type, curve, `alg` and `use` must agree. */
function jwkFitsAlgorithm(jwk: JWK, alg: string): boolean {
  const crv = CURVES[alg];
  const kty = crv ? (alg === 'EdDSA' ? 'OKP' : 'EC') : /^[RP]S(256|384|512)$/.test(alg) && 'RSA';
  return (
    jwk.kty === kty &&
    (!crv || jwk.crv === crv) &&
    (jwk.alg === undefined || jwk.alg === alg) &&
    (jwk.use === undefined || jwk.use === 'sig') &&
    !('d' in jwk) &&
    !('k' in jwk)
  );
}

/**
 * A public key for `alg` through WebCrypto (a platform primitive): a JWK, or an SPKI PEM. jose
 * still checks the key against the algorithm (type, curve, RSA size) when it verifies.
 */
function importPublicKey(key: JWK | string, alg: string): Promise<CryptoKey> {
  const crv = CURVES[alg];
  const params =
    alg === 'EdDSA'
      ? { name: 'Ed25519' }
      : crv
        ? { name: 'ECDSA', namedCurve: crv }
        : { name: alg[0] === 'P' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5', hash: `SHA-${alg.slice(2)}` };
  const spki = typeof key === 'string';
  return crypto.subtle.importKey(
    (spki ? 'spki' : 'jwk') as 'jwk',
    (spki
      ? Uint8Array.from(atob(key.replace(/-----[^-]+-----|\s/g, '')), (char) => char.charCodeAt(0))
      : key) as JsonWebKey,
    params,
    false,
    ['verify'],
  );
}

/** A non-empty `kid`: keys without one can never be chosen. */
const kidOf = (jwk: JWK) => (typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : undefined);

/**
 * Whether `value` is a JWK set with at least one key that could verify a token this instance
 * accepts: `{"keys":[]}`, or keys of the wrong type only, is a failed fetch, never a replacement
 * for last-known-good keys.
 */
function isUsableKeySet(value: unknown, algorithms: readonly string[]): value is { keys: JWK[] } {
  const keys = (value as { keys?: unknown } | null)?.keys;
  return (
    Array.isArray(keys) &&
    keys.every((key) => typeof key === 'object' && key !== null && !Array.isArray(key)) &&
    keys.some((jwk: JWK) => kidOf(jwk) && algorithms.some((alg) => jwkFitsAlgorithm(jwk, alg)))
  );
}

/** The instance's verification keys (see {@link createKeyStore}). Internal. */
export interface KeyStore {
  /** The key to verify a token with, chosen strictly by `kid` and checked against `alg`. */
  getKey(kid: string | undefined, alg: string, waitUntil?: WaitUntil): Promise<KeyLookup>;
  /**
   * Whether a verdict reached with `kid` may be reused without verifying again: the key is
   * still in a key set that is not too old to trust. A stale set starts one background
   * refresh, as a full verification would. Synchronous: used on the cached hot path.
   */
  stillTrusts(kid: string | undefined, waitUntil?: WaitUntil): boolean;
}

/**
 * The instance's verification keys: from `jwtKey` (no network), the Backend API JWKS (secret
 * key) or the Frontend API JWKS (publishable key only). Fresh for `ttlMs`, then served stale
 * while one background refresh runs, and kept as last-known-good through outages for
 * `maxStaleMs`. One fetch in flight at a time; an unknown `kid` refetches at most once per
 * cooldown window. Imported `CryptoKey`s are cached with the key set (a refresh imports again). Internal.
 *
 * @example
 * ```ts
 * const lookup = await createKeyStore(config).getKey(header.kid, header.alg)
 * ```
 */
export function createKeyStore(config: ResolvedConfig): KeyStore {
  const { jwtKey, store, now, keys: options } = config;
  const flight = new SingleFlight<{ ok: true } | Refusal>(options.timeoutMs + FLIGHT_GRACE_MS);
  let state: KeySetState | undefined;
  let lastUnknownKidRefetch = -Infinity;
  /** Key sets fetched so far: a lookup that saw one arrive does not refetch it for an unknown kid. */
  let fetches = 0;
  const staticKeys = new Map<string, Promise<CryptoKey | undefined>>();
  const age = (set: KeySetState) => now() - set.fetchedAt;
  // Scoped by the instance identity (the JWKS URL and a hash of the secret key that fetches it).
  const storeKey = async () => `clerk-edge:jwks:${await instanceIdentity(config, 'keys')}`;

  const adopt = (record: KeySetRecord) => {
    const byKid = new Map<string, JWK>();
    for (const jwk of record.keys) {
      const kid = kidOf(jwk);
      if (kid && !byKid.has(kid)) byKid.set(kid, jwk);
    }
    state = { fetchedAt: record.fetchedAt, byKid, imported: new Map() };
  };

  /** Fetches the key set; concurrent callers share one fetch. Never throws. */
  const refresh = () =>
    flight.run('jwks', async () => {
      const result = await callClerkApi<unknown>(config, {
        method: 'GET',
        url:
          config.secretKey !== undefined
            ? backendApiUrl(config, 'jwks')
            : `${config.frontendApiUrl}/.well-known/jwks.json`,
        bearer: config.secretKey,
        timeoutMs: options.timeoutMs,
        endpoint: 'GET /jwks',
      });
      if (result.kind !== 'ok') return apiRefusal('jwks', result);
      if (!isUsableKeySet(result.data, config.algorithms)) return unavailable('jwks-unavailable');
      const record: KeySetRecord = { keys: result.data.keys, fetchedAt: now() };
      adopt(record);
      fetches++;
      try {
        await store?.set(await storeKey(), record, Math.ceil((options.ttlMs + options.maxStaleMs) / 1000));
      } catch {
        // The shared store is an optimisation; failing to write it changes no verdict.
      }
      return { ok: true as const };
    });

  /** A stale set is served while one background refresh runs. */
  const refreshInBackground = (waitUntil: WaitUntil | undefined) => {
    if (flight.has('jwks')) return;
    const background = refresh();
    waitUntil?.(background);
  };

  /** Fresh keys, stale keys (refreshing in the background), or a fetch when there are none usable. */
  const currentKeys = async (waitUntil: WaitUntil | undefined): Promise<KeySetState | Refusal> => {
    if (state && age(state) < options.ttlMs) return state;
    if (store) {
      try {
        const record = (await store.get(await storeKey())) as KeySetRecord;
        if (
          typeof record?.fetchedAt === 'number' &&
          isUsableKeySet(record, config.algorithms) &&
          (!state || record.fetchedAt > state.fetchedAt)
        )
          adopt(record);
      } catch {
        // A broken shared store is only a cache miss.
      }
      if (state && age(state) < options.ttlMs) return state;
    }
    if (state && age(state) < options.ttlMs + options.maxStaleMs) {
      refreshInBackground(waitUntil);
      return state;
    }
    const outcome = await refresh();
    return outcome.ok ? state! : outcome;
  };

  const staticKey = async (kid: string | undefined, alg: string): Promise<KeyLookup> => {
    let imported = staticKeys.get(alg);
    if (!imported) {
      imported = (
        typeof jwtKey === 'string' || jwkFitsAlgorithm(jwtKey as JWK, alg)
          ? importPublicKey(jwtKey as JWK | string, alg)
          : Promise.resolve(undefined)
      ).catch(() => undefined);
      staticKeys.set(alg, imported);
    }
    const key = await imported;
    const expectedKid = typeof jwtKey === 'object' ? (jwtKey as JWK).kid : undefined;
    if (expectedKid !== undefined && kid !== expectedKid) return refused('jwk-kid-mismatch');
    return key ? { ok: true, key, kid } : refused('jwk-alg-mismatch');
  };

  return {
    async getKey(kid, alg, waitUntil) {
      if (jwtKey !== undefined) return staticKey(kid, alg);
      // Only a machine secret key is configured: opaque M2M tokens work, JWTs cannot be verified.
      if (config.secretKey === undefined && config.frontendApiUrl === undefined) return unavailable('jwt-key-missing');
      if (kid === undefined) return refused('jwk-kid-missing');

      const fetchesBefore = fetches;
      let set = await currentKeys(waitUntil);
      // A key-set failure carries its own wait (a 429's back-off), or the default.
      if (!('byKid' in set)) return set;

      if (!set.byKid.has(kid)) {
        const at = now();
        // A set fetched during this lookup is as fresh as a refetch would be: one fetch, not two.
        if (fetches === fetchesBefore && at - lastUnknownKidRefetch >= options.unknownKidCooldownMs) {
          lastUnknownKidRefetch = at;
          const outcome = await refresh();
          if (!outcome.ok) return outcome;
        } else if (flight.has('jwks')) {
          await refresh();
        }
        set = state!;
        if (!set.byKid.has(kid)) return refused('jwk-kid-mismatch');
      }
      const cacheKey = `${kid}\u0000${alg}`;
      let imported = set.imported.get(cacheKey);
      if (!imported) {
        const jwk = set.byKid.get(kid)!;
        imported = jwkFitsAlgorithm(jwk, alg)
          ? importPublicKey({ ...jwk, alg }, alg).catch(() => undefined)
          : Promise.resolve(undefined);
        set.imported.set(cacheKey, imported);
      }
      const key = await imported;
      return key ? { ok: true, key, kid } : refused('jwk-alg-mismatch');
    },

    stillTrusts(kid, waitUntil) {
      if (jwtKey !== undefined) return true;
      if (!state || kid === undefined || !state.byKid.has(kid)) return false;
      const elapsed = age(state);
      if (elapsed >= options.ttlMs + options.maxStaleMs) return false;
      if (elapsed >= options.ttlMs) refreshInBackground(waitUntil);
      return true;
    },
  };
}

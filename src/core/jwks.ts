import type { JWK } from 'jose';
import { backendApiUrl, callClerkApi } from './backend-api.js';
import type { ResolvedConfig } from './config.js';
import { instanceIdentity } from './instance-identity.js';
import { apiRefusal, refused, unavailable, type Refusal } from './refusal.js';
import { FLIGHT_GRACE_MS, SingleFlight } from './single-flight.js';
import { isRecord } from './token-class.js';
import type { WaitUntil } from './wait-until.js';

/** A verification key, or why there is none. Internal. */
export type KeyLookup = { ok: true; key: CryptoKey; kid: string | undefined } | Refusal;

/** The serialisable form kept in memory and in a shared store. */
interface KeySetRecord {
  keys: JWK[];
  fetchedAt: number;
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
 * A public key for `alg` through WebCrypto (a platform primitive): a JWK that fits `alg` (else undefined), or
 * the base64 body of an SPKI PEM. jose still checks the key against the algorithm (type, curve, RSA size) when it verifies.
 */
async function importPublicKey(key: JWK | string, alg: string): Promise<CryptoKey | undefined> {
  if (typeof key !== 'string' && !jwkFitsAlgorithm(key, alg)) return undefined;
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
    (spki ? Uint8Array.from(atob(key), (char) => char.charCodeAt(0)) : { ...key, alg }) as JsonWebKey,
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
    keys.every(isRecord) &&
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
 * cooldown window. Imported `CryptoKey`s are cached with the key set (a refreshed set imports again). Internal.
 *
 * @example
 * ```ts
 * const lookup = await createKeyStore(config).getKey(header.kid, header.alg)
 * ```
 */
export function createKeyStore(config: ResolvedConfig): KeyStore {
  const { jwtKey, store, now, keys: options } = config;
  const flight = new SingleFlight<{ ok: true } | Refusal>(options.timeoutMs + FLIGHT_GRACE_MS);
  /** The current key set, and when it was fetched. */
  let current: JWK[] | undefined;
  let fetchedAt = 0;
  /** Imports of the current set (by `kid` and `alg`) or of `jwtKey` (by `alg`): a refreshed set imports again. */
  let imported = new Map<string, Promise<CryptoKey | undefined>>();
  let lastUnknownKidRefetch = -Infinity;
  /** Key sets fetched so far: a lookup that saw one arrive does not refetch it for an unknown kid. */
  let fetches = 0;
  const age = () => now() - fetchedAt;
  // Scoped by the instance identity (the JWKS URL and a hash of the secret key that fetches it).
  const storeKey = async () => `clerk-edge:jwks:${await instanceIdentity(config, 'keys')}`;

  const adopt = (record: KeySetRecord) => {
    ({ keys: current, fetchedAt } = record);
    imported = new Map();
  };
  /** The first key of the current set with this `kid`. */
  const keyFor = (kid: string) => current?.find((jwk) => kidOf(jwk) === kid);

  /** The key for `alg`, imported once; undefined when the key cannot verify `alg`. */
  const importOnce = async (cacheKey: string, key: JWK | string, alg: string) => {
    let promise = imported.get(cacheKey);
    if (!promise) {
      promise = importPublicKey(key, alg).catch(() => undefined);
      imported.set(cacheKey, promise);
    }
    return promise;
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

  /** Fresh keys, stale keys (refreshing in the background), or a fetch when there are none usable: why not, if not. */
  const currentKeys = async (waitUntil: WaitUntil | undefined): Promise<Refusal | undefined> => {
    if (current && age() < options.ttlMs) return;
    if (store) {
      try {
        const record = (await store.get(await storeKey())) as KeySetRecord;
        if (
          typeof record?.fetchedAt === 'number' &&
          isUsableKeySet(record, config.algorithms) &&
          (!current || record.fetchedAt > fetchedAt)
        )
          adopt(record);
      } catch {
        // A broken shared store is only a cache miss.
      }
      if (current && age() < options.ttlMs) return;
    }
    if (current && age() < options.ttlMs + options.maxStaleMs) {
      refreshInBackground(waitUntil);
      return;
    }
    const outcome = await refresh();
    return outcome.ok ? undefined : outcome;
  };

  return {
    async getKey(kid, alg, waitUntil) {
      if (jwtKey !== undefined) {
        const key = await importOnce(alg, jwtKey as JWK | string, alg);
        const expectedKid = (jwtKey as JWK).kid;
        if (expectedKid !== undefined && kid !== expectedKid) return refused('jwk-kid-mismatch');
        return key ? { ok: true, key, kid } : refused('jwk-alg-mismatch');
      }
      // Only a machine secret key is configured: opaque M2M tokens work, JWTs cannot be verified.
      if (config.secretKey === undefined && config.frontendApiUrl === undefined) return unavailable('jwt-key-missing');
      if (kid === undefined) return refused('jwk-kid-missing');

      const fetchesBefore = fetches;
      // A key-set failure carries its own wait (a 429's back-off), or the default.
      const failure = await currentKeys(waitUntil);
      if (failure) return failure;
      if (!keyFor(kid)) {
        const at = now();
        // A set fetched during this lookup is as fresh as a refetch would be: one fetch, not two.
        if (fetches === fetchesBefore && at - lastUnknownKidRefetch >= options.unknownKidCooldownMs) {
          lastUnknownKidRefetch = at;
          const outcome = await refresh();
          if (!outcome.ok) return outcome;
        } else if (flight.has('jwks')) {
          await refresh();
        }
      }
      const jwk = keyFor(kid);
      if (!jwk) return refused('jwk-kid-mismatch');
      const key = await importOnce(`${kid}\u0000${alg}`, jwk, alg);
      return key ? { ok: true, key, kid } : refused('jwk-alg-mismatch');
    },

    stillTrusts(kid, waitUntil) {
      if (jwtKey !== undefined) return true;
      if (kid === undefined || !keyFor(kid)) return false;
      const elapsed = age();
      if (elapsed >= options.ttlMs + options.maxStaleMs) return false;
      if (elapsed >= options.ttlMs) refreshInBackground(waitUntil);
      return true;
    },
  };
}

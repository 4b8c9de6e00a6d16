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

/** The JWK `kty` and the WebCrypto algorithm of each family of `alg` (its first two letters). */
const FAMILIES: Record<string, [kty: string, name: string]> = {
  RS: ['RSA', 'RSASSA-PKCS1-v1_5'],
  PS: ['RSA', 'RSA-PSS'],
  ES: ['EC', 'ECDSA'],
  Ed: ['OKP', 'Ed25519'],
};
/** The curve of each elliptic-curve `alg`; the RSA algorithms (`RS*`, `PS*`) have none. */
const CURVES: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521', EdDSA: 'Ed25519' };

/**
 * Whether a JWK may verify a signature made with `alg` (one of the configured, validated algorithms):
 * type, curve, `alg` and `use` must agree, and it holds no private or secret part.
 */
function jwkFitsAlgorithm(jwk: JWK, alg: string): boolean {
  const crv = CURVES[alg];
  return (
    jwk.kty === FAMILIES[alg.slice(0, 2)]?.[0] &&
    (!crv || jwk.crv === crv) &&
    (jwk.alg === undefined || jwk.alg === alg) &&
    (jwk.use === undefined || jwk.use === 'sig') &&
    !('d' in jwk || 'k' in jwk)
  );
}

/**
 * A public key for `alg` through WebCrypto (a platform primitive): a JWK that fits `alg` (else undefined), or
 * the base64 body of an SPKI PEM. One parameter object serves every family: WebCrypto reads only the members
 * of its algorithm (`namedCurve` for ECDSA, `hash` for RSA). jose still checks the key against the algorithm
 * (type, curve, RSA size) when it verifies. Throws when WebCrypto refuses the key.
 */
async function importPublicKey(key: JWK | string, alg: string): Promise<CryptoKey | undefined> {
  const spki = typeof key === 'string';
  if (!spki && !jwkFitsAlgorithm(key, alg)) return undefined;
  return crypto.subtle.importKey(
    (spki ? 'spki' : 'jwk') as 'jwk',
    (spki ? Uint8Array.from(atob(key), (char) => char.charCodeAt(0)) : key) as JsonWebKey,
    { name: FAMILIES[alg.slice(0, 2)]![1], namedCurve: CURVES[alg], hash: `SHA-${alg.slice(2)}` },
    false,
    ['verify'],
  );
}

/**
 * Whether `value` is a JWK set with at least one key that could verify a token this instance
 * accepts: `{"keys":[]}`, or keys of the wrong type only, is a failed fetch, never a replacement
 * for last-known-good keys. Keys without a non-empty `kid` can never be chosen.
 */
function isUsableKeySet(value: unknown, algorithms: readonly string[]): value is { keys: JWK[] } {
  const keys = (value as { keys?: unknown } | null)?.keys;
  return (
    Array.isArray(keys) &&
    keys.every(isRecord) &&
    keys.some(
      (jwk: JWK) =>
        typeof jwk.kid === 'string' && jwk.kid !== '' && algorithms.some((alg) => jwkFitsAlgorithm(jwk, alg)),
    )
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
  const {
    jwtKey,
    store,
    now,
    algorithms,
    keys: { ttlMs, maxStaleMs, timeoutMs, unknownKidCooldownMs },
  } = config;
  /** Resolves to why a fetch failed, or to undefined when a usable key set arrived. */
  const flight = new SingleFlight<Refusal | undefined>(timeoutMs + FLIGHT_GRACE_MS);
  /** The current key set, and when it was fetched. */
  let current: JWK[] | undefined;
  let fetchedAt = 0;
  /**
   * Imports of `jwtKey` (by `alg`) or of the current set (by `alg` and `kid`: every supported `alg` has 5
   * characters, so the concatenation is unambiguous). A refreshed set imports again.
   */
  let imported = new Map<string, Promise<CryptoKey | undefined>>();
  let lastUnknownKidRefetch = -Infinity;
  /** Key sets fetched so far: a lookup that saw one arrive does not refetch it for an unknown kid. */
  let fetches = 0;
  // The Backend API JWKS (secret key), else the Frontend API's; none when only a machine secret key is configured.
  const url =
    config.secretKey !== undefined
      ? backendApiUrl(config, 'jwks')
      : config.frontendApiUrl && `${config.frontendApiUrl}/.well-known/jwks.json`;
  // Scoped by the instance identity (the JWKS URL and a hash of the secret key that fetches it).
  const storeKey = async () => `clerk-edge:jwks:${await instanceIdentity(config, 'keys')}`;

  const adopt = (record: KeySetRecord) => {
    ({ keys: current, fetchedAt } = record);
    imported = new Map();
  };
  /** The first key of the current set with this `kid` (never one without a `kid`). */
  const keyFor = (kid: string | undefined) => (kid ? current?.find((jwk) => jwk.kid === kid) : undefined);

  /** Fetches the key set; concurrent callers share one fetch. Never throws. */
  const refresh = () =>
    flight.run('jwks', async () => {
      const result = await callClerkApi<unknown>(config, {
        method: 'GET',
        url: url as string,
        bearer: config.secretKey,
        timeoutMs,
        endpoint: 'GET /jwks',
      });
      if (result.kind !== 'ok') return apiRefusal('jwks', result);
      if (!isUsableKeySet(result.data, algorithms)) return unavailable('jwks-unavailable');
      const record: KeySetRecord = { keys: result.data.keys, fetchedAt: now() };
      adopt(record);
      fetches++;
      try {
        await store?.set(await storeKey(), record, Math.ceil((ttlMs + maxStaleMs) / 1000));
      } catch {
        // The shared store is an optimisation; failing to write it changes no verdict.
      }
    });

  /** Whether the current set may still be used: fresh, or stale within `maxStaleMs` (then one background refresh runs). */
  const usable = (waitUntil: WaitUntil | undefined) => {
    const age = now() - fetchedAt;
    if (!current || age >= ttlMs + maxStaleMs) return false;
    if (age >= ttlMs && !flight.has('jwks')) {
      const background = refresh();
      waitUntil?.(background);
    }
    return true;
  };

  return {
    async getKey(kid, alg, waitUntil) {
      let jwk = jwtKey as JWK | string | undefined;
      if (jwk !== undefined) {
        // A configured key that names its `kid` verifies only the tokens that name it too.
        if ((jwk as JWK).kid !== undefined && kid !== (jwk as JWK).kid) jwk = undefined;
      } else {
        // Only a machine secret key is configured: opaque M2M tokens work, JWTs cannot be verified.
        if (!url) return unavailable('jwt-key-missing');
        if (kid === undefined) return refused('jwk-kid-missing');
        const fetchesBefore = fetches;
        if (!(current && now() - fetchedAt < ttlMs) && store) {
          try {
            const record = (await store.get(await storeKey())) as KeySetRecord;
            if (
              typeof record?.fetchedAt === 'number' &&
              isUsableKeySet(record, algorithms) &&
              (!current || record.fetchedAt > fetchedAt)
            )
              adopt(record);
          } catch {
            // A broken shared store is only a cache miss.
          }
        }
        // Fresh keys, stale keys (refreshing in the background), or a fetch when there are none usable.
        // A key-set failure carries its own wait (a 429's back-off), or the default.
        let failure = usable(waitUntil) ? undefined : await refresh();
        if (!failure && !keyFor(kid)) {
          const at = now();
          // A set fetched during this lookup is as fresh as a refetch would be: one fetch, not two.
          if (fetches === fetchesBefore && at - lastUnknownKidRefetch >= unknownKidCooldownMs) {
            lastUnknownKidRefetch = at;
            failure = await refresh();
          } else if (flight.has('jwks')) {
            await refresh();
          }
        }
        if (failure) return failure;
        jwk = keyFor(kid);
      }
      if (!jwk) return refused('jwk-kid-mismatch');
      const cacheKey = jwtKey === undefined ? alg + kid : alg;
      let key = imported.get(cacheKey);
      if (!key) {
        key = importPublicKey(jwk, alg).catch(() => undefined);
        imported.set(cacheKey, key);
      }
      const cryptoKey = await key;
      return cryptoKey ? { ok: true, key: cryptoKey, kid } : refused('jwk-alg-mismatch');
    },

    stillTrusts(kid, waitUntil) {
      return jwtKey !== undefined || (!!keyFor(kid) && usable(waitUntil));
    },
  };
}

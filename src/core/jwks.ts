import type { JWK } from 'jose';
import { backendApiUrl, callClerkApi } from './backend-api.js';
import { instanceBackoff } from './backoff.js';
import type { ResolvedConfig } from './config.js';
import { instanceIdentity } from './instance-identity.js';
import { apiRefusal, refused, unavailable, type Refusal } from './refusal.js';
import { FLIGHT_GRACE_MS, SingleFlight } from './single-flight.js';
import type { WaitUntil } from './wait-until.js';

/** The back-off endpoint name of JWKS fetches. */
const JWKS_ENDPOINT = 'jwks';

/** A verification key, or why there is none. Internal. */
export type KeyLookup = { ok: true; key: CryptoKey; kid: string | undefined } | Refusal;

/** The serialisable form kept in memory and in a shared store. */
interface KeySetRecord {
  keys: JWK[];
  fetchedAt: number;
}

interface KeySetState extends KeySetRecord {
  byKid: Map<string, JWK>;
  imported: Map<string, Promise<CryptoKey | undefined>>;
}

/** A key-set fetch: done, or why not (always `unavailable`). */
type RefreshOutcome = { ok: true } | Refusal;

const KEY_TYPE_FOR_ALG: Record<string, { kty: string; crv?: string }> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
};

/** Whether a JWK may verify a signature made with `alg`: type, curve, `alg` and `use` must agree. */
function jwkFitsAlgorithm(jwk: JWK, alg: string): boolean {
  const expected = KEY_TYPE_FOR_ALG[alg];
  if (!expected || jwk.kty !== expected.kty) return false;
  if (expected.crv !== undefined && jwk.crv !== expected.crv) return false;
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  return !('d' in jwk) && !('k' in jwk);
}

/** WebCrypto's import parameters for a JWS `alg`. */
function importParams(alg: string): RsaHashedImportParams | EcKeyImportParams | Algorithm {
  const hash = `SHA-${alg.slice(2)}`;
  if (alg.startsWith('RS')) return { name: 'RSASSA-PKCS1-v1_5', hash };
  if (alg.startsWith('PS')) return { name: 'RSA-PSS', hash };
  if (alg.startsWith('ES')) return { name: 'ECDSA', namedCurve: KEY_TYPE_FOR_ALG[alg]!.crv! };
  return { name: 'Ed25519' };
}

/**
 * A public key for `alg` through WebCrypto (a platform primitive): a JWK, or an SPKI PEM. jose
 * still checks the key against the algorithm (type, curve, RSA size) when it verifies.
 */
async function importPublicKey(key: JWK | string, alg: string): Promise<CryptoKey> {
  if (typeof key !== 'string')
    return crypto.subtle.importKey('jwk', key as JsonWebKey, importParams(alg), false, ['verify']);
  const der = Uint8Array.from(atob(key.replace(/-----[^-]+-----|\s/g, '')), (char) => char.charCodeAt(0));
  return crypto.subtle.importKey('spki', der, importParams(alg), false, ['verify']);
}

function isJwkSet(value: unknown): value is { keys: JWK[] } {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { keys?: unknown }).keys) &&
    (value as { keys: unknown[] }).keys.every((key) => typeof key === 'object' && key !== null && !Array.isArray(key))
  );
}

/**
 * A key set is only a key set if at least one key could verify a token this instance accepts:
 * `{"keys":[]}`, or keys of the wrong type only, is a failed fetch, never a replacement for
 * last-known-good keys.
 */
function hasUsableKey(value: { keys: JWK[] }, algorithms: readonly string[]): boolean {
  return value.keys.some(
    (jwk) => typeof jwk.kid === 'string' && jwk.kid !== '' && algorithms.some((alg) => jwkFitsAlgorithm(jwk, alg)),
  );
}

/**
 * The instance's verification keys: from `jwtKey` (no network), the Backend API JWKS (secret
 * key) or the Frontend API JWKS (publishable key only). Fresh for `ttlMs`, then served stale
 * while one background refresh runs, and kept as last-known-good through outages for
 * `maxStaleMs`. One fetch in flight at a time; an unknown `kid` refetches at most once per
 * cooldown window. Imported `CryptoKey`s are cached with the key set. Internal.
 */
export class KeyStore {
  readonly #config: ResolvedConfig;
  readonly #flight: SingleFlight<RefreshOutcome>;
  #state: KeySetState | undefined;
  #lastUnknownKidRefetch = Number.NEGATIVE_INFINITY;
  /** Key sets fetched so far: a lookup that saw one arrive does not refetch it for an unknown kid. */
  #fetches = 0;
  readonly #staticKeys = new Map<string, Promise<CryptoKey | undefined>>();

  constructor(config: ResolvedConfig) {
    this.#config = config;
    this.#flight = new SingleFlight(config.keys.timeoutMs + FLIGHT_GRACE_MS);
  }

  /** The key to verify a token with, chosen strictly by `kid` and checked against `alg`. */
  async getKey(kid: string | undefined, alg: string, waitUntil?: WaitUntil): Promise<KeyLookup> {
    if (this.#config.jwtKey !== undefined) return this.#staticKey(kid, alg);
    // Only a machine secret key is configured: opaque M2M tokens work, JWTs cannot be verified.
    if (this.#config.secretKey === undefined && this.#config.frontendApiUrl === undefined)
      return unavailable('jwt-key-missing');
    if (kid === undefined) return refused('jwk-kid-missing');

    const fetchesBefore = this.#fetches;
    let state = await this.#currentKeys(waitUntil);
    // A key-set failure carries its own wait (a 429's back-off), or the default.
    if (!('byKid' in state)) return state;

    if (!state.byKid.has(kid)) {
      const now = this.#config.now();
      // A set fetched during this lookup is as fresh as a refetch would be: one fetch, not two.
      if (
        this.#fetches === fetchesBefore &&
        now - this.#lastUnknownKidRefetch >= this.#config.keys.unknownKidCooldownMs
      ) {
        this.#lastUnknownKidRefetch = now;
        const outcome = await this.#refresh();
        if (!outcome.ok) return outcome;
      } else if (this.#flight.has('jwks')) {
        await this.#refresh();
      }
      state = this.#state ?? state;
      if (!state.byKid.has(kid)) return refused('jwk-kid-mismatch');
    }
    const key = await this.#importFromSet(state, kid, alg);
    return key ? { ok: true, key, kid } : refused('jwk-alg-mismatch');
  }

  /**
   * Whether a verdict reached with `kid` may be reused without verifying again: the key is
   * still in a key set that is not too old to trust. A stale set starts one background
   * refresh, as a full verification would. Synchronous: used on the cached hot path.
   */
  stillTrusts(kid: string | undefined, waitUntil?: WaitUntil): boolean {
    if (this.#config.jwtKey !== undefined) return true;
    const state = this.#state;
    if (!state || kid === undefined || !state.byKid.has(kid)) return false;
    const age = this.#config.now() - state.fetchedAt;
    const { ttlMs, maxStaleMs } = this.#config.keys;
    if (age >= ttlMs + maxStaleMs) return false;
    if (age >= ttlMs && !this.#flight.has('jwks')) {
      const background = this.#refresh();
      waitUntil?.(background);
    }
    return true;
  }

  #staticKey(kid: string | undefined, alg: string): Promise<KeyLookup> {
    const jwtKey = this.#config.jwtKey!;
    let imported = this.#staticKeys.get(alg);
    if (!imported) {
      imported = (
        typeof jwtKey === 'string' || jwkFitsAlgorithm(jwtKey as JWK, alg)
          ? importPublicKey(jwtKey as JWK | string, alg)
          : Promise.resolve(undefined)
      ).catch(() => undefined);
      this.#staticKeys.set(alg, imported);
    }
    const expectedKid = typeof jwtKey === 'object' ? (jwtKey as JWK).kid : undefined;
    return imported.then((key): KeyLookup => {
      if (expectedKid !== undefined && kid !== expectedKid) return refused('jwk-kid-mismatch');
      return key ? { ok: true, key, kid } : refused('jwk-alg-mismatch');
    });
  }

  #importFromSet(state: KeySetState, kid: string, alg: string): Promise<CryptoKey | undefined> {
    const cacheKey = `${kid}\u0000${alg}`;
    let imported = state.imported.get(cacheKey);
    if (!imported) {
      const jwk = state.byKid.get(kid)!;
      imported = jwkFitsAlgorithm(jwk, alg)
        ? importPublicKey({ ...jwk, alg }, alg).catch(() => undefined)
        : Promise.resolve(undefined);
      state.imported.set(cacheKey, imported);
    }
    return imported;
  }

  /** Fresh keys, stale keys (refreshing in the background), or a fetch when there are none usable. */
  async #currentKeys(waitUntil: WaitUntil | undefined): Promise<KeySetState | Refusal> {
    const { ttlMs, maxStaleMs } = this.#config.keys;
    const now = this.#config.now();
    if (this.#state && now - this.#state.fetchedAt < ttlMs) return this.#state;

    if (this.#config.store) await this.#adoptShared();
    const state = this.#state;
    if (state && now - state.fetchedAt < ttlMs) return state;
    if (state && now - state.fetchedAt < ttlMs + maxStaleMs) {
      if (!this.#flight.has('jwks')) {
        const background = this.#refresh();
        waitUntil?.(background);
      }
      return state;
    }
    const outcome = await this.#refresh();
    if (outcome.ok && this.#state) return this.#state;
    return outcome.ok ? unavailable('jwks-unavailable') : outcome;
  }

  #adopt(record: KeySetRecord): void {
    const byKid = new Map<string, JWK>();
    for (const key of record.keys) {
      if (typeof key.kid === 'string' && key.kid !== '' && !byKid.has(key.kid)) byKid.set(key.kid, key);
    }
    // Keep imports of keys whose material did not change, so a refresh does not re-import them.
    const previous = this.#state;
    const imported = new Map<string, Promise<CryptoKey | undefined>>();
    if (previous) {
      for (const [cacheKey, promise] of previous.imported) {
        const kid = cacheKey.split('\u0000')[0]!;
        if (JSON.stringify(previous.byKid.get(kid)) === JSON.stringify(byKid.get(kid))) imported.set(cacheKey, promise);
      }
    }
    this.#state = { keys: record.keys, fetchedAt: record.fetchedAt, byKid, imported };
  }

  /** Scoped by the instance identity (the JWKS URL and a hash of the secret key that fetches it). */
  async #sharedStoreKey(): Promise<string> {
    return `clerk-edge:jwks:${await instanceIdentity(this.#config, 'keys')}`;
  }

  async #adoptShared(): Promise<void> {
    try {
      const record = await this.#config.store!.get(await this.#sharedStoreKey());
      if (
        typeof record === 'object' &&
        record !== null &&
        typeof (record as KeySetRecord).fetchedAt === 'number' &&
        isJwkSet(record) &&
        hasUsableKey(record, this.#config.algorithms) &&
        (!this.#state || (record as KeySetRecord).fetchedAt > this.#state.fetchedAt)
      ) {
        this.#adopt(record as KeySetRecord);
      }
    } catch {
      // A broken shared store is only a cache miss.
    }
  }

  #jwksUrl(): string {
    return this.#config.secretKey !== undefined
      ? backendApiUrl(this.#config, 'jwks')
      : `${this.#config.frontendApiUrl}/.well-known/jwks.json`;
  }

  /** Fetches the key set; concurrent callers share one fetch. Never throws. */
  #refresh(): Promise<RefreshOutcome> {
    return this.#flight.run('jwks', async () => {
      const backoff = instanceBackoff(this.#config);
      const blocked = backoff.blockedFor(JWKS_ENDPOINT);
      if (blocked > 0) return unavailable('rate-limited', blocked);
      const result = await callClerkApi<unknown>(this.#config, {
        method: 'GET',
        url: this.#jwksUrl(),
        bearer: this.#config.secretKey,
        timeoutMs: this.#config.keys.timeoutMs,
      });
      if (result.kind === 'http-error' && result.status === 429)
        return unavailable('rate-limited', backoff.openFor(JWKS_ENDPOINT, result.retryAfterSeconds));
      if (result.kind !== 'ok') return apiRefusal('jwks', result);
      if (!isJwkSet(result.data) || !hasUsableKey(result.data, this.#config.algorithms))
        return unavailable('jwks-unavailable');
      const record: KeySetRecord = { keys: result.data.keys, fetchedAt: this.#config.now() };
      this.#adopt(record);
      this.#fetches++;
      if (this.#config.store) {
        const { ttlMs, maxStaleMs } = this.#config.keys;
        try {
          await this.#config.store.set(await this.#sharedStoreKey(), record, Math.ceil((ttlMs + maxStaleMs) / 1000));
        } catch {
          // The shared store is an optimisation; failing to write it changes no verdict.
        }
      }
      return { ok: true };
    });
  }
}

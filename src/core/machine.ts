import type { ProtectedHeaderParameters } from 'jose';
import { backendApiUrl, callClerkApi } from './backend-api.js';
import { instanceBackoff } from './backoff.js';
import type { HasCheck } from './claims.js';
import type { ResolvedConfig } from './config.js';
import { instanceIdentity } from './instance-identity.js';
import { apiRefusal, refused, unavailable, type Refusal } from './refusal.js';
import type { KeyStore } from './jwks.js';
import type { WaitUntil } from './wait-until.js';
import { verifyInstanceJwt, type JwtCheckOptions } from './session.js';
import { sha256Hex } from './hash.js';
import { LruCache } from './lru.js';
import { FLIGHT_GRACE_MS, SingleFlight } from './single-flight.js';
import { TOKEN_CATEGORY } from './token-class.js';

export type MachineTokenType = 'api_key' | 'm2m_token' | 'oauth_token';

/** The auth object of a request authenticated with a machine token. */
export interface MachineAuthObject {
  tokenType: MachineTokenType;
  isAuthenticated: true;
  /** The token's id (`ak_…`/`mt_…`/`oat_…` record id, or `jti` for JWTs). */
  id: string;
  /** Who the token acts for: a user, organization or machine id. */
  subject: string;
  /** The API key's name. */
  name: string | null;
  scopes: string[];
  claims: Record<string, unknown> | null;
  userId: string | null;
  orgId: string | null;
  machineId: string | null;
  clientId: string | null;
  /** Whether the token carries `scope`. */
  hasScope(scope: string): boolean;
  /** Always false: roles and permissions belong to sessions. */
  has: HasCheck;
}

/** Serialisable part of a machine auth object (what caches keep, and what Next forwards). */
export type MachineIdentity = Omit<MachineAuthObject, 'hasScope' | 'has' | 'isAuthenticated'>;

/** A verdict on one machine token. Serialisable. Internal. */
export type MachineVerdict = { ok: true; identity: MachineIdentity; expiresAtMs: number | null } | Refusal;

/** Builds the auth object from a verified identity. */
export function machineAuthObject(identity: MachineIdentity): MachineAuthObject {
  const scopes = [...identity.scopes];
  return {
    ...identity,
    scopes,
    isAuthenticated: true,
    hasScope: (scope) => typeof scope === 'string' && scopes.includes(scope),
    has: () => false,
  };
}

/** The serialisable identity of a machine auth object: the inverse of {@link machineAuthObject}. */
export function machineIdentityOf(auth: MachineAuthObject): MachineIdentity {
  const { tokenType, id, subject, name, scopes, claims, userId, orgId, machineId, clientId } = auth;
  return { tokenType, id, subject, name, scopes, claims, userId, orgId, machineId, clientId };
}

interface VerifyResponse {
  id?: unknown;
  subject?: unknown;
  name?: unknown;
  scopes?: unknown;
  claims?: unknown;
  revoked?: unknown;
  expired?: unknown;
  expiration?: unknown;
  client_id?: unknown;
}

const ENDPOINTS: Record<MachineTokenType, { path: string; field: string }> = {
  api_key: { path: 'api_keys/verify', field: 'secret' },
  m2m_token: { path: 'm2m_tokens/verify', field: 'token' },
  oauth_token: { path: 'oauth_applications/access_tokens/verify', field: 'access_token' },
};

/**
 * The shapes of Clerk's opaque machine tokens: the prefix, then 16 to 256 characters of base62, `_`
 * and base64's `+` and `/`, then at most two `=` of base64 padding (Clerk's secrets are random base62
 * or base64, e.g. `ak_` + 32 or more, and may carry an environment infix such as `ak_live_`). Anything
 * else is `token-invalid` with no Backend API call.
 */
export const MACHINE_TOKEN_SHAPES: Record<MachineTokenType, RegExp> = {
  api_key: /^ak_[\w+/]{16,256}={0,2}$/,
  m2m_token: /^mt_[\w+/]{16,256}={0,2}$/,
  oauth_token: /^oat_[\w+/]{16,256}={0,2}$/,
};

const JWT_CHECKS: Record<'m2m_token' | 'oauth_token', JwtCheckOptions> = {
  m2m_token: {
    allowedTypes: [undefined, 'jwt'],
    allowedCategories: [undefined, TOKEN_CATEGORY.m2m],
    checkIssuer: false,
    checkAuthorizedParty: false,
  },
  oauth_token: {
    allowedTypes: ['at+jwt', 'application/at+jwt'],
    allowedCategories: [undefined],
    checkIssuer: true,
    checkAuthorizedParty: false,
  },
};

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** `expiration` is a Unix time; Clerk uses milliseconds, but accept seconds too. */
function expirationMs(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return null;
  return value < 1e12 ? value * 1000 : value;
}

function identityFor(
  type: MachineTokenType,
  id: string,
  subject: string,
  data: { name?: unknown; scopes?: unknown; claims?: unknown; clientId?: unknown },
): MachineIdentity {
  return {
    tokenType: type,
    id,
    subject,
    name: stringOrNull(data.name),
    scopes: stringList(data.scopes),
    claims:
      typeof data.claims === 'object' && data.claims !== null && !Array.isArray(data.claims)
        ? (data.claims as Record<string, unknown>)
        : null,
    userId: subject.startsWith('user_') ? subject : null,
    orgId: subject.startsWith('org_') ? subject : null,
    machineId: subject.startsWith('mch_') ? subject : null,
    clientId: type === 'oauth_token' ? stringOrNull(data.clientId) : null,
  };
}

/**
 * Verifies machine tokens. Opaque tokens go to the Backend API once per cache lifetime:
 * verdicts are kept in a bounded LRU (and the shared store, if any) keyed by SHA-256 of the
 * token; concurrent verifications of one token share one call; infrastructure errors are never
 * cached. JWT-format M2M and OAuth tokens are verified locally with the instance keys. Internal.
 */
export class MachineVerifier {
  readonly #config: ResolvedConfig;
  readonly #keys: KeyStore;
  readonly #cache: LruCache<MachineVerdict>;
  readonly #flight: SingleFlight<MachineVerdict>;

  constructor(config: ResolvedConfig, keys: KeyStore) {
    this.#config = config;
    this.#flight = new SingleFlight(config.machineTokens.timeoutMs + FLIGHT_GRACE_MS);
    this.#keys = keys;
    this.#cache = new LruCache(config.machineTokens.maxEntries, config.now);
  }

  async verify(
    token: string,
    type: MachineTokenType,
    format: 'jwt' | 'opaque',
    waitUntil?: WaitUntil,
    header?: ProtectedHeaderParameters,
  ): Promise<MachineVerdict> {
    if (format === 'jwt') return this.#verifyJwt(token, type as 'm2m_token' | 'oauth_token', waitUntil, header);
    if (!MACHINE_TOKEN_SHAPES[type].test(token)) return refused('token-invalid');
    const bearer =
      type === 'm2m_token' ? (this.#config.machineSecretKey ?? this.#config.secretKey) : this.#config.secretKey;
    if (bearer === undefined) return unavailable('machine-secret-key-missing');

    // Keyed by the instance first: a verdict of one instance is never another's.
    const instance = await instanceIdentity(this.#config, type === 'm2m_token' ? 'machine' : 'secret');
    const key = `${instance}:${await sha256Hex(`${type}\u0000${token}`)}`;
    const { enabled } = this.#config.machineTokens;
    if (enabled) {
      const cached = this.#cache.get(key) ?? (await this.#readShared(key));
      if (cached) return this.#checkExpiry(cached);
    }
    const endpoint = ENDPOINTS[type].path;
    const blocked = instanceBackoff(this.#config).blockedFor(endpoint);
    if (blocked > 0) return unavailable('rate-limited', blocked);
    return this.#flight.run(key, async () => {
      const verdict = await this.#callBackendApi(token, type, bearer);
      if (enabled) await this.#remember(key, verdict, waitUntil);
      return verdict;
    });
  }

  /** A cached positive verdict stops being valid at the token's own expiration. */
  #checkExpiry(verdict: MachineVerdict): MachineVerdict {
    if (verdict.ok && verdict.expiresAtMs !== null && verdict.expiresAtMs <= this.#config.now()) {
      return refused('token-expired');
    }
    return verdict;
  }

  async #verifyJwt(
    token: string,
    type: 'm2m_token' | 'oauth_token',
    waitUntil?: WaitUntil,
    header?: ProtectedHeaderParameters,
  ): Promise<MachineVerdict> {
    const verdict = await verifyInstanceJwt<Record<string, unknown> & { sub?: string; exp?: number }>(
      token,
      this.#config,
      this.#keys,
      JWT_CHECKS[type],
      waitUntil,
      header,
    );
    if (!verdict.ok) return verdict;
    const claims = verdict.claims;
    const subject = claims.sub as string;
    if (type === 'm2m_token' && !subject.startsWith('mch_')) return refused('token-invalid-claims');
    // Clerk mints M2M JWTs with the instance's Frontend API as `iss`, but its SDK checks none and
    // early tokens carried none: an absent `iss` passes, a present one must be this instance's.
    const issuers = this.#config.issuers;
    if (type === 'm2m_token' && claims.iss !== undefined && issuers !== undefined) {
      if (typeof claims.iss !== 'string' || !issuers.includes(claims.iss)) return refused('token-invalid-issuer');
    }
    const id = stringOrNull(claims.jti) ?? subject;
    const identity = identityFor(type, id, subject, {
      scopes: claims.scope ?? claims.scopes,
      claims,
      clientId: claims.client_id,
    });
    return { ok: true, identity, expiresAtMs: typeof claims.exp === 'number' ? claims.exp * 1000 : null };
  }

  async #callBackendApi(token: string, type: MachineTokenType, bearer: string): Promise<MachineVerdict> {
    const endpoint = ENDPOINTS[type];
    const result = await callClerkApi<VerifyResponse>(this.#config, {
      method: 'POST',
      url: backendApiUrl(this.#config, endpoint.path),
      bearer,
      body: { [endpoint.field]: token },
      timeoutMs: this.#config.machineTokens.timeoutMs,
    });
    if (result.kind === 'http-error' && result.status === 429) {
      return unavailable(
        'rate-limited',
        instanceBackoff(this.#config).openFor(endpoint.path, result.retryAfterSeconds),
      );
    }
    if (result.kind !== 'ok') return apiRefusal('machine-verify', result);
    const data = result.data;
    if (typeof data !== 'object' || data === null || typeof data.id !== 'string' || typeof data.subject !== 'string') {
      return unavailable('backend-api-unavailable');
    }
    if (data.revoked === true) return refused('token-revoked');
    const expiresAtMs = expirationMs(data.expiration);
    if (data.expired === true || (expiresAtMs !== null && expiresAtMs <= this.#config.now())) {
      return refused('token-expired');
    }
    return {
      ok: true,
      identity: identityFor(type, data.id, data.subject, { ...data, clientId: data.client_id }),
      expiresAtMs,
    };
  }

  /** Positive verdicts for the configured TTL (never past expiry), rejections briefly, infrastructure errors never. */
  async #remember(key: string, verdict: MachineVerdict, waitUntil?: WaitUntil): Promise<void> {
    const { ttlMs, negativeTtlMs } = this.#config.machineTokens;
    let ttl: number;
    if (verdict.ok)
      ttl = verdict.expiresAtMs === null ? ttlMs : Math.min(ttlMs, verdict.expiresAtMs - this.#config.now());
    else if (verdict.status === 'signed-out') ttl = negativeTtlMs;
    else return;
    if (!(ttl > 0)) return;
    this.#cache.set(key, verdict, ttl);
    const store = this.#config.store;
    if (store) {
      const write = store
        .set(`clerk-edge:machine:${key}`, verdict, Math.max(1, Math.floor(ttl / 1000)))
        .catch(() => undefined);
      if (waitUntil) waitUntil(write);
      else await write;
    }
  }

  async #readShared(key: string): Promise<MachineVerdict | undefined> {
    const store = this.#config.store;
    if (!store) return undefined;
    try {
      const value = (await store.get(`clerk-edge:machine:${key}`)) as MachineVerdict | undefined;
      if (typeof value !== 'object' || value === null || typeof value.ok !== 'boolean') return undefined;
      if (!value.ok && value.status !== 'signed-out') return undefined;
      return value;
    } catch {
      return undefined;
    }
  }
}

import type { ProtectedHeaderParameters } from 'jose';
import { backendApiUrl, callClerkApi } from './backend-api.js';
import type { HasCheck } from './claims.js';
import type { ResolvedConfig } from './config.js';
import { instanceIdentity } from './instance-identity.js';
import { apiRefusal, refused, unavailable, type Refusal } from './refusal.js';
import type { KeyStore } from './jwks.js';
import type { WaitUntil } from './wait-until.js';
import { verifyInstanceJwt } from './session.js';
import { sha256Hex } from './hash.js';
import { LruCache } from './lru.js';
import { FLIGHT_GRACE_MS, SingleFlight } from './single-flight.js';
import { isRecord, OPAQUE_PREFIXES, TOKEN_CATEGORY } from './token-class.js';

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

/** Each opaque type's Backend API verify endpoint and the body field that carries the token. */
const ENDPOINTS: Record<MachineTokenType, [path: string, field: string]> = {
  api_key: ['api_keys/verify', 'secret'],
  m2m_token: ['m2m_tokens/verify', 'token'],
  oauth_token: ['oauth_applications/access_tokens/verify', 'access_token'],
};

/**
 * The shape of Clerk's opaque machine tokens after their prefix (`ak_`, `mt_`, `oat_`): 16 to 256
 * characters of base62, `_` and base64's `+` and `/`, then at most two `=` of base64 padding (Clerk's
 * secrets are random base62 or base64, e.g. `ak_` + 32 or more, and may carry an environment infix
 * such as `ak_live_`). Anything else is `token-invalid` with no Backend API call.
 */
const OPAQUE_SHAPE = /^[a-z]+_[\w+/]{16,256}={0,2}$/;

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The identity of a verified token, from a verify endpoint's answer or a JWT's claims in the same shape. */
function identityFor(type: MachineTokenType, data: VerifyResponse & { id: string; subject: string }): MachineIdentity {
  const { subject, scopes, claims } = data;
  const prefixed = (prefix: string) => (subject.startsWith(prefix) ? subject : null);
  return {
    tokenType: type,
    id: data.id,
    subject,
    name: stringOrNull(data.name),
    scopes:
      typeof scopes === 'string'
        ? scopes.split(/[\s,]+/).filter(Boolean)
        : Array.isArray(scopes)
          ? scopes.filter((item): item is string => typeof item === 'string')
          : [],
    claims: isRecord(claims) ? claims : null,
    userId: prefixed('user_'),
    orgId: prefixed('org_'),
    machineId: prefixed('mch_'),
    clientId: type === 'oauth_token' ? stringOrNull(data.client_id) : null,
  };
}

/** Verifies machine tokens (see {@link createMachineVerifier}). Internal. */
export interface MachineVerifier {
  verify(
    token: string,
    type: MachineTokenType,
    format: 'jwt' | 'opaque',
    waitUntil?: WaitUntil,
    header?: ProtectedHeaderParameters,
  ): Promise<MachineVerdict>;
}

/** A JWT-format M2M or OAuth token, verified locally with the instance keys. */
async function verifyMachineJwt(
  config: ResolvedConfig,
  keys: KeyStore,
  token: string,
  type: 'm2m_token' | 'oauth_token',
  waitUntil?: WaitUntil,
  header?: ProtectedHeaderParameters,
): Promise<MachineVerdict> {
  const oauth = type === 'oauth_token';
  const verdict = await verifyInstanceJwt<Record<string, unknown> & { sub?: string; exp?: number }>(
    token,
    config,
    keys,
    {
      allowedTypes: oauth ? ['at+jwt', 'application/at+jwt'] : [undefined, 'jwt'],
      allowedCategories: [undefined, oauth ? undefined : TOKEN_CATEGORY.m2m],
      checkIssuer: oauth,
      checkAuthorizedParty: false,
    },
    waitUntil,
    header,
  );
  if (!verdict.ok) return verdict;
  const { claims } = verdict;
  // `verifyInstanceJwt` guarantees a non-empty string `sub` and a numeric `exp`.
  const subject = claims.sub as string;
  if (!oauth) {
    if (!subject.startsWith('mch_')) return refused('token-invalid-claims');
    // Clerk mints M2M JWTs with the instance's Frontend API as `iss`, but its SDK checks none and
    // early tokens carried none: an absent `iss` passes, a present one must be this instance's.
    const { iss } = claims;
    if (iss !== undefined && config.issuers && !config.issuers.includes(iss as string))
      return refused('token-invalid-issuer');
  }
  return {
    ok: true,
    identity: identityFor(type, {
      id: stringOrNull(claims.jti) ?? subject,
      subject,
      scopes: claims.scope ?? claims.scopes,
      claims,
      client_id: claims.client_id,
    }),
    expiresAtMs: (claims.exp as number) * 1000,
  };
}

/** One Backend API verification of an opaque token. Never throws. */
async function callVerify(
  config: ResolvedConfig,
  token: string,
  type: MachineTokenType,
  bearer: string,
): Promise<MachineVerdict> {
  const [path, field] = ENDPOINTS[type];
  const result = await callClerkApi<VerifyResponse>(config, {
    method: 'POST',
    url: backendApiUrl(config, path),
    bearer,
    body: { [field]: token },
    timeoutMs: config.machineTokens.timeoutMs,
    endpoint: `POST /${path}`,
  });
  if (result.kind !== 'ok') return apiRefusal('machine-verify', result);
  const data = result.data;
  if (typeof data?.id !== 'string' || typeof data.subject !== 'string') return unavailable('backend-api-unavailable');
  if (data.revoked === true) return refused('token-revoked');
  // `expiration` is a Unix time; Clerk uses milliseconds, but accept seconds too.
  const { expiration } = data;
  const expiresAtMs =
    typeof expiration === 'number' && expiration > 0 && expiration < Infinity
      ? expiration < 1e12
        ? expiration * 1000
        : expiration
      : null;
  if (data.expired === true || (expiresAtMs !== null && expiresAtMs <= config.now())) return refused('token-expired');
  return {
    ok: true,
    identity: identityFor(type, data as VerifyResponse & { id: string; subject: string }),
    expiresAtMs,
  };
}

/**
 * Verifies machine tokens. Opaque tokens go to the Backend API once per cache lifetime:
 * verdicts are kept in a bounded LRU (and the shared store, if any) keyed by SHA-256 of the
 * token; concurrent verifications of one token share one call; infrastructure errors are never
 * cached. JWT-format M2M and OAuth tokens are verified locally with the instance keys. Internal.
 *
 * @example
 * ```ts
 * const verdict = await createMachineVerifier(config, keys).verify('ak_…', 'api_key', 'opaque')
 * ```
 */
export function createMachineVerifier(config: ResolvedConfig, keys: KeyStore): MachineVerifier {
  const { machineTokens: options, store, now } = config;
  const flight = new SingleFlight<MachineVerdict>(options.timeoutMs + FLIGHT_GRACE_MS);
  const cache = new LruCache<MachineVerdict>(options.maxEntries, now);

  /** Positive verdicts for the configured TTL (never past expiry), rejections briefly, infrastructure errors never. */
  const remember = async (key: string, verdict: MachineVerdict, waitUntil?: WaitUntil) => {
    const ttl = verdict.ok
      ? Math.min(options.ttlMs, (verdict.expiresAtMs ?? Infinity) - now())
      : verdict.status === 'signed-out'
        ? options.negativeTtlMs
        : 0;
    if (!(ttl > 0)) return;
    cache.set(key, verdict, ttl);
    if (store) {
      const write = store
        .set(`clerk-edge:machine:${key}`, verdict, Math.max(1, Math.floor(ttl / 1000)))
        .catch(() => undefined);
      if (waitUntil) waitUntil(write);
      else await write;
    }
  };

  /** A verdict from the shared store: positive or a rejection, never an infrastructure error. */
  const readShared = async (key: string): Promise<MachineVerdict | undefined> => {
    try {
      const value = (await store?.get(`clerk-edge:machine:${key}`)) as MachineVerdict | undefined;
      if (typeof value?.ok === 'boolean' && (value.ok || value.status === 'signed-out')) return value;
    } catch {
      // A broken shared store is only a cache miss.
    }
    return undefined;
  };

  return {
    async verify(token, type, format, waitUntil, header) {
      if (format === 'jwt')
        return verifyMachineJwt(config, keys, token, type as 'm2m_token' | 'oauth_token', waitUntil, header);
      if (!token.startsWith(OPAQUE_PREFIXES[type]) || !OPAQUE_SHAPE.test(token)) return refused('token-invalid');
      const bearer = type === 'm2m_token' ? (config.machineSecretKey ?? config.secretKey) : config.secretKey;
      if (bearer === undefined) return unavailable('machine-secret-key-missing');

      // Keyed by the instance first: a verdict of one instance is never another's.
      const instance = await instanceIdentity(config, type === 'm2m_token' ? 'machine' : 'secret');
      const key = `${instance}:${await sha256Hex(`${type}\u0000${token}`)}`;
      if (options.enabled) {
        const cached = cache.get(key) ?? (await readShared(key));
        // A cached positive verdict stops being valid at the token's own expiration.
        if (cached?.ok && cached.expiresAtMs !== null && cached.expiresAtMs <= now()) return refused('token-expired');
        if (cached) return cached;
      }
      return flight.run(key, async () => {
        const verdict = await callVerify(config, token, type, bearer);
        if (options.enabled) await remember(key, verdict, waitUntil);
        return verdict;
      });
    },
  };
}

import type { ProtectedHeaderParameters } from 'jose';
import { backendApiUrl, callClerkApi } from './backend-api.js';
import type { HasCheck } from './claims.js';
import type { ResolvedConfig } from './config.js';
import { instanceIdentity } from './instance-identity.js';
import { apiRefusal, refused, unavailable, type Refusal } from './refusal.js';
import type { KeyStore } from './jwks.js';
import type { WaitUntil } from './wait-until.js';
import { verifyInstanceJwt, type JwtKind, type JwtVerdict } from './session.js';
import { sha256Hex } from './hash.js';
import { LruCache } from './lru.js';
import { FLIGHT_GRACE_MS, SingleFlight } from './single-flight.js';
import { isRecord } from './token-class.js';

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

/**
 * A verdict on one machine token. Serialisable. `expiresAtMs` is Infinity for a token that never
 * expires (null once it went through JSON in a shared store: read it with `?? Infinity`). Internal.
 */
export type MachineVerdict = { ok: true; identity: MachineIdentity; expiresAtMs: number | null } | Refusal;

/** Builds the auth object from a verified identity. */
export function machineAuthObject(identity: MachineIdentity): MachineAuthObject {
  const scopes = [...identity.scopes];
  return {
    ...identity,
    scopes,
    isAuthenticated: true,
    // `scopes` holds strings only: nothing else is ever included.
    hasScope: (scope) => scopes.includes(scope),
    has: () => false,
  };
}

/** The serialisable identity of a machine auth object: the inverse of {@link machineAuthObject}. */
export function machineIdentityOf(auth: MachineAuthObject): MachineIdentity {
  const { tokenType, id, subject, name, scopes, claims, userId, orgId, machineId, clientId } = auth;
  return { tokenType, id, subject, name, scopes, claims, userId, orgId, machineId, clientId };
}

/** What a verify endpoint answers (fields unchecked). */
type VerifyResponse = Record<string, unknown> | undefined;

/**
 * The shape of Clerk's opaque machine tokens (their prefix, `ak_`, `mt_` or `oat_`, is checked when
 * the token is classified): 16 to 256 characters of base62, `_` and base64's `+` and `/`, then at
 * most two `=` of base64 padding (Clerk's secrets are random base62 or base64, e.g. `ak_` + 32 or
 * more, and may carry an environment infix such as `ak_live_`). Anything else is `token-invalid`
 * with no Backend API call.
 */
const OPAQUE_SHAPE = /^[a-z]+_[\w+/]{16,256}={0,2}$/;

/** A non-empty string, else null. */
const stringOrNull = (value: unknown) => (typeof value === 'string' && value) || null;

/** The verdict accepting a token, from a verify endpoint's answer or a JWT's claims. */
function accepted(
  tokenType: MachineTokenType,
  expiresAtMs: number,
  id: string,
  subject: string,
  scopes: unknown,
  claims: unknown,
  name: unknown,
  clientId: unknown,
): MachineVerdict {
  const prefixed = (prefix: string) => (subject.startsWith(prefix) ? subject : null);
  return {
    ok: true,
    identity: {
      tokenType,
      id,
      subject,
      name: stringOrNull(name),
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
      clientId: tokenType === 'oauth_token' ? stringOrNull(clientId) : null,
    },
    expiresAtMs,
  };
}

/**
 * Verifies machine tokens (see {@link createMachineVerifier}). `type` and `format` are what
 * `classifyToken` found (an opaque token's prefix is not checked again). Internal.
 */
export interface MachineVerifier {
  verify(
    token: string,
    type: MachineTokenType,
    format: 'jwt' | 'opaque',
    waitUntil?: WaitUntil,
    header?: ProtectedHeaderParameters,
  ): Promise<MachineVerdict>;
}

/**
 * The verdict on a JWT-format M2M or OAuth token, from its verification with the instance keys. OAuth
 * tokens (RFC 9068 `at+jwt`) must name this instance in `iss`; M2M JWTs need a machine subject (`mch_…`)
 * and, since Clerk mints them with the instance's Frontend API as `iss` but its SDK checks none and early
 * tokens carried none, an `iss` of this instance only when they have one. verifyInstanceJwt checks all of
 * it (see {@link JwtKind}).
 */
function jwtVerdict(type: MachineTokenType, verdict: JwtVerdict<Record<string, unknown>>): MachineVerdict {
  if (!verdict.ok) return verdict;
  const claims = verdict.claims;
  // `verifyInstanceJwt` guarantees a non-empty string `sub` (a machine's, for M2M), a numeric `exp` and the `iss`.
  const subject = claims.sub as string;
  return accepted(
    type,
    (claims.exp as number) * 1000,
    stringOrNull(claims.jti) ?? subject,
    subject,
    claims.scope ?? claims.scopes,
    claims,
    null,
    claims.client_id,
  );
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

  return {
    async verify(token, type, format, waitUntil, header) {
      const m2m = type === 'm2m_token';
      const oauth = type === 'oauth_token';
      if (format === 'jwt')
        return jwtVerdict(type, await verifyInstanceJwt(token, config, keys, type as JwtKind, waitUntil, header));
      if (!OPAQUE_SHAPE.test(token)) return refused('token-invalid');
      const bearer = (m2m && config.machineSecretKey) || config.secretKey;
      if (bearer === undefined) return unavailable('machine-secret-key-missing');
      // Keyed by the instance first: a verdict of one instance is never another's.
      const instance = await instanceIdentity(config, m2m ? 'machine' : 'secret');
      const key = `clerk-edge:machine:${instance}:${await sha256Hex(`${type}\u0000${token}`)}`;
      if (options.enabled) {
        let cached: MachineVerdict | undefined;
        try {
          cached = cache.get(key) ?? ((await store?.get(key)) as MachineVerdict | undefined);
        } catch {
          // A broken shared store is only a cache miss.
        }
        // A cached positive verdict stops being valid at the token's own expiration; the shared store
        // may hold anything, of which only positive verdicts and rejections count (never an infrastructure error).
        if (cached?.ok === true) return (cached.expiresAtMs ?? Infinity) <= now() ? refused('token-expired') : cached;
        if (cached?.ok === false && cached.status === 'signed-out') return cached;
      }
      return flight.run(key, async () => {
        // The spec's verify endpoints (`POST /api_keys/verify`, `/m2m_tokens/verify`,
        // `/oauth_applications/access_tokens/verify`) and the one body field each defines.
        const path = oauth ? 'oauth_applications/access_tokens/verify' : `${type}s/verify`;
        const result = await callClerkApi<VerifyResponse>(config, {
          method: 'POST',
          url: backendApiUrl(config, path),
          bearer,
          body: { [oauth ? 'access_token' : m2m ? 'token' : 'secret']: token },
          timeoutMs: options.timeoutMs,
          endpoint: `POST /${path}`,
        });
        // Only an answer has data.
        const data = (result as { data?: VerifyResponse }).data;
        // `expiration` is a Unix time; Clerk uses milliseconds, but accept seconds too. None: Infinity
        // (kept as null in JSON: read back with `?? Infinity`).
        const expiration = data?.expiration as number;
        const expiresAtMs =
          Number.isFinite(expiration) && expiration > 0
            ? expiration < 1e12
              ? expiration * 1000
              : expiration
            : Infinity;
        const verdict: MachineVerdict =
          result.kind !== 'ok'
            ? apiRefusal('machine-verify', result)
            : typeof data?.id !== 'string' || typeof data.subject !== 'string'
              ? unavailable('backend-api-unavailable')
              : data.revoked === true
                ? refused('token-revoked')
                : data.expired === true || expiresAtMs <= now()
                  ? refused('token-expired')
                  : accepted(
                      type,
                      expiresAtMs,
                      data.id,
                      data.subject,
                      data.scopes,
                      data.claims,
                      data.name,
                      data.client_id,
                    );
        // Positive verdicts for the configured TTL (never past expiry), rejections briefly, infrastructure errors never.
        const ttl = verdict.ok
          ? Math.min(options.ttlMs, expiresAtMs - now())
          : verdict.status === 'signed-out'
            ? options.negativeTtlMs
            : 0;
        if (options.enabled && ttl > 0) {
          cache.set(key, verdict, ttl);
          const write = store?.set(key, verdict, Math.max(1, Math.floor(ttl / 1000))).catch(() => undefined);
          if (waitUntil && write) waitUntil(write);
          else await write;
        }
        return verdict;
      });
    },
  };
}

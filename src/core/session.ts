import { compactVerify, type ProtectedHeaderParameters } from 'jose';
import type { AuthErrorReason } from './errors.js';
import type { SessionClaims } from './claims.js';
import type { ResolvedConfig } from './config.js';
import type { KeyStore } from './jwks.js';
import { refused, type Refusal } from './refusal.js';
import type { WaitUntil } from './wait-until.js';
import { jsonObject, OAUTH_TYPES, TOKEN_CATEGORY, unverifiedHeader } from './token-class.js';

/** Tokens larger than this are refused before any decoding or crypto. */
export const MAX_TOKEN_BYTES = 16 * 1024;

/** A verdict on one JWT: the claims, the payload's JSON text they were parsed from, the key's `kid`. Internal. */
export type JwtVerdict<C> = { ok: true; claims: C; json: string; kid: string | undefined } | Refusal;

/**
 * The reason a jose failure code means; any other failure is `token-invalid`. jose messages are
 * never passed on. An unsupported algorithm is `token-invalid-algorithm`, unless the header names a
 * `crit` extension (jose refuses every one it does not know).
 */
const joseReason = (code: unknown, critical: boolean): AuthErrorReason =>
  code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
    ? 'token-invalid-signature'
    : code === 'ERR_JWS_INVALID'
      ? 'token-malformed'
      : code === 'ERR_JOSE_NOT_SUPPORTED' && critical
        ? 'token-unsupported-critical-header'
        : code === 'ERR_JOSE_NOT_SUPPORTED' || code === 'ERR_JOSE_ALG_NOT_ALLOWED'
          ? 'token-invalid-algorithm'
          : 'token-invalid';

const utf8 = new TextDecoder();

/** Whether `aud` (a string or a list of strings) names one of the expected audiences. */
function audienceMatches(aud: unknown, expected: readonly string[]): boolean {
  // A string or a list; `expected` holds strings only, so nothing else ever matches.
  return [aud].flat().some((name) => expected.includes(name as string));
}

/**
 * The kind of JWT the instance issues, which decides the checks that depend on it. A session's
 * `typ` is absent or `JWT`, its `cat` absent or the session category, its `azp` is checked against
 * authorizedParties and its subject is never a machine (`mch_…`: M2M JWTs are never sessions).
 * An M2M JWT's `typ` is absent or `JWT`, its `cat` absent or the M2M category, its subject always
 * a machine, and its `iss` is checked only when present: Clerk mints M2M JWTs with the instance's
 * Frontend API as `iss`, but its SDK checks none and early tokens carried none. An OAuth access
 * token's `typ` is `at+jwt` (RFC 9068) and it has no `cat`. Every other `iss` is checked against
 * the instance. Internal.
 */
export type JwtKind = 'session_token' | 'm2m_token' | 'oauth_token';

/** The checks of a session token. */
export const SESSION_TOKEN_CHECKS: JwtKind = 'session_token';

/** The `typ` values (lower case) of a session or M2M JWT: absent or `jwt`. */
const JWT_TYPES = [undefined, 'jwt'];
/** The `cat` each kind may carry besides none. */
const CATEGORIES: Partial<Record<JwtKind, string>> = {
  session_token: TOKEN_CATEGORY.session,
  m2m_token: TOKEN_CATEGORY.m2m,
};

/** Absent, or a finite number. */
const optionalNumber = (value: unknown) => value === undefined || Number.isFinite(value);

/**
 * Every claim check, time checks last: the reason the claims fail, or undefined when they pass.
 * What failed is told by the reason alone (the README's reason table says when each applies).
 */
function claimRefused(claims: SessionClaims, config: ResolvedConfig, kind: JwtKind): AuthErrorReason | undefined {
  const { sub, exp, nbf, iat, iss, azp } = claims;
  if (config.audience && !audienceMatches(claims.aud, config.audience)) return 'token-invalid-audience';
  if (typeof sub !== 'string' || sub === '') return 'token-invalid-claims';
  const session = kind === 'session_token';
  if (session && sub.startsWith('mch_')) return 'token-type-mismatch';
  if (kind === 'm2m_token' && !sub.startsWith('mch_')) return 'token-invalid-claims';
  // `exp` is required. JSON numbers like 1e400 parse to Infinity: a token must not be valid forever or
  // from the dawn of time; an infinite `nbf` is a token that never becomes active (the time check says so).
  if (!Number.isFinite(exp) || !optionalNumber(iat) || !(optionalNumber(nbf) || nbf === Infinity))
    return 'token-invalid-claims';
  // The configured issuers, audiences and parties are validated strings: nothing else is ever included.
  if (config.issuers && !(kind === 'm2m_token' && iss === undefined) && !config.issuers.includes(iss as string))
    return 'token-invalid-issuer';
  if (
    session &&
    config.authorizedParties.length > 0 &&
    (azp === undefined || azp === ''
      ? config.missingAuthorizedParty === 'reject'
      : !config.authorizedParties.includes(azp as string))
  )
    return 'token-invalid-authorized-parties';
  return untimely(claims, config);
}

/** The header checks: algorithm allowlist, `typ`, `cat`, `kid`. The reason they fail, or undefined. Internal. */
export function headerRefused(
  header: ProtectedHeaderParameters,
  config: ResolvedConfig,
  kind: JwtKind,
): AuthErrorReason | undefined {
  const { alg, kid, cat } = header;
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : header.typ;
  return typeof alg !== 'string' || !(config.algorithms as string[]).includes(alg)
    ? 'token-invalid-algorithm'
    : !(kind === 'oauth_token' ? OAUTH_TYPES : JWT_TYPES).includes(typ)
      ? OAUTH_TYPES.includes(typ as string)
        ? 'token-type-mismatch'
        : 'token-invalid-type'
      : cat !== undefined && cat !== CATEGORIES[kind]
        ? 'token-type-mismatch'
        : kid !== undefined && (typeof kid !== 'string' || kid === '')
          ? 'jwk-kid-missing'
          : undefined;
}

/**
 * The time checks (`nbf`, `exp`, `iat`, with the clock skew) of claims whose `exp` is a number:
 * the reason they fail, or undefined when they are timely. The verified-session cache repeats them per hit.
 */
export function untimely(claims: SessionClaims, config: ResolvedConfig): AuthErrorReason | undefined {
  const skew = config.clockSkewInMs / 1000;
  const now = config.now() / 1000;
  // Numbers, or absent: an absent `nbf` or `iat` compares false.
  const { exp, nbf, iat } = claims as Record<'exp' | 'nbf' | 'iat', number>;
  return nbf > now + skew
    ? 'token-not-active-yet'
    : exp <= now - skew
      ? 'token-expired'
      : iat > now + skew
        ? 'token-iat-in-the-future'
        : undefined;
}

/**
 * Verifies a JWT issued by the instance: size cap, header checks (algorithm allowlist, `typ`,
 * `cat`, `kid`), the signature with the key chosen strictly by `kid`, then claims (non-empty
 * `sub`, `iss`, `azp`, `aud`), and only then the time claims (`nbf`, `exp`, `iat` with skew):
 * `token-expired` therefore means every other check passed. Never throws. Internal.
 */
export async function verifyInstanceJwt<C extends SessionClaims = SessionClaims>(
  token: string,
  config: ResolvedConfig,
  keys: KeyStore,
  kind: JwtKind,
  waitUntil?: WaitUntil,
  decodedHeader?: ProtectedHeaderParameters,
): Promise<JwtVerdict<C>> {
  if (token.length > MAX_TOKEN_BYTES) return refused('token-too-large');

  // Exactly three segments (two dots), counted without splitting the token (no dot: both searches fail).
  const second = token.indexOf('.', token.indexOf('.') + 1);
  const header = decodedHeader ?? unverifiedHeader(token);
  if (second < 0 || token.includes('.', second + 1) || !header) return refused('token-malformed');
  const headerRefusal = headerRefused(header, config, kind);
  if (headerRefusal) return refused(headerRefusal);

  const alg = header.alg as string;

  const lookup = await keys.getKey(header.kid, alg, waitUntil);
  if (!lookup.ok) return lookup;

  // jose verifies the JWS (algorithm allowlist, `crit`, key type and size, signature); the JWT
  // claims are checked here, time claims last: an expired token is refreshed only when it would
  // otherwise be accepted.
  let json: string;
  try {
    // An unencoded (`b64: false`) payload is never a JWT.
    if (header.b64 === false) return refused('token-malformed');
    json = utf8.decode((await compactVerify(token, lookup.key, { algorithms: [alg] })).payload);
  } catch (error) {
    return refused(joseReason((error as { code?: unknown } | null)?.code, header.crit !== undefined));
  }
  const claims = jsonObject(json) as C | undefined;
  const refusal = claims ? claimRefused(claims, config, kind) : 'token-malformed';
  return refusal ? refused(refusal) : { ok: true, claims: claims!, json, kid: lookup.kid };
}

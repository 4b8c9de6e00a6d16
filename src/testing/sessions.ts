import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { JWTPayload } from 'jose';

import { TOKEN_CATEGORY } from './emulator-types.js';
import type { CreateSessionOptions, CreateSessionTokenOptions } from './emulator-types.js';
import { clerkId, randomBase62, randomHex } from './ids.js';
import { NOT_BEFORE_LEEWAY_SECONDS, buildSessionClaims, encodeOrgPermissions } from './session-claims.js';
import { nowSeconds } from './state.js';
import type { EmulatorState } from './state.js';
import type { ClerkSessionJSON } from './types.js';

// Sessions: their records, the tokens minted for them, revocation and the refresh checks.

export interface SessionRecord {
  json: ClerkSessionJSON;
  refreshToken: string;
  orgRole: string | undefined;
  orgSlug: string | undefined;
  orgPermissions: string[] | undefined;
  features: string[] | undefined;
  plans: string[] | undefined;
  azp: string | undefined;
  claimsVersion: 1 | 2;
  firstFactorAt: number;
  secondFactorAt: number | null;
}

const SESSION_LIFETIME_MS = 7 * 24 * 3600 * 1000;
const SESSION_ABANDON_MS = 30 * 24 * 3600 * 1000;

export function createSessionRecord(state: EmulatorState, opts: CreateSessionOptions): SessionRecord {
  // Fail at creation, not at the first token, when permissions cannot be encoded as v2 claims.
  if ((opts.claimsVersion ?? 2) === 2 && opts.orgPermissions)
    encodeOrgPermissions(opts.orgPermissions, opts.features ?? []);
  const createdAt = state.now();
  const [firstAge, secondAge] = opts.factorVerificationAge ?? [0, -1];
  const status = opts.status ?? 'active';
  const json: ClerkSessionJSON = {
    object: 'session',
    id: clerkId('sess'),
    user_id: opts.userId ?? clerkId('user'),
    client_id: clerkId('client'),
    actor: opts.actor ? { ...opts.actor } : null,
    status,
    last_active_organization_id: opts.orgId ?? null,
    last_active_at: createdAt,
    latest_activity: null,
    expire_at: createdAt + SESSION_LIFETIME_MS,
    abandon_at: createdAt + SESSION_ABANDON_MS,
    updated_at: createdAt,
    created_at: createdAt,
    tasks: status === 'pending' ? [{ key: 'choose-organization' }] : null,
  };
  const record: SessionRecord = {
    json,
    refreshToken: randomBase62(48),
    orgRole: opts.orgRole,
    orgSlug: opts.orgSlug,
    orgPermissions: opts.orgPermissions ? [...opts.orgPermissions] : undefined,
    features: opts.features ? [...opts.features] : undefined,
    plans: opts.plans ? [...opts.plans] : undefined,
    azp: opts.azp,
    claimsVersion: opts.claimsVersion ?? 2,
    firstFactorAt: createdAt - firstAge * 60_000,
    secondFactorAt: secondAge < 0 ? null : createdAt - secondAge * 60_000,
  };
  state.sessions.set(json.id, record);
  state.events.emit({ type: 'session.created', data: { ...json } });
  return record;
}

/** Tokens are minted only for sessions that are active or pending. */
export const canMint = (record: SessionRecord) => record.json.status === 'active' || record.json.status === 'pending';

/** A session token (or a JWT-template token when `opts.template` is set) for `record`, signed with the current key. */
export async function mintSessionToken(
  state: EmulatorState,
  record: SessionRecord,
  opts: CreateSessionTokenOptions = {},
): Promise<string> {
  const iat = opts.issuedAt ?? nowSeconds(state);
  const exp = iat + (opts.expiresInSeconds ?? state.sessionTokenTtlSeconds);
  const { json } = record;
  const issuer = state.site.issuer;
  if (opts.template !== undefined) {
    const claims: JWTPayload = {
      ...(record.azp !== undefined ? { azp: record.azp } : {}),
      exp,
      iat,
      iss: issuer,
      jti: randomHex(20),
      nbf: iat - NOT_BEFORE_LEEWAY_SECONDS,
      sid: json.id,
      sub: json.user_id,
      tpl: opts.template,
      ...opts.extraClaims,
    };
    return state.keys.sign(claims, { cat: TOKEN_CATEGORY.jwtTemplate });
  }
  const minutesSince = (at: number) => Math.max(0, Math.floor((iat * 1000 - at) / 60_000));
  const claims = buildSessionClaims({
    issuer,
    userId: json.user_id,
    sessionId: json.id,
    status: json.status,
    iat,
    exp,
    azp: record.azp,
    actor: json.actor,
    fva: [
      minutesSince(record.firstFactorAt),
      record.secondFactorAt === null ? -1 : minutesSince(record.secondFactorAt),
    ],
    orgId: json.last_active_organization_id,
    orgRole: record.orgRole,
    orgSlug: record.orgSlug,
    orgPermissions: record.orgPermissions,
    features: record.features,
    plans: record.plans,
    claimsVersion: record.claimsVersion,
  });
  return state.keys.sign({ ...claims, ...opts.extraClaims }, { cat: TOKEN_CATEGORY.session });
}

export function revokeSessionRecord(state: EmulatorState, record: SessionRecord): ClerkSessionJSON {
  record.json.status = 'revoked';
  record.json.updated_at = state.now();
  state.events.emit({ type: 'session.revoked', data: { ...record.json } });
  return { ...record.json };
}

/** Why `token` is not a session token this instance signed for `record`, or undefined if it is. Expiry is not checked. */
export async function rejectExpiredToken(
  state: EmulatorState,
  token: string,
  record: SessionRecord,
): Promise<string | undefined> {
  const invalid = 'expired_token is not a valid session token of this instance.';
  try {
    if (decodeProtectedHeader(token).cat !== TOKEN_CATEGORY.session) return 'expired_token is not a session token.';
    if (!(await state.keys.verifies(token))) return invalid;
    const payload = decodeJwt(token);
    if (payload.sid !== record.json.id || payload.sub !== record.json.user_id) {
      return 'expired_token belongs to another session.';
    }
    return undefined;
  } catch {
    return invalid;
  }
}

/** The Set-Cookie values `POST /sessions/{id}/refresh` with `format: cookie` answers: plain and suffixed names. */
export function refreshCookies(state: EmulatorState, jwt: string, requestOrigin: string, record: SessionRecord) {
  const secure = requestOrigin.startsWith('https:') ? '; Secure' : '';
  const clientUat = Math.floor(record.json.created_at / 1000);
  const session = `${jwt}; Path=/; SameSite=Lax${secure}`;
  const uat = `${clientUat}; Path=/; Max-Age=315360000; SameSite=Lax${secure}`;
  const suffix = state.site.cookieSuffix;
  return [
    `__session=${session}`,
    `__session_${suffix}=${session}`,
    `__client_uat=${uat}`,
    `__client_uat_${suffix}=${uat}`,
  ];
}

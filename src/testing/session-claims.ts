import type { JWTPayload } from 'jose';

/** What a session token says about its session, before encoding as v1 or v2 claims. */
export interface SessionClaimsInput {
  issuer: string;
  userId: string;
  sessionId: string;
  status: string;
  iat: number;
  exp: number;
  azp?: string | undefined;
  actor?: Record<string, unknown> | null | undefined;
  /** [minutes since first factor, minutes since second factor or -1]. */
  fva: [number, number];
  orgId?: string | null | undefined;
  orgRole?: string | undefined;
  orgSlug?: string | undefined;
  /** Full permission keys, `org:<feature>:<permission>`. */
  orgPermissions?: string[] | undefined;
  /** `scope:name` entries, e.g. `o:reports`, `u:dashboard`. */
  features?: string[] | undefined;
  /** `scope:name` entries, e.g. `o:pro`. */
  plans?: string[] | undefined;
  claimsVersion: 1 | 2;
}

/** Clerk's `nbf` lags `iat` by 10 seconds to absorb clock skew between Clerk and the app. */
export const NOT_BEFORE_LEEWAY_SECONDS = 10;

const withOrgPrefix = (role: string) => (role.startsWith('org:') ? role : `org:${role}`);
const withoutOrgPrefix = (role: string) => role.replace(/^org:/, '');

/** A feature's scope letters say who holds it: `o` organization, `u` user (`ou` both), as Clerk splits them. */
const isOrgScoped = (entry: string) => (entry.split(':')[0] ?? '').includes('o');

/**
 * The v2 encoding of organization permissions: `per` lists permission short names, and `fpm` holds
 * one decimal bitmask per org-scoped feature of `fea` (bit i set = permission `per[i]` granted for
 * that feature). Features referenced by a permission but missing from `features` are appended as
 * `o:<feature>` so every permission is expressible.
 */
export function encodeOrgPermissions(
  orgPermissions: readonly string[],
  features: readonly string[],
): { fea: string[]; per: string[]; fpm: number[] } {
  const fea = [...features];
  const per: string[] = [];
  const grants = new Set<string>();
  for (const permission of orgPermissions) {
    const match = /^org:([^:]+):([^:]+)$/.exec(permission);
    if (!match) {
      throw new TypeError(
        `Cannot encode organization permission "${permission}" in v2 session claims: expected "org:<feature>:<permission>". Use claimsVersion: 1 for other shapes.`,
      );
    }
    const [, feature, name] = match as unknown as [string, string, string];
    if (!fea.some((entry) => isOrgScoped(entry) && entry.split(':')[1] === feature)) fea.push(`o:${feature}`);
    if (!per.includes(name)) per.push(name);
    grants.add(`${feature}:${name}`);
  }
  const orgFeatures = fea.filter(isOrgScoped).map((entry) => entry.split(':')[1] ?? '');
  const fpm = orgFeatures.map((feature) =>
    per.reduce((mask, name, bit) => (grants.has(`${feature}:${name}`) ? mask + 2 ** bit : mask), 0),
  );
  return { fea, per, fpm };
}

/** Builds the payload of a session token with Clerk's default claims, in v2 (default) or v1 shape. */
export function buildSessionClaims(input: SessionClaimsInput): JWTPayload {
  const claims: JWTPayload = {};
  if (input.azp !== undefined) claims.azp = input.azp;
  if (input.actor) claims.act = input.actor;
  claims.exp = input.exp;
  claims.fva = input.fva;
  claims.iat = input.iat;
  claims.iss = input.issuer;
  claims.nbf = input.iat - NOT_BEFORE_LEEWAY_SECONDS;
  claims.sid = input.sessionId;
  claims.sts = input.status;
  claims.sub = input.userId;

  const role = input.orgRole ?? 'org:member';
  if (input.claimsVersion === 1) {
    if (input.orgId) {
      claims.org_id = input.orgId;
      claims.org_role = withOrgPrefix(role);
      if (input.orgSlug !== undefined) claims.org_slug = input.orgSlug;
      claims.org_permissions = [...(input.orgPermissions ?? [])];
    }
    return claims;
  }

  claims.v = 2;
  let features = [...(input.features ?? [])];
  if (input.orgId) {
    const { fea, per, fpm } = encodeOrgPermissions(input.orgPermissions ?? [], features);
    features = fea;
    const org: Record<string, string> = { id: input.orgId, rol: withoutOrgPrefix(role) };
    if (input.orgSlug !== undefined) org.slg = input.orgSlug;
    if (per.length > 0) {
      org.per = per.join(',');
      org.fpm = fpm.join(',');
    }
    claims.o = org;
  } else {
    // Without an active organization, org-scoped features and plans do not apply.
    features = features.filter((entry) => !isOrgScoped(entry) || (entry.split(':')[0] ?? '').includes('u'));
  }
  if (features.length > 0) claims.fea = features.join(',');
  const plans = input.orgId
    ? (input.plans ?? [])
    : (input.plans ?? []).filter((entry) => !isOrgScoped(entry) || (entry.split(':')[0] ?? '').includes('u'));
  if (plans.length > 0) claims.pla = plans.join(',');
  return claims;
}

import type { JWTPayload } from 'jose';
import { ClerkEdgeError } from './errors.js';
import type { GetToken } from './template-tokens.js';
import type { TokenType } from './token-class.js';

/** Reverification presets, as Clerk defines them. */
export type ReverificationPreset = 'strict_mfa' | 'strict' | 'moderate' | 'lax';
export type ReverificationLevel = 'first_factor' | 'second_factor' | 'multi_factor';

/** What `has()` can check. Several fields in one call must all hold. */
export interface HasParams {
  role?: string;
  permission?: string;
  feature?: string;
  plan?: string;
  reverification?: ReverificationPreset | { level: ReverificationLevel; afterMinutes: number };
}

/** A fail-closed authorization check: false for anything it cannot positively confirm. */
export type HasCheck = (params: HasParams) => boolean;

/** Clerk's session token claims (v1 and v2). */
export interface SessionClaims extends JWTPayload {
  sid?: string;
  sts?: string;
  azp?: string;
  act?: { sub: string; [key: string]: unknown };
  v?: number;
  fva?: [number, number];
  fea?: string;
  pla?: string;
  o?: { id?: string; rol?: string; slg?: string; per?: string; fpm?: string };
  org_id?: string;
  org_role?: string;
  org_slug?: string;
  org_permissions?: string[];
}

/** The auth object of a signed-in session. */
export interface SessionAuthObject {
  tokenType: 'session_token';
  isAuthenticated: true;
  userId: string;
  sessionId: string | null;
  sessionStatus: string | null;
  actor: { sub: string; [key: string]: unknown } | null;
  orgId: string | null;
  orgRole: string | null;
  orgSlug: string | null;
  orgPermissions: string[];
  /** Features as `scope:name` (`o:reports`, `u:dashboard`). */
  features: string[];
  /** Plans as `scope:name`. */
  plans: string[];
  /** Minutes since first and second factor verification; -1 when never. */
  factorVerificationAge: [number, number] | null;
  sessionClaims: SessionClaims;
  has: HasCheck;
  /** The request's session token, or with `{ template }` a JWT-template token (cached until shortly before `exp`). */
  getToken: GetToken;
}

/** The auth object when nothing is authenticated. Every field is null and `has()` is false. */
export interface SignedOutAuthObject {
  tokenType: TokenType | null;
  isAuthenticated: false;
  userId: null;
  sessionId: null;
  sessionStatus: null;
  actor: null;
  orgId: null;
  orgRole: null;
  orgSlug: null;
  orgPermissions: [];
  features: [];
  plans: [];
  factorVerificationAge: null;
  sessionClaims: null;
  has: HasCheck;
  /** Always null: there is no session. */
  getToken: GetToken;
}

const denyAll: HasCheck = () => false;
const noToken: GetToken = () => Promise.resolve(null);
/** Adapters bind `getToken` to the request (`withGetToken`); an auth object built elsewhere has no request to read. */
const unboundToken: GetToken = () =>
  Promise.reject(
    new ClerkEdgeError(
      'get-token-unbound',
      'clerk-edge: getToken() needs an auth object from an adapter.',
      'Use getAuth(c), auth() or withClerk.',
    ),
  );

/** A signed-out auth object. */
export function signedOutAuthObject(tokenType: TokenType | null = null): SignedOutAuthObject {
  return {
    tokenType,
    isAuthenticated: false,
    userId: null,
    sessionId: null,
    sessionStatus: null,
    actor: null,
    orgId: null,
    orgRole: null,
    orgSlug: null,
    orgPermissions: [],
    features: [],
    plans: [],
    factorVerificationAge: null,
    sessionClaims: null,
    has: denyAll,
    getToken: noToken,
  };
}

/** A claim that must be a string, or null. */
const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
/** A non-empty string. */
const isName = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** A comma-separated claim split as Clerk does: entries trimmed, empty entries kept so positions never shift. */
function splitPositional(value: unknown): string[] {
  return isName(value) ? value.split(',').map((item) => item.trim()) : [];
}

/** A comma-separated list without its empty entries. */
const splitList = (value: unknown): string[] => splitPositional(value).filter(Boolean);

/** What a feature/plan scope covers, as bits: the organization, the user, or both. */
enum Scope {
  Organization = 1,
  User = 2,
  Both = 3,
}
/** Scope names and the bits they cover. Unknown scopes are absent (they cover nothing). */
const SCOPES: Partial<Record<string, Scope | null>> = {
  __proto__: null,
  o: Scope.Organization,
  org: Scope.Organization,
  organization: Scope.Organization,
  u: Scope.User,
  user: Scope.User,
  ou: Scope.Both,
  uo: Scope.Both,
};

/** A `scope:name` entry as [bits its scope covers (0 for an unknown or missing scope), name]. */
function scoped(entry: string): [Scope | 0, string] {
  const index = entry.indexOf(':');
  return [(index > 0 && SCOPES[entry.slice(0, index)]) || 0, entry.slice(index + 1)];
}

/**
 * [orgId, orgRole, orgSlug, orgPermissions] of v1 (`org_*`) or v2 (`o`) claims. v2 permissions:
 * `fpm` holds one decimal bitmask per organization feature in `fea` (in order); bit j (least
 * significant first) grants permission j of `per`.
 */
function organizationFromClaims(
  claims: SessionClaims,
): Pick<SessionAuthObject, 'orgId' | 'orgRole' | 'orgSlug' | 'orgPermissions'> {
  // Clerk reads `o` only from v2 tokens: a v1 token's `o` is a custom claim, never an organization.
  const v2 = claims.v === 2;
  // Property reads only: a non-object `o` reads as no organization.
  const o: NonNullable<SessionClaims['o']> = (v2 && claims.o) || {};
  const orgId = v2 ? o.id : claims.org_id;
  if (!isName(orgId)) return { orgId: null, orgRole: null, orgSlug: null, orgPermissions: [] };
  if (!v2)
    return {
      orgId,
      orgRole: stringOrNull(claims.org_role),
      orgSlug: stringOrNull(claims.org_slug),
      orgPermissions: Array.isArray(claims.org_permissions)
        ? claims.org_permissions.filter((p): p is string => typeof p === 'string')
        : [],
    };
  const per = splitPositional(o.per);
  const fpm = splitPositional(o.fpm);
  const orgPermissions = splitList(claims.fea)
    .map(scoped)
    .filter(([scope]) => scope & Scope.Organization)
    .flatMap(([, feature], featureIndex) => {
      const mask = fpm[featureIndex] ?? '';
      if (!feature || !/^\d+$/.test(mask)) return [];
      const bits = BigInt(mask);
      // An empty `per` entry keeps its bit (the mapping never shifts) but grants nothing.
      return per.flatMap((name, bit) => (name && (bits >> BigInt(bit)) & 1n ? [`org:${feature}:${name}`] : []));
    });
  // A role gets one `org:` prefix unless it has one.
  return {
    orgId,
    orgRole: isName(o.rol) ? o.rol.replace(/^(?!org:)/, 'org:') : null,
    orgSlug: stringOrNull(o.slg),
    orgPermissions,
  };
}

const FACTOR_LEVELS: ReverificationLevel[] = ['first_factor', 'second_factor', 'multi_factor'];
/** Clerk's presets as [index in FACTOR_LEVELS, minutes]. */
const REVERIFICATION_PRESETS: Partial<Record<string, [number, number] | null>> = {
  __proto__: null,
  strict_mfa: [2, 10],
  strict: [1, 10],
  moderate: [1, 60],
  lax: [1, 1440],
};

/** Whether `fva` meets a preset or `{ level, afterMinutes }`; the requirement is unchecked input (property reads only). */
function reverified(fva: [number, number] | null, requirement: HasParams['reverification'] | null): boolean {
  const [level, minutes] =
    typeof requirement === 'string'
      ? (REVERIFICATION_PRESETS[requirement] ?? [])
      : [FACTOR_LEVELS.indexOf(requirement?.level as ReverificationLevel), requirement?.afterMinutes];
  // An unknown level (index -1) or preset (no level) confirms nothing.
  if (!fva || !((level as number) >= 0) || !Number.isFinite(minutes) || (minutes as number) <= 0) return false;
  const [first, second] = fva;
  const firstOk = first !== -1 && first < (minutes as number);
  // first_factor: the first. Without a second factor (-1), second_factor and multi_factor take the
  // first; with one, second_factor takes the second and multi_factor both.
  return level === 0 || second === -1 ? firstOk : second < (minutes as number) && (level === 1 || firstOk);
}

/**
 * Whether a `scope:name` list grants `wanted`: `name` (either scope), or `o:`/`org:`/`organization:name`,
 * `u:`/`user:name`. Any other scope in the query grants nothing, and a list holding an entry without a
 * scope (`premium`) grants nothing at all, as Clerk's parser refuses the whole claim.
 */
function grantsEntitlement(entries: string[], wanted: unknown): boolean {
  if (typeof wanted !== 'string' || entries.some((entry) => entry.indexOf(':') <= 0)) return false;
  const [scope, name] = wanted.includes(':') ? scoped(wanted) : [Scope.Both, wanted];
  // A query names one scope (`ou:` is none) or no scope.
  if (!name || !scope || (scope === Scope.Both && wanted.includes(':'))) return false;
  return entries.some((entry) => {
    const [entryScope, entryName] = scoped(entry);
    return entryName === name && (entryScope & scope) !== 0;
  });
}

/** Clerk's normalisation of roles and permissions: one `org:` prefix, however many were written (`org:org:admin`). */
function withOrgPrefix(value: string): string {
  return value.replace(/^(org:)*/, 'org:');
}

type AuthFields = Omit<SessionAuthObject, 'has' | 'getToken'>;

/** has(): one rule per parameter, each false for anything it cannot positively confirm. */
// Without an organization (`orgId` null) the role is null and the permissions are empty: role and
// permission checks fail through them.
const HAS_RULES: Record<keyof HasParams, (auth: AuthFields, value: unknown) => boolean> = {
  role: (auth, role) => isName(role) && isName(auth.orgRole) && withOrgPrefix(auth.orgRole) === withOrgPrefix(role),
  permission: (auth, permission) => isName(permission) && auth.orgPermissions.includes(withOrgPrefix(permission)),
  feature: (auth, feature) => grantsEntitlement(auth.features, feature),
  plan: (auth, plan) => grantsEntitlement(auth.plans, plan),
  reverification: (auth, requirement) =>
    reverified(auth.factorVerificationAge, requirement as HasParams['reverification']),
};

function createHas(auth: AuthFields): HasCheck {
  return (params) => {
    // Property reads only: no primitive has these names (and null or undefined has none).
    if (!params) return false;
    // Several parameters must all hold; no parameter at all confirms nothing.
    let asked = false;
    for (const name in HAS_RULES) {
      const value = params[name as keyof HasParams];
      if (value === undefined) continue;
      if (!HAS_RULES[name as keyof HasParams](auth, value)) return false;
      asked = true;
    }
    return asked;
  };
}

/** `fva`: two ages in minutes, each -1 (factor not enabled) or a finite number >= 0 (fractions allowed, as in Clerk). */
function factorAge(value: unknown): [number, number] | null {
  return Array.isArray(value) && value.length === 2 && value.every((n) => Number.isFinite(n) && (n === -1 || n >= 0))
    ? [value[0], value[1]]
    : null;
}

// Claims kept by the verified-session cache are frozen and shared; so is the auth object built from them.
const authOfSharedClaims = new WeakMap<SessionClaims, SessionAuthObject>();

/** Turns verified session claims into the auth object (built once for claims shared by the verified-session cache). */
export function sessionAuthObject(claims: SessionClaims): SessionAuthObject {
  if (!Object.isFrozen(claims)) return buildSessionAuthObject(claims);
  let auth = authOfSharedClaims.get(claims);
  if (!auth) {
    auth = buildSessionAuthObject(claims);
    [auth.orgPermissions, auth.features, auth.plans, auth.factorVerificationAge, auth].forEach(Object.freeze);
    authOfSharedClaims.set(claims, auth);
  }
  return auth;
}

/** A session auth object's fields, from which `withSessionGetToken` makes the object. */
type SessionFields = Omit<SessionAuthObject, 'tokenType' | 'isAuthenticated' | 'getToken'>;

/**
 * A copy of a session auth object whose `getToken` is `getToken` (the adapters bind it to the
 * request). The copy is the request's own; shared claims and lists stay frozen. Every session auth
 * object is made here, as one literal: one shape, so copying one per request stays fast whatever
 * mix of frozen, shared and fresh objects a process sees (a spread of a frozen object, or one that
 * adds properties, is many times slower).
 *
 * @example
 * ```ts
 * const bound = withSessionGetToken(auth, async () => 'token')
 * ```
 */
export function withSessionGetToken(auth: SessionFields, getToken: GetToken): SessionAuthObject {
  return {
    tokenType: 'session_token',
    isAuthenticated: true,
    userId: auth.userId,
    sessionId: auth.sessionId,
    sessionStatus: auth.sessionStatus,
    actor: auth.actor,
    orgId: auth.orgId,
    orgRole: auth.orgRole,
    orgSlug: auth.orgSlug,
    orgPermissions: auth.orgPermissions,
    features: auth.features,
    plans: auth.plans,
    factorVerificationAge: auth.factorVerificationAge,
    sessionClaims: auth.sessionClaims,
    has: auth.has,
    getToken,
  };
}

function buildSessionAuthObject(claims: SessionClaims): SessionAuthObject {
  const auth = withSessionGetToken(
    {
      userId: claims.sub as string,
      sessionId: stringOrNull(claims.sid),
      sessionStatus: stringOrNull(claims.sts),
      actor: typeof claims.act?.sub === 'string' ? claims.act : null,
      ...organizationFromClaims(claims),
      features: splitList(claims.fea),
      plans: splitList(claims.pla),
      factorVerificationAge: factorAge(claims.fva),
      sessionClaims: claims,
      has: denyAll,
    },
    unboundToken,
  );
  auth.has = createHas(auth);
  return auth;
}

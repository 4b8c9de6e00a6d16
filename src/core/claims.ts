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
      'clerk-edge: this auth object was not handed out by an adapter, so getToken() cannot find its request.',
      'Use getAuth(c) / auth() / the withClerk handler argument.',
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

function splitList(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A comma-separated claim split as Clerk does: entries trimmed, empty entries kept so positions never shift. */
function splitPositional(value: unknown): string[] {
  return typeof value === 'string' && value !== '' ? value.split(',').map((item) => item.trim()) : [];
}

const ORGANIZATION_SCOPES = new Set(['o', 'org', 'organization']);
const USER_SCOPES = new Set(['u', 'user']);
const BOTH_SCOPES = new Set(['ou', 'uo']);

/** Whether a feature/plan scope covers the organization (`o`) or the user (`u`). Unknown scopes cover nothing. */
function scopeCovers(scope: string, letter: 'o' | 'u'): boolean {
  if (BOTH_SCOPES.has(scope)) return true;
  return letter === 'o' ? ORGANIZATION_SCOPES.has(scope) : USER_SCOPES.has(scope);
}

/** Names of a `scope:name` list whose scope covers `letter` (`o:`, `org:`, `organization:`, `u:`, `user:`, `ou:`). */
function namesInScope(entries: string[], letter: 'o' | 'u'): string[] {
  const names: string[] = [];
  for (const entry of entries) {
    const index = entry.indexOf(':');
    if (index > 0 && scopeCovers(entry.slice(0, index), letter)) names.push(entry.slice(index + 1));
  }
  return names;
}

/**
 * v2 organization permissions: `fpm` holds one decimal bitmask per organization feature in
 * `fea` (in order); bit j (least significant first) grants permission j of `per`.
 */
function permissionsFromBitmasks(orgFeatures: string[], per: string[], fpm: string[]): string[] {
  const permissions: string[] = [];
  fpm.forEach((mask, featureIndex) => {
    const feature = orgFeatures[featureIndex];
    if (feature === undefined || feature === '' || !/^\d+$/.test(mask)) return;
    let bits = BigInt(mask);
    for (let bit = 0; bits > 0n && bit < per.length; bit++, bits >>= 1n) {
      // An empty `per` entry keeps its bit (the mapping never shifts) but grants nothing.
      if (bits & 1n && per[bit] !== '') permissions.push(`org:${feature}:${per[bit]}`);
    }
  });
  return permissions;
}

function organizationFromClaims(claims: SessionClaims): {
  orgId: string | null;
  orgRole: string | null;
  orgSlug: string | null;
  orgPermissions: string[];
} {
  // Clerk reads `o` only from v2 tokens: a v1 token's `o` is a custom claim, never an organization.
  if (claims.v === 2) {
    const o = typeof claims.o === 'object' && claims.o !== null ? claims.o : undefined;
    if (!o || typeof o.id !== 'string' || o.id === '')
      return { orgId: null, orgRole: null, orgSlug: null, orgPermissions: [] };
    const orgFeatures = namesInScope(splitList(claims.fea), 'o');
    const role = typeof o.rol === 'string' && o.rol !== '' ? (o.rol.startsWith('org:') ? o.rol : `org:${o.rol}`) : null;
    return {
      orgId: o.id,
      orgRole: role,
      orgSlug: typeof o.slg === 'string' ? o.slg : null,
      orgPermissions: permissionsFromBitmasks(orgFeatures, splitPositional(o.per), splitPositional(o.fpm)),
    };
  }
  if (typeof claims.org_id !== 'string' || claims.org_id === '')
    return { orgId: null, orgRole: null, orgSlug: null, orgPermissions: [] };
  return {
    orgId: claims.org_id,
    orgRole: typeof claims.org_role === 'string' ? claims.org_role : null,
    orgSlug: typeof claims.org_slug === 'string' ? claims.org_slug : null,
    orgPermissions: Array.isArray(claims.org_permissions)
      ? claims.org_permissions.filter((p): p is string => typeof p === 'string')
      : [],
  };
}

const REVERIFICATION_PRESETS: Record<ReverificationPreset, { level: ReverificationLevel; afterMinutes: number }> = {
  strict_mfa: { level: 'multi_factor', afterMinutes: 10 },
  strict: { level: 'second_factor', afterMinutes: 10 },
  moderate: { level: 'second_factor', afterMinutes: 60 },
  lax: { level: 'second_factor', afterMinutes: 1440 },
};

function reverified(fva: [number, number] | null, requirement: HasParams['reverification']): boolean {
  if (!fva) return false;
  const rule = typeof requirement === 'string' ? REVERIFICATION_PRESETS[requirement] : requirement;
  if (!rule || typeof rule !== 'object' || !Number.isFinite(rule.afterMinutes) || rule.afterMinutes <= 0) return false;
  const [first, second] = fva;
  if (first === -1 && second === -1) return false;
  const firstOk = first !== -1 && first < rule.afterMinutes;
  const secondOk = second !== -1 && second < rule.afterMinutes;
  switch (rule.level) {
    case 'first_factor':
      return firstOk;
    case 'second_factor':
      return second !== -1 ? secondOk : firstOk;
    case 'multi_factor':
      return second === -1 ? firstOk : firstOk && secondOk;
    default:
      return false;
  }
}

/**
 * Whether a `scope:name` list grants `wanted`: `name` (either scope), or `o:`/`org:`/`organization:name`,
 * `u:`/`user:name`. Any other scope in the query grants nothing, and a list holding an entry without a
 * scope (`premium`) grants nothing at all, as Clerk's parser refuses the whole claim.
 */
function grantsEntitlement(entries: string[], wanted: string): boolean {
  if (entries.some((entry) => entry.indexOf(':') <= 0)) return false;
  const index = wanted.indexOf(':');
  const scope = index >= 0 ? wanted.slice(0, index) : undefined;
  const name = index >= 0 ? wanted.slice(index + 1) : wanted;
  if (name === '') return false;
  if (scope !== undefined && !ORGANIZATION_SCOPES.has(scope) && !USER_SCOPES.has(scope)) return false;
  const letters: Array<'o' | 'u'> = scope === undefined ? ['o', 'u'] : ORGANIZATION_SCOPES.has(scope) ? ['o'] : ['u'];
  return letters.some((letter) => namesInScope(entries, letter).includes(name));
}

/** Clerk's normalisation of roles and permissions: one `org:` prefix, however many were written (`org:org:admin`). */
function withOrgPrefix(value: string): string {
  return value.replace(/^(org:)*/, 'org:');
}

function createHas(auth: Omit<SessionAuthObject, 'has' | 'getToken'>): HasCheck {
  return (params) => {
    if (typeof params !== 'object' || params === null) return false;
    const checks: boolean[] = [];
    const { role, permission, feature, plan, reverification } = params;
    if (role !== undefined)
      checks.push(
        typeof role === 'string' &&
          role !== '' &&
          auth.orgId !== null &&
          auth.orgRole !== null &&
          auth.orgRole !== '' &&
          withOrgPrefix(auth.orgRole) === withOrgPrefix(role),
      );
    if (permission !== undefined) {
      checks.push(
        typeof permission === 'string' &&
          permission !== '' &&
          auth.orgId !== null &&
          auth.orgPermissions.includes(withOrgPrefix(permission)),
      );
    }
    if (feature !== undefined) checks.push(typeof feature === 'string' && grantsEntitlement(auth.features, feature));
    if (plan !== undefined) checks.push(typeof plan === 'string' && grantsEntitlement(auth.plans, plan));
    if (reverification !== undefined) checks.push(reverified(auth.factorVerificationAge, reverification));
    return checks.length > 0 && checks.every(Boolean);
  };
}

/** `fva`: two ages in minutes, each -1 (factor not enabled) or a finite number >= 0 (fractions allowed, as in Clerk). */
function factorAge(value: unknown): [number, number] | null {
  return Array.isArray(value) &&
    value.length === 2 &&
    value.every((n) => typeof n === 'number' && Number.isFinite(n) && (n === -1 || n >= 0))
    ? [value[0], value[1]]
    : null;
}

// Claims kept by the verified-session cache are frozen and shared; so is the auth object built from them.
const authOfSharedClaims = new WeakMap<SessionClaims, SessionAuthObject>();
// Each shared auth object's writable twin (same values): copying a frozen object is many times slower.
const writableTwins = new WeakMap<SessionAuthObject, SessionAuthObject>();

/** Turns verified session claims into the auth object (built once for claims shared by the verified-session cache). */
export function sessionAuthObject(claims: SessionClaims): SessionAuthObject {
  if (!Object.isFrozen(claims)) return buildSessionAuthObject(claims);
  let auth = authOfSharedClaims.get(claims);
  if (!auth) {
    const twin = buildSessionAuthObject(claims);
    Object.freeze(twin.orgPermissions);
    Object.freeze(twin.features);
    Object.freeze(twin.plans);
    auth = Object.freeze({ ...twin });
    authOfSharedClaims.set(claims, auth);
    writableTwins.set(auth, twin);
  }
  return auth;
}

/**
 * A copy of a session auth object whose `getToken` is `getToken` (the adapters bind it to the
 * request). The copy is the request's own; shared claims and lists stay frozen.
 *
 * @example
 * ```ts
 * const bound = withSessionGetToken(auth, async () => 'token')
 * ```
 */
export function withSessionGetToken(auth: SessionAuthObject, getToken: GetToken): SessionAuthObject {
  return { ...(writableTwins.get(auth) ?? auth), getToken };
}

function buildSessionAuthObject(claims: SessionClaims): SessionAuthObject {
  const base: Omit<SessionAuthObject, 'has' | 'getToken'> = {
    tokenType: 'session_token',
    isAuthenticated: true,
    userId: claims.sub as string,
    sessionId: typeof claims.sid === 'string' ? claims.sid : null,
    sessionStatus: typeof claims.sts === 'string' ? claims.sts : null,
    actor:
      typeof claims.act === 'object' && claims.act !== null && typeof claims.act.sub === 'string' ? claims.act : null,
    ...organizationFromClaims(claims),
    features: splitList(claims.fea),
    plans: splitList(claims.pla),
    factorVerificationAge: factorAge(claims.fva),
    sessionClaims: claims,
  };
  return { ...base, has: createHas(base), getToken: unboundToken };
}

import {
  configurationError,
  finiteOr,
  parsePublishableKey,
  parseUrl,
  resolveAudience,
  resolveAuthorizedParties,
  validateJwtKey,
  variableFor,
  warnOnce,
} from './config-fields.js';
import { environmentString, platformEnvironment } from './environment.js';
import type { ClerkConfigurationError } from './errors.js';
import type { CacheStore } from './store.js';
import type { AcceptsToken } from './token-class.js';

export { parsePublishableKey } from './config-fields.js';

/** Algorithms clerk-edge can verify. `none` and every HMAC algorithm are never accepted. */
export const SUPPORTED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type SupportedAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** Key-store tuning. Every field has a safe default. */
export interface KeyStoreOptions {
  /** How long fetched keys are fresh. Default 5 minutes. */
  ttlMs?: number;
  /** How long past freshness keys are still served (stale-while-revalidate, last-known-good through an outage). Default 24 hours; above 7 days it throws. */
  maxStaleMs?: number;
  /** At most one refetch for unknown `kid`s per this window. Default 30 seconds. */
  unknownKidCooldownMs?: number;
  /** Timeout of one JWKS fetch. Default 3 seconds. */
  timeoutMs?: number;
}

/** Machine-token verification cache tuning. */
export interface MachineCacheOptions {
  /** Turn the cache off entirely. Default true (enabled). */
  enabled?: boolean;
  /** How long a valid verdict is kept (never past the token's own expiration). Default 30 seconds. */
  ttlMs?: number;
  /** How long an invalid-token verdict is kept. Default 5 seconds. */
  negativeTtlMs?: number;
  /** Most entries kept in memory. Default 1000. */
  maxEntries?: number;
  /** Timeout of one Backend API verify call. Default 5 seconds. */
  timeoutMs?: number;
}

/** Verified-session cache tuning. */
export interface SessionCacheOptions {
  /** Keep verdicts for exact session-token strings until their `exp`. Default true; env `CLERK_SESSION_CACHE=false` turns it off. */
  enabled?: boolean;
  /** Most tokens kept. Default 10,000. */
  maxEntries?: number;
  /** Most memory the cache may hold, estimated from token sizes. Default 8 MB (a Worker isolate has 128 MB). */
  maxBytes?: number;
}

/** A platform environment: `process.env`, a Worker's `env`, Hono's `env(c)`. */
export type EnvironmentRecord = Record<string, unknown>;

/**
 * Options shared by `createClerkAuth` and every adapter. Each field falls back to its
 * environment variable on its own: passing one option never drops another's fallback.
 */
export interface ClerkEdgeOptions {
  /** Backend API secret key (`sk_test_…` / `sk_live_…`). Env `CLERK_SECRET_KEY`. */
  secretKey?: string;
  /** Publishable key (`pk_test_…` / `pk_live_…`): gives the Frontend API host, the issuer and the cookie suffix. Env `CLERK_PUBLISHABLE_KEY`. */
  publishableKey?: string;
  /** PEM SPKI public key or a JWK (object or JSON) for networkless verification. Env `CLERK_JWT_KEY`. */
  jwtKey?: string | JsonWebKey;
  /** Machine secret key used to verify M2M tokens. Env `CLERK_MACHINE_SECRET_KEY`. */
  machineSecretKey?: string;
  /** Backend API origin. Default `https://api.clerk.com`. Env `CLERK_API_URL`. */
  apiUrl?: string;
  /** Backend API version path segment. Default `v1`. Env `CLERK_API_VERSION`. */
  apiVersion?: string;
  /** Where the Frontend API is reached (JWKS when only a publishable key is set). Default `https://<host from the publishable key>`. Env `CLERK_FRONTEND_API_URL`. */
  frontendApiUrl?: string;
  /** A Clerk proxy URL: both where the Frontend API is reached and the expected `iss`. Env `CLERK_PROXY_URL`. */
  proxyUrl?: string;
  /**
   * Origins allowed in the `azp` claim. Env `CLERK_AUTHORIZED_PARTIES` (comma-separated). Unset, or `[]` with
   * the variable unset: no `azp` check. A list with an empty entry (`['']`), a variable made only of
   * separators, or `[]` while the variable is set, throws `ClerkConfigurationError` at creation: it never
   * turns the check off.
   */
  authorizedParties?: string[];
  /** What to do with a session token that has no `azp` when authorizedParties is set. Default `'reject'`. */
  missingAuthorizedParty?: 'reject' | 'allow';
  /**
   * Expected `aud` (checked only when set). When set, a token without `aud` is refused (stricter than Clerk,
   * which skips the check for such tokens). A given but empty value (`''`, `[]`, `['']`) throws
   * `ClerkConfigurationError` at creation.
   */
  audience?: string | string[];
  /** Expected `iss`, overriding the one derived from the publishable key or proxy URL. */
  issuer?: string | string[];
  /**
   * Allowed clock skew for `exp`, `nbf` and `iat`. Default 5000. Non-finite or negative values fall back
   * to the default; above 10 minutes it throws `ClerkConfigurationError`.
   */
  clockSkewInMs?: number;
  /** Signature algorithms accepted for session tokens. Default `['RS256']`. */
  algorithms?: SupportedAlgorithm[];
  /** Which token types requests may authenticate with by default. Default `'session_token'`. */
  acceptsToken?: AcceptsToken;
  /** Treat sessions with `sts: "pending"` as signed out. Default true. */
  treatPendingAsSignedOut?: boolean;
  /** Key-store tuning. */
  keys?: KeyStoreOptions;
  /** Machine-token cache tuning. */
  machineTokens?: MachineCacheOptions;
  /** Verified-session cache tuning. */
  sessionCache?: SessionCacheOptions;
  /** A shared second-level store (Workers Cache API, KV) for keys and machine-token verdicts. */
  store?: CacheStore;
  /** The fetch to use for every Backend/Frontend API call. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /**
   * Trust `X-Forwarded-Host`/`-Proto`, `CF-Connecting-IP`, `X-Real-IP` and `X-Forwarded-For` for the public origin
   * (sign-in redirects, the refresh call's `request_origin`) and the client IP (`request_originating_ip`). Turn it on
   * only behind a proxy that sets these headers itself. Default false: the request URL's origin and no IP.
   * Env `CLERK_TRUST_PROXY_HEADERS=true`.
   */
  trustProxyHeaders?: boolean;
  /** Add `x-clerk-auth-status` / `x-clerk-auth-reason` headers to request states. Default false. Env `CLERK_DEBUG=true`. */
  debug?: boolean;
  /**
   * Recover browser page loads whose cookies cannot be decided locally (expired token, no `__refresh`,
   * development instance without a dev-browser token) by a redirect through the Frontend API: the handshake.
   * `false` is the API-only mode: such requests are signed out and nothing ever redirects. Default true.
   * Env `CLERK_HANDSHAKE=false`.
   */
  handshake?: boolean;
  /** Clock seam in milliseconds (tests). Default `Date.now`. */
  now?: () => number;
  /** Environment to read fallbacks from. Default: the runtime's (`Deno.env`, `Bun.env`, `process.env`; see `platformEnvironment`). */
  env?: EnvironmentRecord;
}

/** Options after defaults and environment fallbacks, validated. Internal. */
export interface ResolvedConfig {
  secretKey: string | undefined;
  machineSecretKey: string | undefined;
  publishableKey: string | undefined;
  /** From the publishable key. */
  frontendApiHost?: string | undefined;
  instanceType?: 'test' | 'live' | undefined;
  jwtKey: string | JsonWebKey | undefined;
  apiUrl: string;
  apiVersion: string;
  frontendApiUrl: string | undefined;
  /** As given (it is already in `frontendApiUrl` and `issuers`). */
  proxyUrl?: string | undefined;
  issuers: string[] | undefined;
  authorizedParties: string[];
  missingAuthorizedParty: 'reject' | 'allow';
  audience: string[] | undefined;
  clockSkewInMs: number;
  algorithms: SupportedAlgorithm[];
  acceptsToken: AcceptsToken;
  treatPendingAsSignedOut: boolean;
  keys: Required<KeyStoreOptions>;
  machineTokens: Required<MachineCacheOptions>;
  sessionCache: Required<SessionCacheOptions>;
  store: CacheStore | undefined;
  fetch: typeof fetch;
  trustProxyHeaders: boolean;
  debug: boolean;
  handshake: boolean;
  now: () => number;
}

export const DEFAULT_API_URL = 'https://api.clerk.com';
export const DEFAULT_API_VERSION = 'v1';
/** The Backend API version this package speaks (the spec's `info.version`). */
export const CLERK_API_VERSION_HEADER = '2025-11-10';

/**
 * How a text option is read (explicit, else the variable named after it, see `variableFor`, else the default):
 * `parse` returns the value to keep, or something falsy for a malformed value, which throws naming the
 * option, the expected `format` and the variable. (`jwtKey` may also be a JWK object.)
 */
type TextRules = Record<string, [parse: (value: never) => unknown, format: string, fallback?: string]>;

const URL_RULE: TextRules[string] = [parseUrl, 'an http(s) URL'];

/** The keys of the instance, read first: at least one must be set. */
const KEY_RULES: TextRules = {
  secretKey: [(key: string) => /^sk_(test|live)_\S+$/.test(key) && key, 'an sk_test_/sk_live_ key'],
  machineSecretKey: [(key: string) => /^ak_\S+$/.test(key) && key, 'an ak_ key'],
  publishableKey: [(key: string) => parsePublishableKey(key) && key, 'a pk_test_/pk_live_ key'],
  jwtKey: [validateJwtKey, 'a PEM or JWK public key'],
};

/** Where Clerk is. */
const ENDPOINT_RULES: TextRules = {
  apiUrl: [parseUrl, URL_RULE[1], DEFAULT_API_URL],
  apiVersion: [(version: string) => /^v\d+$/.test(version) && version, 'like v1', DEFAULT_API_VERSION],
  proxyUrl: URL_RULE,
  frontendApiUrl: URL_RULE,
};

/**
 * The longest `timeoutMs` honoured: a timer cannot hold more than 2^31-1 ms (a larger delay fires at once,
 * so every call would time out), and the single-flight deadline adds its grace on top.
 */
export const MAX_TIMEOUT_MS = 600_000;

/**
 * The largest `clockSkewInMs` and `keys.maxStaleMs` accepted: beyond them the skew would keep expired
 * tokens valid, or keys the instance rotated out trusted, for that long (a check turned off by a setting).
 * Larger values throw at creation.
 */
export const MAX_CLOCK_SKEW_MS = 600_000;
export const MAX_STALE_MS = 7 * 86_400_000;

/**
 * Tuning defaults. Counts (`maxEntries`, `maxBytes`) are floored to at least 1; a `timeoutMs` of 0 takes the
 * default, one above {@link MAX_TIMEOUT_MS} is capped there.
 */
const TUNING = {
  keys: { ttlMs: 300_000, maxStaleMs: 86_400_000, unknownKidCooldownMs: 30_000, timeoutMs: 3000 },
  machineTokens: { ttlMs: 30_000, negativeTtlMs: 5000, maxEntries: 1000, timeoutMs: 5000 },
  sessionCache: { maxEntries: 10_000, maxBytes: 2 ** 23 },
};

type Tuned = Pick<ResolvedConfig, 'keys' | 'machineTokens' | 'sessionCache'>;

/** Cache and timeout tuning: every field has a safe default, and a value that is not a finite non-negative number is ignored. */
function resolveTuning(options: ClerkEdgeOptions): Tuned {
  const tuned: Record<string, Record<string, unknown>> = {};
  for (const [group, defaults] of Object.entries(TUNING)) {
    const values: Record<string, unknown> = { ...options[group as keyof Tuned] };
    for (const [name, fallback] of Object.entries(defaults)) {
      const value = finiteOr(values[name], fallback);
      if (name === 'maxStaleMs' && value > MAX_STALE_MS)
        throw configurationError('keys', 'maxStaleMs is above 7 days.', '');
      values[name] =
        name === 'timeoutMs'
          ? Math.min(value || fallback, MAX_TIMEOUT_MS)
          : /^max[EB]/.test(name)
            ? Math.max(1, Math.floor(value))
            : value;
    }
    tuned[group] = values;
  }
  return tuned as unknown as Tuned;
}

/** `clockSkewInMs`: 5000 unless a finite non-negative number; above {@link MAX_CLOCK_SKEW_MS} it throws. */
function resolveClockSkew(value: unknown): number {
  const skew = finiteOr(value, 5000);
  if (skew > MAX_CLOCK_SKEW_MS) throw configurationError('clockSkewInMs', 'is above 10 minutes.', '');
  return skew;
}

/**
 * Resolves options per field (explicit option, then environment, then default) and validates
 * them. Throws {@link ClerkConfigurationError} naming the option and variable at fault.
 */
export function resolveConfig(options: ClerkEdgeOptions = {}): ResolvedConfig {
  const env = options.env ?? platformEnvironment();
  if (!globalThis.crypto?.subtle?.importKey) {
    throw configurationError('crypto', 'is missing.', '');
  }
  const fromEnv = (option: string) => environmentString(env, variableFor(option));
  const read = (rules: TextRules) => {
    const values: Record<string, unknown> = {};
    for (const [option, [parse, format, fallback]] of Object.entries(rules)) {
      const value = options[option as 'apiUrl'] ?? fromEnv(option) ?? fallback;
      if (value === undefined) continue;
      values[option] = parse(value as never);
      if (!values[option]) throw configurationError(option, `must be ${format}.`);
    }
    return values;
  };
  // A boolean option, else its variable: `'true'` turns on a default-off flag, `'false'` turns off a default-on one.
  // (`sessionCache` is the `enabled` of its tuning object: an object without it still falls back to the variable.)
  const flag = (option: 'trustProxyHeaders' | 'debug' | 'handshake' | 'sessionCache', fallback: boolean) =>
    (option === 'sessionCache' ? options.sessionCache?.enabled : options[option]) ??
    (fromEnv(option) === String(!fallback)) !== fallback;
  const keys = read(KEY_RULES) as Pick<ResolvedConfig, 'secretKey' | 'machineSecretKey' | 'publishableKey' | 'jwtKey'>;
  // A machine secret key alone serves routes that accept only (opaque) M2M tokens.
  if (!Object.keys(keys).length) {
    throw configurationError('secretKey', 'is missing.', 'Set CLERK_SECRET_KEY or CLERK_PUBLISHABLE_KEY.', true);
  }
  const instance = keys.publishableKey && parsePublishableKey(keys.publishableKey);
  const endpoints = read(ENDPOINT_RULES) as Pick<
    ResolvedConfig,
    'apiUrl' | 'apiVersion' | 'frontendApiUrl' | 'proxyUrl'
  >;
  const instanceUrl = endpoints.proxyUrl ?? (instance && `https://${instance.frontendApiHost}`);
  const { issuer } = options;
  const algorithms = options.algorithms ?? ['RS256'];
  const issuers = issuer === undefined ? (instanceUrl ? [instanceUrl] : undefined) : ([] as string[]).concat(issuer);
  if (!issuers) warnOnce('clerk-edge: iss is not checked; set CLERK_PUBLISHABLE_KEY.');
  if (
    !Array.isArray(algorithms) ||
    !algorithms.length ||
    algorithms.some((alg) => !SUPPORTED_ALGORITHMS.includes(alg))
  ) {
    throw configurationError('algorithms', `must be some of ${SUPPORTED_ALGORITHMS}.`, '');
  }
  const tuned = resolveTuning(options);
  tuned.machineTokens.enabled = options.machineTokens?.enabled ?? true;
  tuned.sessionCache.enabled = flag('sessionCache', true);
  return {
    ...keys,
    ...instance,
    ...endpoints,
    frontendApiUrl: endpoints.frontendApiUrl ?? instanceUrl,
    issuers,
    authorizedParties: resolveAuthorizedParties(options.authorizedParties, fromEnv('authorizedParties')),
    missingAuthorizedParty: options.missingAuthorizedParty === 'allow' ? 'allow' : 'reject',
    audience: resolveAudience(options.audience),
    clockSkewInMs: resolveClockSkew(options.clockSkewInMs),
    algorithms: [...algorithms],
    acceptsToken: options.acceptsToken ?? 'session_token',
    treatPendingAsSignedOut: options.treatPendingAsSignedOut ?? true,
    ...tuned,
    store: options.store,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    trustProxyHeaders: flag('trustProxyHeaders', false),
    debug: flag('debug', false),
    handshake: flag('handshake', true),
    now: options.now ?? Date.now,
  };
}

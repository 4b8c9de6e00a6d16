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
  /** How long past freshness keys are still served (stale-while-revalidate, and last-known-good through an outage). Default 24 hours. */
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
  /** Allowed clock skew for `exp`, `nbf` and `iat`. Default 5000. Non-finite or negative values fall back to the default. */
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
const DEFAULT_CLOCK_SKEW_MS = 5000;

type KeyFields = Pick<
  ResolvedConfig,
  'secretKey' | 'machineSecretKey' | 'publishableKey' | 'jwtKey' | 'frontendApiHost' | 'instanceType'
>;

/** The string options that fall back to a variable named after them (see `variableFor`). */
type TextOption =
  | 'secretKey'
  | 'machineSecretKey'
  | 'publishableKey'
  | 'jwtKey'
  | 'apiUrl'
  | 'apiVersion'
  | 'proxyUrl'
  | 'frontendApiUrl';

/**
 * Reads a text option (explicit, else its variable, else `fallback`) and parses it: `parse` returns what to
 * keep, or `false`/undefined for a malformed value, which throws naming the option, `format` and the variable.
 * (`jwtKey` may also be a JWK object.)
 */
type Setting = <T>(
  option: TextOption,
  parse: (value: string) => T | false | undefined,
  format: string,
  fallback?: string,
) => T | undefined;

const URL_FORMAT = 'an http(s) URL';

/** Which keys the instance has: each validated, and at least one way to obtain the instance keys. */
function resolveKeys(setting: Setting): KeyFields {
  const secretKey = setting('secretKey', (key) => /^sk_(test|live)_\S+$/.test(key) && key, 'an sk_test_/sk_live_ key');
  const machineSecretKey = setting('machineSecretKey', (key) => /^ak_\S+$/.test(key) && key, 'an ak_ key');
  const publishableKey = setting('publishableKey', (key) => parsePublishableKey(key) && key, 'a pk_test_/pk_live_ key');
  const jwtKey = setting('jwtKey', validateJwtKey, 'a PEM public key or a public JWK');
  // A machine secret key alone serves routes that accept only (opaque) M2M tokens.
  if (
    secretKey === undefined &&
    jwtKey === undefined &&
    publishableKey === undefined &&
    machineSecretKey === undefined
  ) {
    throw configurationError(
      'secretKey',
      'is missing.',
      'Set CLERK_SECRET_KEY (or CLERK_JWT_KEY, CLERK_PUBLISHABLE_KEY, CLERK_MACHINE_SECRET_KEY).',
      true,
    );
  }
  return {
    secretKey,
    machineSecretKey,
    publishableKey,
    jwtKey,
    ...(publishableKey ? parsePublishableKey(publishableKey) : undefined),
  };
}

/** Where Clerk is: the Backend API, the Frontend API, and the issuers its tokens carry. */
function resolveEndpoints(
  issuer: string | string[] | undefined,
  setting: Setting,
  frontendApiHost: string | undefined,
): Pick<ResolvedConfig, 'apiUrl' | 'apiVersion' | 'frontendApiUrl' | 'issuers'> {
  const apiUrl = setting('apiUrl', parseUrl, URL_FORMAT, DEFAULT_API_URL)!;
  const apiVersion = setting(
    'apiVersion',
    (version) => /^v\d+$/.test(version) && version,
    'like v1',
    DEFAULT_API_VERSION,
  )!;
  const instanceUrl = setting('proxyUrl', parseUrl, URL_FORMAT) ?? (frontendApiHost && `https://${frontendApiHost}`);
  const issuers = issuer === undefined ? (instanceUrl ? [instanceUrl] : undefined) : ([] as string[]).concat(issuer);
  if (issuers === undefined) warnOnce('clerk-edge: iss is not checked; set CLERK_PUBLISHABLE_KEY.');
  return {
    apiUrl,
    apiVersion,
    frontendApiUrl: setting('frontendApiUrl', parseUrl, URL_FORMAT) ?? instanceUrl,
    issuers,
  };
}

/** `algorithms`: a non-empty list of supported asymmetric algorithms, default RS256. */
function resolveAlgorithms(option: unknown): SupportedAlgorithm[] {
  const list = option ?? ['RS256'];
  if (!Array.isArray(list) || !list.length || list.some((alg) => !SUPPORTED_ALGORITHMS.includes(alg))) {
    throw configurationError('algorithms', `must be some of ${SUPPORTED_ALGORITHMS}.`, '');
  }
  return [...list];
}

/**
 * The longest `timeoutMs` honoured: a timer cannot hold more than 2^31-1 ms (a larger delay fires at once,
 * so every call would time out), and the single-flight deadline adds its grace on top.
 */
export const MAX_TIMEOUT_MS = 600_000;

/**
 * Tuning defaults. Counts (`maxEntries`, `maxBytes`) are floored to at least 1; a `timeoutMs` of 0 takes the
 * default, one above {@link MAX_TIMEOUT_MS} is capped there.
 */
const TUNING = {
  keys: { ttlMs: 5 * 60_000, maxStaleMs: 24 * 60 * 60_000, unknownKidCooldownMs: 30_000, timeoutMs: 3000 },
  machineTokens: { ttlMs: 30_000, negativeTtlMs: 5000, maxEntries: 1000, timeoutMs: 5000 },
  sessionCache: { maxEntries: 10_000, maxBytes: 8 * 1024 * 1024 },
};

/** Cache and timeout tuning: every field has a safe default, and a value that is not a finite non-negative number is ignored. */
function resolveTuning(
  options: ClerkEdgeOptions,
  env: EnvironmentRecord,
): Pick<ResolvedConfig, 'keys' | 'machineTokens' | 'sessionCache'> {
  const tuned: Record<string, Record<string, unknown>> = {};
  for (const [group, defaults] of Object.entries(TUNING)) {
    const given = (options[group as keyof typeof TUNING] ?? {}) as Record<string, number | undefined>;
    const values: Record<string, unknown> = {};
    for (const [name, fallback] of Object.entries(defaults)) {
      const value = finiteOr(given[name], fallback);
      values[name] =
        name === 'timeoutMs'
          ? Math.min(value || fallback, MAX_TIMEOUT_MS)
          : /^max[EB]/.test(name)
            ? Math.max(1, Math.floor(value))
            : value;
    }
    tuned[group] = values;
  }
  tuned.machineTokens!.enabled = options.machineTokens?.enabled ?? true;
  tuned.sessionCache!.enabled = booleanSetting(options.sessionCache?.enabled, env, 'sessionCache', true);
  return tuned as unknown as Pick<ResolvedConfig, 'keys' | 'machineTokens' | 'sessionCache'>;
}

/** A boolean option, else its variable: `'true'` turns on a default-off flag, `'false'` turns off a default-on one. */
function booleanSetting(
  value: boolean | undefined,
  env: EnvironmentRecord,
  option: string,
  fallback: boolean,
): boolean {
  return value ?? (environmentString(env, variableFor(option)) === String(!fallback)) !== fallback;
}

/**
 * Resolves options per field (explicit option, then environment, then default) and validates
 * them. Throws {@link ClerkConfigurationError} naming the option and variable at fault.
 */
export function resolveConfig(options: ClerkEdgeOptions = {}): ResolvedConfig {
  const env = options.env ?? platformEnvironment();
  if (typeof globalThis.crypto?.subtle?.importKey !== 'function') {
    throw configurationError('crypto', 'is missing.', 'Use a runtime with WebCrypto.');
  }
  const setting: Setting = (option, parse, format, fallback) => {
    const value = (options[option] as string | undefined) ?? environmentString(env, variableFor(option)) ?? fallback;
    if (value === undefined) return undefined;
    const parsed = parse(value);
    if (parsed === false || parsed === undefined) throw configurationError(option, `must be ${format}.`);
    return parsed;
  };
  const flag = (option: 'trustProxyHeaders' | 'debug' | 'handshake', fallback: boolean) =>
    booleanSetting(options[option], env, option, fallback);
  const keys = resolveKeys(setting);
  return {
    ...keys,
    ...resolveEndpoints(options.issuer, setting, keys.frontendApiHost),
    authorizedParties: resolveAuthorizedParties(options.authorizedParties, env),
    missingAuthorizedParty: options.missingAuthorizedParty === 'allow' ? 'allow' : 'reject',
    audience: resolveAudience(options.audience),
    clockSkewInMs: finiteOr(options.clockSkewInMs, DEFAULT_CLOCK_SKEW_MS),
    algorithms: resolveAlgorithms(options.algorithms),
    acceptsToken: options.acceptsToken ?? 'session_token',
    treatPendingAsSignedOut: options.treatPendingAsSignedOut ?? true,
    ...resolveTuning(options, env),
    store: options.store,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    trustProxyHeaders: flag('trustProxyHeaders', false),
    debug: flag('debug', false),
    handshake: flag('handshake', true),
    now: options.now ?? Date.now,
  };
}

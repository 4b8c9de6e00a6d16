import { CLERK_API_VERSION_HEADER, DEFAULT_API_URL, DEFAULT_API_VERSION } from '../core/config.js';
import type { EnvironmentRecord } from '../core/config.js';
import { ClerkConfigurationError } from '../core/errors.js';

/**
 * A gate that spaces out calls to an endpoint after a 429. `blockedFor` answers how many seconds
 * remain (0: open); `openFor` records a `Retry-After`. Endpoints are `METHOD /path/{template}`.
 * The default is a gate private to one client; pass a shared one to coordinate with other code.
 */
export interface BackoffGate {
  blockedFor(endpoint: string): number;
  openFor(endpoint: string, seconds: number): void;
}

/** Options of {@link createClerkClient}. Each field falls back to its environment variable on its own. */
export interface ClerkClientOptions {
  /** Backend API secret key. Env `CLERK_SECRET_KEY`. */
  secretKey?: string;
  /** Backend API origin. Default `https://api.clerk.com`. Env `CLERK_API_URL`. */
  apiUrl?: string;
  /** Backend API version path segment. Default `v1`. Env `CLERK_API_VERSION`. */
  apiVersion?: string;
  /** The fetch to use. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Timeout of one attempt, headers and body included. Default 10 000 ms. */
  timeoutMs?: number;
  /** Rate-limit back-off shared with other code (see {@link BackoffGate}). Default: one per client. */
  backoff?: BackoffGate;
  /** Environment to read fallbacks from. Default `process.env` where it exists. */
  env?: EnvironmentRecord;
}

/** Options after environment fallbacks and defaults. Internal. */
export interface ResolvedClientOptions {
  secretKey: string;
  baseUrl: string;
  apiVersionHeader: string;
  fetch: typeof fetch;
  timeoutMs: number;
  backoff: BackoffGate;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function fromEnvironment(env: EnvironmentRecord, name: string): string | undefined {
  const value = env[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A gate private to one client: endpoint → time (ms) until which it is closed. */
export function memoryBackoff(now: () => number = Date.now): BackoffGate {
  const until = new Map<string, number>();
  return {
    blockedFor(endpoint) {
      const end = until.get(endpoint);
      if (end === undefined) return 0;
      const left = Math.ceil((end - now()) / 1000);
      if (left <= 0) until.delete(endpoint);
      return Math.max(0, left);
    },
    openFor(endpoint, seconds) {
      if (seconds > 0) until.set(endpoint, now() + seconds * 1000);
    },
  };
}

/** Resolves and checks client options when the client is created; the error names the variable to set. */
export function resolveClientOptions(options: ClerkClientOptions): ResolvedClientOptions {
  const env = options.env ?? (globalThis as { process?: { env?: EnvironmentRecord } }).process?.env ?? {};
  const secretKey = options.secretKey ?? fromEnvironment(env, 'CLERK_SECRET_KEY');
  if (secretKey === undefined) {
    throw new ClerkConfigurationError('secretKey', 'No secret key.', 'Set CLERK_SECRET_KEY or pass `secretKey`.', true);
  }
  if (!/^sk_(test|live)_\S+$/.test(secretKey)) {
    throw new ClerkConfigurationError(
      'secretKey',
      'The secret key is malformed.',
      'Set CLERK_SECRET_KEY to an sk_… key.',
    );
  }
  const apiUrl = options.apiUrl ?? fromEnvironment(env, 'CLERK_API_URL') ?? DEFAULT_API_URL;
  if (!/^https?:\/\/[^/\s]+/i.test(apiUrl)) {
    throw new ClerkConfigurationError('apiUrl', '`apiUrl` is not an http(s) URL.', 'Fix CLERK_API_URL.');
  }
  const apiVersion = options.apiVersion ?? fromEnvironment(env, 'CLERK_API_VERSION') ?? DEFAULT_API_VERSION;
  if (!/^v\d+$/.test(apiVersion)) {
    throw new ClerkConfigurationError('apiVersion', '`apiVersion` must look like "v1".', 'Fix CLERK_API_VERSION.');
  }
  const timeoutMs =
    typeof options.timeoutMs === 'number' && Number.isFinite(options.timeoutMs) && options.timeoutMs > 0
      ? options.timeoutMs
      : DEFAULT_TIMEOUT_MS;
  return {
    secretKey,
    baseUrl: `${apiUrl.replace(/\/+$/, '')}/${apiVersion}`,
    apiVersionHeader: CLERK_API_VERSION_HEADER,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    timeoutMs,
    backoff: options.backoff ?? memoryBackoff(),
  };
}

import { memoryBackoff, type BackoffGate } from '../core/backoff.js';
import { DEFAULT_API_URL, DEFAULT_API_VERSION, MAX_TIMEOUT_MS } from '../core/config.js';
import type { EnvironmentRecord } from '../core/config.js';
import { ClerkConfigurationError } from '../core/errors.js';

export { memoryBackoff, type BackoffGate };

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
  /**
   * Rate-limit back-off shared with other code (see {@link BackoffGate}; endpoints are named
   * `METHOD /path/{template}`). Default: one per client ({@link memoryBackoff}).
   */
  backoff?: BackoffGate;
  /** Environment to read fallbacks from. Default `process.env` where it exists. */
  env?: EnvironmentRecord;
}

/** Options after environment fallbacks and defaults. Internal. */
export interface ResolvedClientOptions {
  secretKey: string;
  baseUrl: string;
  fetch: typeof fetch;
  timeoutMs: number;
  backoff: BackoffGate;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function fromEnvironment(env: EnvironmentRecord, name: string): string | undefined {
  const value = env[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
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
      ? Math.min(options.timeoutMs, MAX_TIMEOUT_MS)
      : DEFAULT_TIMEOUT_MS;
  return {
    secretKey,
    baseUrl: `${apiUrl.replace(/\/+$/, '')}/${apiVersion}`,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    timeoutMs,
    backoff: options.backoff ?? memoryBackoff(),
  };
}

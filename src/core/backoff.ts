import type { ResolvedConfig } from './config.js';
import { DEFAULT_RETRY_AFTER_SECONDS } from './state.js';

/** A `Retry-After` longer than this is capped: a wrong date header must not lock an instance out for hours. */
export const MAX_BACKOFF_SECONDS = 120;

/**
 * The seconds a 429 closes an endpoint for: its `Retry-After` when that is a positive number, capped at
 * {@link MAX_BACKOFF_SECONDS}; otherwise {@link DEFAULT_RETRY_AFTER_SECONDS}. The one rule for the
 * core's gates and `clerk-edge/api`.
 *
 * @example
 * ```ts
 * backoffSeconds(30) // → 30
 * backoffSeconds(86_400) // → 120
 * backoffSeconds(undefined) // → 5
 * ```
 */
export function backoffSeconds(retryAfter: number | undefined): number {
  return (retryAfter as number) > 0 ? Math.min(retryAfter as number, MAX_BACKOFF_SECONDS) : DEFAULT_RETRY_AFTER_SECONDS;
}

/**
 * A gate that spaces out calls to an endpoint after a 429. `blockedFor` answers how many seconds
 * remain (0: open); `openFor` records a `Retry-After`. Endpoints are named `METHOD /path/{template}`
 * as the spec names them (`GET /jwks`, `POST /api_keys/verify`), by the core and `clerk-edge/api` alike.
 */
export interface BackoffGate {
  blockedFor(endpoint: string): number;
  openFor(endpoint: string, seconds: number): void;
}

/** The gate {@link memoryBackoff} makes: `openFor` also answers how long the endpoint is now closed. */
export interface MemoryBackoff extends BackoffGate {
  openFor(endpoint: string, seconds?: number): number;
}

/**
 * A rate-limit back-off kept in memory, per endpoint. `openFor` closes an endpoint for
 * {@link backoffSeconds} of the wait it is given (never shortening a back-off already open) and
 * returns the seconds it is now closed for; while it is closed, callers make no call to that
 * endpoint. The default gate of a `clerk-edge/api` client, and (see {@link instanceBackoff}) of each
 * authenticator.
 *
 * @example
 * ```ts
 * const gate = memoryBackoff()
 * gate.openFor('POST /api_keys/verify', 7)
 * gate.blockedFor('POST /api_keys/verify') // → 7
 * gate.blockedFor('GET /jwks') // → 0
 * ```
 */
export function memoryBackoff(now: () => number = Date.now): MemoryBackoff {
  const until = new Map<string, number>();
  const blockedFor = (endpoint: string) => Math.max(0, Math.ceil(((until.get(endpoint) ?? 0) - now()) / 1000));
  return {
    blockedFor,
    openFor(endpoint, seconds) {
      until.set(endpoint, Math.max(until.get(endpoint) ?? 0, now() + backoffSeconds(seconds) * 1000));
      return blockedFor(endpoint);
    },
  };
}

const gates = new WeakMap<ResolvedConfig, MemoryBackoff>();

/**
 * The back-off of the instance a resolved configuration describes, created once per
 * configuration (that is, per authenticator) on the configuration's clock, and shared by its key
 * store, machine-token verifier, session refresh and Backend API client.
 *
 * @example
 * ```ts
 * const clerk = createClerkAuth({ secretKey })
 * instanceBackoff(clerk.config).blockedFor('POST /api_keys/verify')
 * ```
 */
export function instanceBackoff(config: ResolvedConfig): MemoryBackoff {
  return gates.get(config) ?? (gates.set(config, memoryBackoff(config.now)).get(config) as MemoryBackoff);
}

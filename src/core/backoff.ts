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
  return typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter > 0
    ? Math.min(retryAfter, MAX_BACKOFF_SECONDS)
    : DEFAULT_RETRY_AFTER_SECONDS;
}

/**
 * A rate-limit back-off for one Clerk instance, per Backend API endpoint. A 429 opens it for the
 * answer's `Retry-After` (default {@link DEFAULT_RETRY_AFTER_SECONDS}, at most
 * {@link MAX_BACKOFF_SECONDS}); while it is open, callers make no call to that endpoint and answer
 * `unavailable` / `rate-limited` with the remaining wait. Every authenticator has one (see
 * {@link instanceBackoff}), shared by its key store and machine-token verifier, so a Backend API
 * client built from the same configuration can honour the same back-off.
 *
 * @example
 * ```ts
 * const gate = new BackoffGate()
 * gate.openFor('api_keys/verify', 7)
 * gate.blockedFor('api_keys/verify') // → 7
 * gate.blockedFor('jwks') // → 0
 * ```
 */
export class BackoffGate {
  readonly #until = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Seconds (rounded up) until `endpoint` may be called again; 0 when it may be called now. */
  blockedFor(endpoint: string): number {
    const until = this.#until.get(endpoint);
    if (until === undefined) return 0;
    const remainingMs = until - this.#now();
    if (remainingMs <= 0) {
      this.#until.delete(endpoint);
      return 0;
    }
    return Math.ceil(remainingMs / 1000);
  }

  /**
   * Blocks `endpoint` for `seconds` (a missing or invalid value means the default), never
   * shortening a back-off already open. Returns the seconds it is now blocked for.
   */
  openFor(endpoint: string, seconds: number | undefined): number {
    const until = this.#now() + backoffSeconds(seconds) * 1000;
    if (until > (this.#until.get(endpoint) ?? 0)) this.#until.set(endpoint, until);
    return this.blockedFor(endpoint);
  }
}

const gates = new WeakMap<ResolvedConfig, BackoffGate>();

/**
 * The back-off of the instance a resolved configuration describes, created once per
 * configuration (that is, per authenticator) on the configuration's clock.
 *
 * @example
 * ```ts
 * const clerk = createClerkAuth({ secretKey })
 * instanceBackoff(clerk.config).blockedFor('api_keys/verify')
 * ```
 */
export function instanceBackoff(config: ResolvedConfig): BackoffGate {
  let gate = gates.get(config);
  if (!gate) {
    gate = new BackoffGate(config.now);
    gates.set(config, gate);
  }
  return gate;
}

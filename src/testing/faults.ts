import type { ClerkResourceRoute } from './resources/index.js';
import type { ClerkEmulatorRoute as CoreRoute } from './routes.js';

type ClerkEmulatorRoute = CoreRoute | ClerkResourceRoute;

/**
 * A fault injected into one emulator route. Kinds combine: `delayMs` runs first, then the first of
 * `drop`, `malformed`, `status` that is set decides the answer; a fault with only `delayMs` delays
 * the normal answer. Faults act before authentication is checked, and faulted requests are still
 * recorded in `requests`.
 */
export interface FaultSpec {
  /** Answer with this status instead of handling the request. */
  status?: number;
  /** Body for `status` (objects are sent as JSON, strings as-is); default: a ClerkErrors body fitting the status. */
  body?: unknown;
  /** Extra response headers for `status` / `malformed` answers, e.g. `{ 'Retry-After': '3' }`. */
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer 200 (or `status`) with a `Content-Type: application/json` body that is not valid JSON. */
  malformed?: boolean;
  /** Destroy the connection without sending any response. */
  drop?: boolean;
  /** Apply to this many requests, then clear itself; default: until {@link ClerkEmulator.clearFaults}. */
  times?: number;
}

/** The faults currently armed, by route. */
export class FaultTable {
  readonly #faults = new Map<ClerkEmulatorRoute, FaultSpec & { remaining: number }>();

  set(route: ClerkEmulatorRoute, spec: FaultSpec): void {
    const remaining = spec.times ?? Number.POSITIVE_INFINITY;
    if (!(remaining > 0)) {
      this.#faults.delete(route);
      return;
    }
    this.#faults.set(route, { ...spec, remaining });
  }

  clear(route?: ClerkEmulatorRoute): void {
    if (route === undefined) this.#faults.clear();
    else this.#faults.delete(route);
  }

  /** The fault to apply to one request on `route`, counting it against `times`. */
  take(route: ClerkEmulatorRoute): FaultSpec | undefined {
    const fault = this.#faults.get(route);
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults.delete(route);
    return fault;
  }
}

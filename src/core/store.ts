/**
 * A shared, second-level store for keys and machine-token verdicts (Workers Cache API, KV, or
 * anything with get/set). Values are JSON-serialisable. Implementations may drop entries at
 * any time; a miss only costs a fetch.
 *
 * @example
 * ```ts
 * const store: CacheStore = {
 *   async get(key) { return map.get(key) },
 *   async set(key, value, ttlSeconds) { map.set(key, value) },
 * }
 * createClerkAuth({ store })
 * ```
 */
export interface CacheStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
}

/**
 * A least-recently-used map with per-entry expiry, bounded by entries and, when `maxBytes` is
 * given, by the sizes callers declare for their entries. Internal.
 */
export class LruCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number; bytes: number }>();
  #bytes = 0;
  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.delete(key);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` for `ttlMs`; `bytes` is its estimated size (an entry larger than the whole budget is not kept). */
  set(key: string, value: V, ttlMs: number, bytes = 0): void {
    if (!(ttlMs > 0) || bytes > this.maxBytes) return;
    this.delete(key);
    this.#entries.set(key, { value, expiresAt: this.now() + ttlMs, bytes });
    this.#bytes += bytes;
    while (this.#entries.size > this.maxEntries || this.#bytes > this.maxBytes) {
      this.delete(this.#entries.keys().next().value as string);
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The sum of the sizes declared for the entries kept. */
  get bytes(): number {
    return this.#bytes;
  }
}

/** How much longer than a call's own timeout a joiner waits for a shared flight (covers a store write after the call). */
export const FLIGHT_GRACE_MS = 1000;

interface Flight<V> {
  promise: Promise<V>;
  /** Wall-clock time after which the flight is presumed dead. */
  deadline: number;
}

/**
 * Shares one in-flight promise per key, so concurrent callers cause one call. The entry is
 * removed when the promise settles. Internal.
 *
 * With a finite `maxWaitMs`, callers that join a flight someone else started wait at most that
 * long (measured from the flight's start), then drop it and run the task themselves. This is
 * for workerd: a promise whose I/O belongs to another request never settles once that request
 * ends or is cancelled, and a joiner would otherwise hang. Tasks must therefore resolve to
 * plain data (never a `Response` or stream). `maxWaitMs` should exceed the task's own timeout.
 */
export class SingleFlight<V> {
  readonly #inflight = new Map<string, Flight<V>>();
  readonly #maxWaitMs: number;

  constructor(maxWaitMs = Number.POSITIVE_INFINITY) {
    this.#maxWaitMs = maxWaitMs;
  }

  run(key: string, task: () => Promise<V>): Promise<V> {
    const existing = this.#live(key);
    if (existing) return this.#join(key, existing, task);
    const flight: Flight<V> = { promise: undefined as unknown as Promise<V>, deadline: Date.now() + this.#maxWaitMs };
    flight.promise = task().finally(() => {
      if (this.#inflight.get(key) === flight) this.#inflight.delete(key);
    });
    this.#inflight.set(key, flight);
    return flight.promise;
  }

  has(key: string): boolean {
    return this.#live(key) !== undefined;
  }

  /** The flight for `key`, unless it outlived its deadline (its promise may never settle). */
  #live(key: string): Flight<V> | undefined {
    const flight = this.#inflight.get(key);
    if (flight && Date.now() >= flight.deadline) {
      this.#inflight.delete(key);
      return undefined;
    }
    return flight;
  }

  #join(key: string, flight: Flight<V>, task: () => Promise<V>): Promise<V> {
    if (!Number.isFinite(this.#maxWaitMs)) return flight.promise;
    return new Promise<V>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          if (this.#inflight.get(key) === flight) this.#inflight.delete(key);
          this.run(key, task).then(resolve, reject);
        },
        Math.max(0, flight.deadline - Date.now()),
      );
      flight.promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}

/**
 * An in-memory {@link CacheStore}, useful to share one store between several `createClerkAuth`
 * instances in one process, and in tests.
 *
 * @example
 * ```ts
 * const store = new MemoryStore()
 * const auth = createClerkAuth({ secretKey, store })
 * ```
 */
export class MemoryStore implements CacheStore {
  readonly #cache: LruCache<unknown>;
  constructor(options: { maxEntries?: number; now?: () => number } = {}) {
    this.#cache = new LruCache(options.maxEntries ?? 10_000, options.now ?? Date.now);
  }
  async get(key: string): Promise<unknown> {
    return this.#cache.get(key);
  }
  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.#cache.set(key, value, ttlSeconds * 1000);
  }
}

/** SHA-256 of a string, hex. Used to key caches by a token without keeping the token. */
export async function sha256Hex(value: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

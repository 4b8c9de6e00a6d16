import { LruCache } from './lru.js';

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

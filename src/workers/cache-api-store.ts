import type { CacheStore } from '../core/store.js';
import { seal, unseal, validTtl } from './envelope.js';

/** Options of {@link CacheApiStore}. */
export interface CacheApiStoreOptions {
  /**
   * Use `caches.open(cacheName)` instead of `caches.default`. Default: `caches.default`.
   */
  cacheName?: string;
  /**
   * A `Cache` to use instead of the global one (or a function returning it, called per
   * operation). For tests and for caches you manage yourself.
   */
  cache?: Cache | (() => Cache | Promise<Cache>);
  /**
   * Origin of the synthetic URLs entries are kept under. Entries never leave this data center's
   * cache and are never served to clients. Default `https://clerk-edge.cache`.
   */
  baseUrl?: string;
}

/** The Workers global `caches`, which has a `default` cache besides the standard methods. */
type WorkersCacheStorage = CacheStorage & { default?: Cache };

/**
 * A {@link CacheStore} on the Workers Cache API, shared by every isolate of the data center.
 * Used by `withClerk` by default, behind the in-memory cache: a new isolate picks up the
 * instance keys (and machine-token verdicts) from here instead of calling Clerk.
 *
 * Entries are JSON kept under synthetic URLs with `Cache-Control: max-age`, and carry their own
 * expiry so none is used past its TTL. Every failure is a cache miss, never an error. The Cache
 * API does nothing on `*.workers.dev` and in the dashboard preview: use {@link KvStore} there.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { clerkMiddleware } from 'clerk-edge/hono'
 * import { CacheApiStore } from 'clerk-edge/workers'
 *
 * const app = new Hono()
 * app.use(clerkMiddleware({ store: new CacheApiStore() }))
 * ```
 */
export class CacheApiStore implements CacheStore {
  readonly #options: CacheApiStoreOptions;
  readonly #baseUrl: string;

  constructor(options: CacheApiStoreOptions = {}) {
    this.#options = options;
    this.#baseUrl = (options.baseUrl ?? 'https://clerk-edge.cache').replace(/\/+$/, '');
  }

  /**
   * Whether this runtime has a Cache API at all (workerd does; Node does not).
   *
   * @example
   * ```ts
   * const store = CacheApiStore.isAvailable() ? new CacheApiStore() : new MemoryStore()
   * ```
   */
  static isAvailable(): boolean {
    const storage = (globalThis as { caches?: WorkersCacheStorage }).caches;
    return typeof storage === 'object' && storage !== null && typeof storage.open === 'function';
  }

  async get(key: string): Promise<unknown> {
    try {
      const cache = await this.#cache();
      const response = await cache?.match(this.#url(key));
      if (!response) return undefined;
      return unseal(await response.json());
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    if (!validTtl(ttlSeconds)) return;
    try {
      const cache = await this.#cache();
      if (!cache) return;
      const maxAge = Math.max(1, Math.ceil(ttlSeconds));
      const response = new Response(seal(value, ttlSeconds), {
        headers: { 'content-type': 'application/json', 'cache-control': `max-age=${maxAge}` },
      });
      await cache.put(this.#url(key), response);
    } catch {
      // A cache that cannot be written only costs a fetch later.
    }
  }

  #url(key: string): string {
    return `${this.#baseUrl}/${encodeURIComponent(key)}`;
  }

  /** Opened per operation: a `Cache` object is not carried from one request to the next. */
  async #cache(): Promise<Cache | undefined> {
    const { cache, cacheName } = this.#options;
    if (cache !== undefined) return typeof cache === 'function' ? cache() : cache;
    const storage = (globalThis as { caches?: WorkersCacheStorage }).caches;
    if (!storage) return undefined;
    if (cacheName !== undefined) return storage.open(cacheName);
    return storage.default ?? storage.open('default');
  }
}

import type { CacheStore } from '../core/store.js';
import { seal, unseal, validTtl } from './envelope.js';

/**
 * The part of a Workers KV namespace binding the store uses. A `KVNamespace` from
 * `@cloudflare/workers-types` fits.
 */
export interface KvNamespaceLike {
  get(key: string, type: 'json'): Promise<unknown>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
}

/** Options of {@link KvStore}. */
export interface KvStoreOptions {
  /** Prefix of every key written. Default `''` (keys already start with `clerk-edge:`). */
  prefix?: string;
}

/** KV refuses `expirationTtl` below 60 seconds. */
const KV_MIN_TTL_SECONDS = 60;

/**
 * A {@link CacheStore} on Workers KV: shared by every isolate in every location, eventually
 * consistent (a write can take up to a minute to show elsewhere). Suits the instance keys,
 * which change rarely; each new machine token also costs one KV write, so mind the plan's write
 * limits. KV keeps entries at least 60 s; each entry carries its own expiry so none is used past
 * the TTL the core asked for. Every failure is a cache miss, never an error.
 *
 * @example
 * ```ts
 * // wrangler.toml: [[kv_namespaces]] binding = "CLERK_CACHE", id = "…"
 * import { withClerk, KvStore } from 'clerk-edge/workers'
 *
 * export default withClerk((request, env, ctx, clerk) => new Response(clerk.auth.userId ?? 'signed out'), {
 *   store: (env) => new KvStore(env.CLERK_CACHE),
 * })
 * ```
 */
export class KvStore implements CacheStore {
  readonly #namespace: KvNamespaceLike;
  readonly #prefix: string;

  constructor(namespace: KvNamespaceLike, options: KvStoreOptions = {}) {
    if (typeof namespace?.get !== 'function' || typeof namespace.put !== 'function') {
      throw new TypeError(
        'KvStore needs a KV namespace binding, e.g. new KvStore(env.CLERK_CACHE). Check [[kv_namespaces]] in wrangler.toml.',
      );
    }
    this.#namespace = namespace;
    this.#prefix = options.prefix ?? '';
  }

  async get(key: string): Promise<unknown> {
    try {
      return unseal(await this.#namespace.get(this.#prefix + key, 'json'));
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    if (!validTtl(ttlSeconds)) return;
    try {
      const expirationTtl = Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ttlSeconds));
      await this.#namespace.put(this.#prefix + key, seal(value, ttlSeconds), { expirationTtl });
    } catch {
      // Write limits or a transient KV error only cost a fetch later.
    }
  }
}

/** A kept value: the value, when it expires (ms), and its declared size. */
type Entry<V> = [value: V, expiresAt: number, bytes: number];

/**
 * A least-recently-used map with per-entry expiry, bounded by entries and, when `maxBytes` is
 * given, by the sizes callers declare for their entries. Internal.
 */
export interface LruCache<V> {
  get(key: string): V | undefined;
  /** Keeps `value` for `ttlMs`; `bytes` is its estimated size (an entry larger than the whole budget is not kept). */
  set(key: string, value: V, ttlMs: number, bytes?: number): void;
  delete(key: string): void;
  readonly size: number;
  /** The sum of the sizes declared for the entries kept. */
  readonly bytes: number;
}

/**
 * Creates an {@link LruCache} (`new LruCache(maxEntries, now, maxBytes?)`). Closures rather than a
 * class: the bundle carries no `this.#field` for every access. Internal.
 *
 * @example
 * ```ts
 * const cache = new LruCache<string>(1000, Date.now)
 * cache.set('key', 'value', 60_000)
 * ```
 */
// biome-ignore lint/complexity/useArrowFunction: callers construct it with `new`.
export const LruCache = function <V>(maxEntries: number, now: () => number, maxBytes = Infinity): LruCache<V> {
  const entries = new Map<string, Entry<V>>();
  let bytes = 0;
  /** The most recently used key: a hit on it needs no reordering (the repeated-token path). */
  let newest: string | undefined;
  const remove = (key: string) => {
    const entry = entries.get(key);
    if (entry === undefined) return;
    entries.delete(key);
    if (key === newest) newest = undefined;
    bytes -= entry[2];
  };
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry[1] <= now()) {
        remove(key);
        return undefined;
      }
      if (key !== newest) {
        entries.delete(key);
        entries.set(key, entry);
        newest = key;
      }
      return entry[0];
    },
    set(key, value, ttlMs, size = 0) {
      if (!(ttlMs > 0) || size > maxBytes) return;
      remove(key);
      entries.set(key, [value, now() + ttlMs, size]);
      newest = key;
      bytes += size;
      while (entries.size > maxEntries || bytes > maxBytes) remove(entries.keys().next().value as string);
    },
    delete: remove,
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
  };
} as unknown as new <V>(
  maxEntries: number,
  now: () => number,
  maxBytes?: number,
) => LruCache<V>;

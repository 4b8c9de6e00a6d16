/** A kept value: the value, when it expires (ms), and its declared size. */
type Entry<V> = [value: V, expiresAt: number, bytes: number];

/**
 * A least-recently-used map with per-entry expiry, bounded by entries and, when `maxBytes` is
 * given, by the sizes callers declare for their entries. Internal.
 */
export class LruCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #maxBytes: number;
  #bytes = 0;
  /** The most recently used key: a hit on it needs no reordering (the repeated-token path). */
  #newest: string | undefined;

  constructor(maxEntries: number, now: () => number, maxBytes = Infinity) {
    this.#maxEntries = maxEntries;
    this.#now = now;
    this.#maxBytes = maxBytes;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry[1] <= this.#now()) {
      this.delete(key);
      return undefined;
    }
    if (key !== this.#newest) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#newest = key;
    }
    return entry[0];
  }

  /** Keeps `value` for `ttlMs`; `bytes` is its estimated size (an entry larger than the whole budget is not kept). */
  set(key: string, value: V, ttlMs: number, bytes = 0): void {
    if (!(ttlMs > 0) || bytes > this.#maxBytes) return;
    this.delete(key);
    this.#entries.set(key, [value, this.#now() + ttlMs, bytes]);
    this.#newest = key;
    this.#bytes += bytes;
    while (this.#entries.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      this.delete(this.#entries.keys().next().value as string);
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    if (key === this.#newest) this.#newest = undefined;
    this.#bytes -= entry[2];
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The sum of the sizes declared for the entries kept. */
  get bytes(): number {
    return this.#bytes;
  }
}

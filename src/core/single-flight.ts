import { LruCache } from './lru.js';

/** How much longer than a call's own timeout a joiner waits for a shared flight (covers a store write after the call). */
export const FLIGHT_GRACE_MS = 1000;

/** A shared call: its promise, and the wall-clock time after which it is presumed dead. */
type Flight<V> = [promise: Promise<V>, deadline: number];

/**
 * Shares one in-flight promise per key, so concurrent callers cause one call. The entry is
 * removed when the promise settles. Internal.
 *
 * Callers that join a flight someone else started wait at most `maxWaitMs` (measured from the
 * flight's start), then drop it and run the task themselves. This is for workerd: a promise whose
 * I/O belongs to another request never settles once that request ends or is cancelled, and a
 * joiner would otherwise hang. Tasks must therefore resolve to plain data (never a `Response` or
 * stream). `maxWaitMs` should exceed the task's own timeout.
 */
export interface SingleFlight<V> {
  run(key: string, task: () => Promise<V>): Promise<V>;
  has(key: string): boolean;
}

/**
 * Creates a {@link SingleFlight} (`new SingleFlight(maxWaitMs)`). Closures rather than a class: the
 * bundle carries no `this.#field` for every access. Internal.
 *
 * @example
 * ```ts
 * const flight = new SingleFlight<number>(6000)
 * const [a, b] = await Promise.all([flight.run('k', fetchCount), flight.run('k', fetchCount)]) // one call
 * ```
 */
// biome-ignore lint/complexity/useArrowFunction: callers construct it with `new`.
export const SingleFlight = function <V>(maxWaitMs: number): SingleFlight<V> {
  // An LRU entry expires at the flight's deadline: past it, `get` no longer finds the flight (its promise
  // may never settle) and a new run replaces it. Unbounded: a flight leaves when it settles.
  const flights = new LruCache<Flight<V>>(Infinity, () => Date.now());
  const run = (key: string, task: () => Promise<V>): Promise<V> => {
    const joined = flights.get(key);
    if (joined)
      return new Promise<V>((resolve, reject) => {
        // Past the deadline `get` no longer finds it: this run starts (or joins) a newer flight.
        const timer = setTimeout(() => run(key, task).then(resolve, reject), joined[1] - Date.now());
        joined[0].finally(() => clearTimeout(timer)).then(resolve, reject);
      });
    // Settled, it is forgotten, unless a newer flight already replaced it.
    const flight: Flight<V> = [
      task().finally(() => flights.get(key) === flight && flights.delete(key)),
      Date.now() + maxWaitMs,
    ];
    flights.set(key, flight, maxWaitMs);
    return flight[0];
  };
  return { run, has: (key) => !!flights.get(key) };
} as unknown as new <V>(
  maxWaitMs: number,
) => SingleFlight<V>;

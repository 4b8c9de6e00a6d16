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
  const flights = new Map<string, Flight<V>>();
  /** The flight for `key`, unless it outlived its deadline (its promise may never settle: a new run replaces it). */
  const live = (key: string) => {
    const flight = flights.get(key);
    return (flight?.[1] as number) > Date.now() && flight;
  };
  const run = (key: string, task: () => Promise<V>): Promise<V> => {
    const joined = live(key);
    if (joined)
      return new Promise<V>((resolve, reject) => {
        // Past the deadline `live` no longer finds it: this run starts (or joins) a newer flight.
        const timer = setTimeout(() => run(key, task).then(resolve, reject), joined[1] - Date.now());
        joined[0].finally(() => clearTimeout(timer)).then(resolve, reject);
      });
    // Settled, it is forgotten, unless a newer flight already replaced it.
    const flight: Flight<V> = [
      task().finally(() => flights.get(key) === flight && flights.delete(key)),
      Date.now() + maxWaitMs,
    ];
    flights.set(key, flight);
    return flight[0];
  };
  return { run, has: (key) => !!live(key) };
} as unknown as new <V>(
  maxWaitMs: number,
) => SingleFlight<V>;

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
export class SingleFlight<V> {
  readonly #flights = new Map<string, Flight<V>>();
  readonly #maxWaitMs: number;

  constructor(maxWaitMs: number) {
    this.#maxWaitMs = maxWaitMs;
  }

  run(key: string, task: () => Promise<V>): Promise<V> {
    const joined = this.#live(key);
    if (joined)
      return new Promise<V>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#drop(key, joined);
          this.run(key, task).then(resolve, reject);
        }, joined[1] - Date.now());
        joined[0].finally(() => clearTimeout(timer)).then(resolve, reject);
      });
    const flight: Flight<V> = [task().finally(() => this.#drop(key, flight)), Date.now() + this.#maxWaitMs];
    this.#flights.set(key, flight);
    return flight[0];
  }

  has(key: string): boolean {
    return this.#live(key) !== undefined;
  }

  /** Forgets `flight`, unless a newer flight for `key` replaced it. */
  #drop(key: string, flight: Flight<V>): void {
    if (this.#flights.get(key) === flight) this.#flights.delete(key);
  }

  /** The flight for `key`, unless it outlived its deadline (its promise may never settle). */
  #live(key: string): Flight<V> | undefined {
    const flight = this.#flights.get(key);
    if (flight && Date.now() >= flight[1]) {
      this.#drop(key, flight);
      return undefined;
    }
    return flight;
  }
}

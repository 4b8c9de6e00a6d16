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

// A small, careful timing harness: every contender gets the same warm-up, the same inputs and
// the same number of timed operations; contenders' batches alternate so drift and outside load
// (thermal, other processes on the machine) spread evenly; each operation is awaited on its own
// (latency, not throughput) and timed with `process.hrtime.bigint()`.

/** Statistics of one contender over all its rounds. Times in microseconds. */
export interface Timing {
  /**
   * The headline time per operation: the median over all batches of each batch's mean.
   * Batches of different contenders alternate, so a burst of outside load lands on a batch of
   * every contender and the median discards it; a contender's own steady costs (GC, thread
   * pool hops) are in every batch and stay in the number.
   */
  meanUs: number;
  /** Plain mean over every timed operation (outliers included). */
  rawMeanUs: number;
  /** Median and 99th percentile over every timed operation of every round. */
  p50Us: number;
  p99Us: number;
  /** Operations per second implied by `meanUs` (one at a time). */
  opsPerSecond: number;
  iterations: number;
  rounds: number;
  batches: number;
}

/** One contender's work for one round: a fresh instance, its warm-up and timed operations. */
export interface Round {
  /** Called for `warmup` indexes before timing (e.g. JIT, key fetch and import). */
  warm(index: number): Promise<unknown>;
  /** Called for `batches × batchSize` indexes, each timed on its own. Must throw if the outcome is wrong. */
  op(index: number): Promise<unknown>;
}

export interface Contender {
  id: string;
  /** Builds the round: a new middleware/authenticator instance, so no cache carries over. */
  setup(round: number): Promise<Round> | Round;
}

export interface MeasureOptions {
  warmup: number;
  /** Batches per round; batches of all contenders alternate. */
  batches: number;
  batchSize: number;
  rounds: number;
}

const maybeGc = (globalThis as { gc?: () => void }).gc;

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Measures several contenders on the same inputs. Each round builds a fresh instance of every
 * contender and warms each one up the same way; then timed batches alternate between
 * contenders (the order rotates every batch), each operation awaited and timed on its own
 * with `process.hrtime.bigint()`. Returns one {@link Timing} per contender id.
 */
export async function measure(contenders: Contender[], options: MeasureOptions): Promise<Map<string, Timing>> {
  const perRound = options.batches * options.batchSize;
  const samples = new Map<string, Float64Array>();
  const batchMeans = new Map<string, number[]>();
  for (const contender of contenders) {
    samples.set(contender.id, new Float64Array(perRound * options.rounds));
    batchMeans.set(contender.id, []);
  }

  for (let round = 0; round < options.rounds; round++) {
    const work = new Map<string, Round>();
    for (const contender of contenders) {
      const instance = await contender.setup(round);
      for (let i = 0; i < options.warmup; i++) await instance.warm(i);
      work.set(contender.id, instance);
    }
    maybeGc?.();
    for (let batch = 0; batch < options.batches; batch++) {
      const shift = round * options.batches + batch;
      for (let c = 0; c < contenders.length; c++) {
        const contender = contenders[(c + shift) % contenders.length]!;
        const instance = work.get(contender.id)!;
        const store = samples.get(contender.id)!;
        const first = batch * options.batchSize;
        let total = 0n;
        for (let i = first; i < first + options.batchSize; i++) {
          const start = process.hrtime.bigint();
          await instance.op(i);
          const elapsed = process.hrtime.bigint() - start;
          total += elapsed;
          store[round * perRound + i] = Number(elapsed) / 1000;
        }
        batchMeans.get(contender.id)!.push(Number(total) / 1000 / options.batchSize);
      }
    }
  }

  const timings = new Map<string, Timing>();
  for (const contender of contenders) {
    const all = samples.get(contender.id)!;
    const sorted = all.slice().sort();
    const meanUs = median(batchMeans.get(contender.id)!);
    timings.set(contender.id, {
      meanUs,
      rawMeanUs: all.reduce((sum, value) => sum + value, 0) / all.length,
      p50Us: percentile(sorted, 0.5),
      p99Us: percentile(sorted, 0.99),
      opsPerSecond: 1e6 / meanUs,
      iterations: perRound * options.rounds,
      rounds: options.rounds,
      batches: options.batches * options.rounds,
    });
  }
  return timings;
}

/** Throws when `condition` is false: a benchmark that measures a failure measures nothing. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`bench: ${message}`);
}

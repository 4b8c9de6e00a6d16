// What every bench section shares: the command line, the settings, the rows of the report and
// how numbers are written. Sections push rows here; run.ts prints them and writes the JSON.
import type { ClerkEdgeVariant } from './fixtures.js';
import type { Timing } from './harness.js';
import type { ProfileSummary } from './profile.js';

export const SECTIONS = [
  'token',
  'request',
  'hono',
  'http',
  'herd',
  'machine',
  'handshake',
  'template',
  'pageload',
  'bundle',
] as const;
export type Section = (typeof SECTIONS)[number];

const argv = process.argv.slice(2);
export const quick = argv.includes('--quick');
export const forceProfile = argv.includes('--profile');
const sectionsArg = argv.find((arg) => arg.startsWith('--sections='));
export const sections = new Set<Section>(
  sectionsArg ? (sectionsArg.slice('--sections='.length).split(',') as Section[]) : SECTIONS,
);
for (const section of sections)
  if (!(SECTIONS as readonly string[]).includes(section))
    throw new Error(`bench: unknown section "${section}"; known: ${SECTIONS.join(',')}`);

export const SETTINGS = quick
  ? {
      warmup: 500,
      batches: 8,
      batchSize: 50,
      rounds: 3,
      httpWarmupS: 1,
      httpRounds: 3,
      httpSliceS: 1,
      httpFreshWarm: 500,
      httpFreshTimed: 4500,
      connections: 10,
      profileMs: 1500,
      /** Handshake return trips and page loads: each op costs Backend/Frontend API round trips. */
      trip: { warmup: 10, batches: 6, batchSize: 10, rounds: 2 },
      templateRounds: 3,
    }
  : {
      warmup: 500,
      batches: 20,
      batchSize: 50,
      rounds: 5,
      httpWarmupS: 2,
      httpRounds: 5,
      httpSliceS: 2,
      httpFreshWarm: 1000,
      httpFreshTimed: 15000,
      connections: 10,
      profileMs: 4000,
      trip: { warmup: 20, batches: 10, batchSize: 10, rounds: 3 },
      templateRounds: 10,
    };

export const ITERATIONS = SETTINGS.batches * SETTINGS.batchSize;
export const HERD = 100;
export const MACHINE_REQUESTS = 200;

export type Level =
  | 'Token'
  | 'Request'
  | 'Hono'
  | 'HTTP'
  | 'Cold herd'
  | 'Machine tokens'
  | 'Handshake return'
  | 'Template tokens'
  | 'Page load'
  | 'Bundle';
export type TokenMode = 'fresh' | 'repeated';

export interface Row {
  id: string;
  level: Level;
  contender: string;
  token: string;
  /** What the row measures, in one sentence (also in docs/performance.md). */
  measures: string;
  mean: string;
  p50: string;
  p99: string;
  vsAnchor: string;
  data: Record<string, unknown>;
}

export const rows: Row[] = [];
export const profiles: ProfileSummary[] = [];
export const startedAt = Date.now();

export const log = (message: string) =>
  process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}\n`);
export const ms = (us: number) => `${(us / 1000).toFixed(3)} ms`;
export const times = (ratio: number) => `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
export const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
/** `us` against an anchor's time: "N× faster", or "N× slower" when it is. */
export const speed = (us: number, anchorUs: number) =>
  us <= anchorUs ? `${times(anchorUs / us)} faster` : `${times(us / anchorUs)} slower`;
/** `us` against an anchor's time: "N× faster than <name>", or "N× slower than <name>" when it is. */
export const relative = (us: number, anchorUs: number, name: string) => `${speed(us, anchorUs)} than ${name}`;
/** A timing against its anchor's, by mean and by p50 (the rows with few, slow operations move by either). */
export const versus = (timing: Timing, anchor: Timing, name: string) =>
  `${relative(timing.meanUs, anchor.meanUs, name)} (by p50: ${speed(timing.p50Us, anchor.p50Us)})`;
export const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** Pushes a row of in-process timings (mean, p50, p99) and returns it. */
export function timingRow(
  level: Level,
  id: string,
  contender: string,
  token: string,
  measures: string,
  timing: Timing,
  vsAnchor: string,
): Row {
  const row: Row = {
    id,
    level,
    contender,
    token,
    measures,
    mean: ms(timing.meanUs),
    p50: ms(timing.p50Us),
    p99: ms(timing.p99Us),
    vsAnchor,
    data: { ...timing },
  };
  rows.push(row);
  return row;
}

/** The timing of a row pushed earlier in this run. */
export function timingOf(id: string): Timing | undefined {
  return rows.find((row) => row.id === id)?.data as Timing | undefined;
}

/** The data of a counted row pushed earlier in this run. */
export function rowData<T>(id: string): T | undefined {
  return rows.find((row) => row.id === id)?.data as T | undefined;
}

export const variantName = (base: string, variant: ClerkEdgeVariant) =>
  variant.label ? `${base} (${variant.label})` : base;

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Runs `work` with console.error silenced (an SDK that logs every refused nonce); returns how often it logged. */
export async function quietErrors<T>(work: () => Promise<T>): Promise<{ result: T; errorsLogged: number }> {
  const original = console.error;
  let errorsLogged = 0;
  console.error = () => {
    errorsLogged++;
  };
  try {
    return { result: await work(), errorsLogged };
  } finally {
    console.error = original;
  }
}

// The report: a markdown table of every row (stdout) and the same numbers, with the settings,
// versions and load average, as JSON under bench/results/.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ITERATIONS, profiles, quick, rows, SETTINGS } from './context.js';
import type { SessionCacheSupport } from './fixtures.js';
import { formatProfile } from './profile.js';
import type { Target } from './targets.js';

export const loadAtStart = loadavg()[0]!;

function versionOf(name: string): string {
  try {
    const path = fileURLToPath(new URL(`../node_modules/${name}/package.json`, import.meta.url));
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** What the rows measure: one line per distinct sentence, naming the rows (by contender) that share it. */
function measuresTable(): string[] {
  const entries = new Map<string, { level: string; measures: string; contenders: string[] }>();
  for (const row of rows) {
    const key = `${row.level}\u0000${row.measures}`;
    const entry = entries.get(key) ?? { level: row.level, measures: row.measures, contenders: [] };
    if (!entry.contenders.includes(row.contender)) entry.contenders.push(row.contender);
    entries.set(key, entry);
  }
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return [
    '| Level | Rows | Measures |',
    '| --- | --- | --- |',
    ...[...entries.values()].map(
      (entry) => `| ${entry.level} | ${cell(entry.contenders.join('; '))} | ${cell(entry.measures)} |`,
    ),
  ];
}

/** The markdown report of this run; writes the JSON file it names on its last line. */
export function writeReport(targets: Target[], cacheSupport: SessionCacheSupport): string {
  const environment = {
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    /** One-minute load average before and after the run: other processes make every row noisier. */
    loadAverage: { start: loadAtStart, end: loadavg()[0]! },
    mode: quick ? 'quick' : 'full',
    settings: SETTINGS,
    sessionCache: cacheSupport,
    versions: Object.fromEntries(
      ['@clerk/backend', '@clerk/hono', 'hono', '@hono/node-server', 'jose', 'autocannon', 'esbuild'].map((name) => [
        name,
        versionOf(name),
      ]),
    ),
  };

  const out: string[] = [];
  out.push(`## clerk-edge bench (${environment.mode}) — ${new Date().toISOString()}`);
  out.push('');
  out.push(
    `Node ${environment.node}, ${environment.cpus}, load average ${environment.loadAverage.start.toFixed(2)} at start and ${environment.loadAverage.end.toFixed(2)} at end` +
      (Math.max(environment.loadAverage.start, environment.loadAverage.end) > cpus().length / 2
        ? ' (other processes were busy: expect noisier rows)'
        : '') +
      `. @clerk/backend ${environment.versions['@clerk/backend']}, @clerk/hono ${environment.versions['@clerk/hono']}, hono ${environment.versions.hono}, jose ${environment.versions.jose}. ` +
      `In-process rows: ${SETTINGS.rounds} rounds (fresh instances) × ${ITERATIONS} timed ops after ${SETTINGS.warmup} warm-up ops, one at a time, in batches of ${SETTINGS.batchSize} alternating between contenders; mean = median of the batch means. ` +
      (cacheSupport.supported
        ? `Session cache: measured off and on (on by default: ${cacheSupport.enabledByDefault}); targets judged with it on.`
        : 'Session cache: not in this build (rows show the only configuration).') +
      ` Handshake and page-load rows: ${SETTINGS.trip.rounds} rounds × ${SETTINGS.trip.batches * SETTINGS.trip.batchSize} timed ops after ${SETTINGS.trip.warmup} warm-up ops, batches of ${SETTINGS.trip.batchSize}; template-token rows: ${SETTINGS.templateRounds} rounds of 100 calls.`,
  );
  out.push('');
  out.push('| Level | Contender | Token | Mean / result | p50 | p99 | vs anchor |');
  out.push('| --- | --- | --- | ---: | ---: | ---: | --- |');
  for (const row of rows)
    out.push(
      `| ${row.level} | ${row.contender} | ${row.token} | ${row.mean} | ${row.p50} | ${row.p99} | ${row.vsAnchor} |`,
    );
  out.push('');
  out.push(...measuresTable());
  out.push('');
  if (targets.length) {
    out.push('| Target | Measured | Met |');
    out.push('| --- | --- | --- |');
    for (const target of targets) {
      const verdict = target.informational ? '(not a target)' : target.met ? 'yes' : `**no**: ${target.shortfall}`;
      out.push(`| ${target.target} | ${target.measured} | ${verdict} |`);
    }
    out.push('');
  }
  const missed = targets.filter((target) => !target.met && !target.informational);
  out.push(
    missed.length === 0
      ? targets.length
        ? 'All targets met in this run.'
        : ''
      : `Missed: ${missed.map((target) => `${target.id} (${target.measured}; ${target.shortfall})`).join('; ')}.`,
  );
  for (const summary of profiles) {
    out.push('');
    out.push(...formatProfile(summary));
  }

  const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const file = `${resultsDir}bench-${environment.mode}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify({ environment, rows, targets, profiles }, null, 2)}\n`);
  out.push('');
  out.push(
    `JSON: ${fileURLToPath(new URL('..', import.meta.url)) === `${process.cwd()}/` ? file.slice(process.cwd().length + 1) : file}`,
  );
  return out.join('\n');
}

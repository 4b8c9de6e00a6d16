#!/usr/bin/env node
// `npm run size`: bundles a minimal Worker that protects one route with clerk-edge/hono the way
// wrangler does for workerd (esbuild, ESM, `workerd`/`worker`/`browser` conditions, minified),
// gzips it (level 9) and prints it next to Hono alone and @clerk/hono. 1 KB = 1000 bytes.
// Exits 1 when the clerk-edge Worker is over the budget. `--json` prints the numbers as JSON.
import { workerBundleSize } from '../bench/bundle-size.mjs';

const BUDGET_BYTES = 20_000;

const entries = [
  { label: 'Hono alone', entry: 'examples/worker/size/hono-only.ts' },
  { label: 'Hono + clerk-edge/hono', entry: 'examples/worker/size/clerk-edge-hono.ts', budget: true },
  { label: 'Hono + @clerk/hono', entry: 'examples/worker/size/clerk-hono.ts', optional: true },
];

const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const rows = [];
for (const { label, entry, budget, optional } of entries) {
  try {
    rows.push({ label, entry, budget: budget === true, ...(await workerBundleSize(entry)) });
  } catch (error) {
    if (!optional) throw error;
    rows.push({ label, entry, skipped: String(error.message ?? error).split('\n')[0] });
  }
}

const honoOnly = rows[0];
const ours = rows.find((row) => row.budget);
const overBudget = ours.gzipBytes > BUDGET_BYTES;

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ budgetBytes: BUDGET_BYTES, rows }, null, 2));
} else {
  console.log(
    'Minimal Worker protecting one route (esbuild --minify as wrangler bundles it, gzip -9, 1 KB = 1000 bytes)\n',
  );
  for (const row of rows) {
    if (row.skipped) {
      console.log(`  ${row.label.padEnd(26)} skipped: ${row.skipped}`);
      continue;
    }
    const extra = row === honoOnly ? '' : `  (+${kb(row.gzipBytes - honoOnly.gzipBytes)} over Hono)`;
    console.log(
      `  ${row.label.padEnd(26)} ${kb(row.bytes).padStart(9)} min  ${kb(row.gzipBytes).padStart(8)} gzip${extra}`,
    );
  }
  const parts = Object.entries(ours.byPackage)
    .sort((a, b) => b[1] - a[1])
    .map(([name, bytes]) => `${name} ${kb(bytes)}`)
    .join(', ');
  console.log(`\n  clerk-edge/hono Worker, minified bytes by package: ${parts}`);
  console.log(
    overBudget
      ? `\n  Over budget: ${kb(ours.gzipBytes)} gzip > ${kb(BUDGET_BYTES)} (by ${kb(ours.gzipBytes - BUDGET_BYTES)}).`
      : `\n  Within budget: ${kb(ours.gzipBytes)} gzip <= ${kb(BUDGET_BYTES)}.`,
  );
}
process.exitCode = overBudget ? 1 : 0;

#!/usr/bin/env node
// `npm run size`: bundles a minimal Worker that protects one route with clerk-edge/hono the way
// wrangler does for workerd (esbuild, ESM, `workerd`/`worker`/`browser` conditions, minified),
// gzips it (level 9) and prints it next to Hono alone and @clerk/hono. 1 KB = 1000 bytes.
// It also measures the same Worker calling one Backend API operation through `clerk-edge/api`
// (the request client and the grouped client), and checks that the minimal Worker bundles no code
// of `clerk-edge/api`: apps that do not use the client do not pay for it.
// The minimal Worker is measured twice: from the sources (what `--baseline` compares) and from the
// package as npm ships it (tsup's ESM output, split into chunks the way `npm run build` splits it).
// `--baseline <git ref>` also measures the minimal Worker built from that ref's sources.
// Exits 1 when the clerk-edge Worker is over the budget, when the minimal Worker contains client
// code, or when one call through the request client costs more than 4 KB gzip.
// `--json` prints the numbers as JSON.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build as tsupBuild } from 'tsup';
import { workerBundleSize } from '../bench/bundle-size.mjs';
import { REPOSITORY_ROOT } from './workerd-bundle.mjs';

/** Issue 16: at most half of @clerk/hono's 51 KB for the same Worker, handshake included. */
const BUDGET_BYTES = 25_000;
/** What one Backend API call through `createClerkRequestClient` may add to the minimal Worker (gzip). */
const REQUEST_CLIENT_BUDGET_BYTES = 4_000;
const MINIMAL = 'examples/worker/size/clerk-edge-hono.ts';

const entries = [
  { label: 'Hono alone', entry: 'examples/worker/size/hono-only.ts' },
  { label: 'Hono + clerk-edge/hono', entry: 'examples/worker/size/clerk-edge-hono.ts', budget: true },
  { label: 'Hono + @clerk/hono', entry: 'examples/worker/size/clerk-hono.ts', optional: true },
];
const apiEntries = [
  { label: '+ request client, 1 call', entry: 'examples/worker/size/clerk-edge-hono-api-request.ts' },
  { label: '+ grouped client, 1 call', entry: 'examples/worker/size/clerk-edge-hono-api-client.ts' },
];

/** The package's own `sideEffects: false` lets esbuild drop unused modules: a copy elsewhere keeps it. */
function markSideEffectFree(dir) {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ sideEffects: false }));
}

/** The minimal Worker built from the sources of git ref `ref` (exported to a temporary directory). */
async function baselineSize(ref) {
  const dir = mkdtempSync(join(tmpdir(), 'clerk-edge-size-'));
  try {
    const archive = execFileSync('git', ['archive', ref, 'src'], { cwd: REPOSITORY_ROOT, maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    markSideEffectFree(dir);
    return await workerBundleSize(MINIMAL, {
      alias: { 'clerk-edge': join(dir, 'src') },
      nodePaths: [join(REPOSITORY_ROOT, 'node_modules')],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The minimal Worker bundled against the package as it ships: the ESM entries built by tsup with
 * the settings of `tsup.config.ts` (chunk splitting, tree-shaking, dependencies external), no types.
 */
async function builtPackageSize() {
  const dir = mkdtempSync(join(tmpdir(), 'clerk-edge-dist-'));
  try {
    await tsupBuild({
      config: false,
      silent: true,
      entry: { index: 'src/index.ts', 'hono/index': 'src/hono/index.ts' },
      format: ['esm'],
      target: 'es2022',
      splitting: true,
      treeshake: true,
      dts: false,
      outDir: dir,
      // No `external` list: tsup keeps every dependency and peer dependency (and their subpaths)
      // external by itself, which is what the package's own build lists.
    });
    markSideEffectFree(dir);
    return await workerBundleSize(MINIMAL, {
      alias: { 'clerk-edge': dir },
      nodePaths: [join(REPOSITORY_ROOT, 'node_modules')],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
const packaged = { label: '  the same, as npm ships it', entry: MINIMAL, ...(await builtPackageSize()) };
rows.splice(rows.indexOf(ours) + 1, 0, packaged);
const largest = Math.max(ours.gzipBytes, packaged.gzipBytes);
const overBudget = largest > BUDGET_BYTES;

const apiRows = [];
for (const { label, entry } of apiEntries) {
  const size = await workerBundleSize(entry);
  apiRows.push({ label, entry, ...size, overMinimalGzipBytes: size.gzipBytes - ours.gzipBytes });
}
const clientCodeInMinimal = ours.inputs.filter((input) => input.startsWith('src/api/') || /openapi-fetch/.test(input));
const requestClientOver = apiRows[0].overMinimalGzipBytes > REQUEST_CLIENT_BUDGET_BYTES;
const baselineIndex = process.argv.indexOf('--baseline');
const baselineRef = baselineIndex > 0 ? process.argv[baselineIndex + 1] : undefined;
const baseline = baselineRef ? { ref: baselineRef, ...(await baselineSize(baselineRef)) } : undefined;

if (process.argv.includes('--json')) {
  const strip = ({ inputs, ...row }) => row;
  console.log(
    JSON.stringify(
      {
        budgetBytes: BUDGET_BYTES,
        rows: rows.map(strip),
        api: { budgetBytes: REQUEST_CLIENT_BUDGET_BYTES, rows: apiRows.map(strip), clientCodeInMinimal },
        ...(baseline ? { baseline: strip(baseline) } : {}),
      },
      null,
      2,
    ),
  );
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
  console.log('\n  Minified bytes by module (clerk-edge file by file; the rest by package):');
  const modules = {};
  for (const [file, bytes] of Object.entries(ours.byFile)) {
    const name =
      file.startsWith('src/') || file.startsWith('examples/')
        ? file
        : file.split('/')[0].startsWith('@')
          ? file.split('/').slice(0, 2).join('/')
          : file.split('/')[0];
    modules[name] = (modules[name] ?? 0) + bytes;
  }
  for (const [name, bytes] of Object.entries(modules).sort((a, b) => b[1] - a[1])) {
    console.log(`    ${String(bytes).padStart(7)} B  ${name}`);
  }
  const joseFiles = Object.entries(ours.byFile).filter(([file]) => file.startsWith('jose/'));
  if (joseFiles.length > 0) {
    console.log('\n  jose modules:');
    for (const [file, bytes] of joseFiles) console.log(`    ${String(bytes).padStart(7)} B  ${file}`);
  }
  console.log(
    overBudget
      ? `\n  Over budget: ${kb(largest)} gzip > ${kb(BUDGET_BYTES)} (by ${kb(largest - BUDGET_BYTES)}).`
      : `\n  Within budget: ${kb(largest)} gzip <= ${kb(BUDGET_BYTES)}.`,
  );
  console.log('\nThe same Worker calling GET /users/{user_id} through clerk-edge/api\n');
  for (const row of apiRows) {
    console.log(
      `  ${row.label.padEnd(26)} ${kb(row.bytes).padStart(9)} min  ${kb(row.gzipBytes).padStart(8)} gzip  (+${kb(row.overMinimalGzipBytes)} over the minimal Worker)`,
    );
  }
  console.log(
    requestClientOver
      ? `\n  Over budget: the request client adds more than ${kb(REQUEST_CLIENT_BUDGET_BYTES)} gzip.`
      : `\n  Within budget: the request client adds <= ${kb(REQUEST_CLIENT_BUDGET_BYTES)} gzip.`,
  );
  console.log(
    clientCodeInMinimal.length > 0
      ? `  The minimal Worker bundles client code: ${clientCodeInMinimal.join(', ')}.`
      : '  The minimal Worker bundles no code of clerk-edge/api or openapi-fetch.',
  );
  if (baseline) {
    const delta = ours.gzipBytes - baseline.gzipBytes;
    console.log(
      `  Minimal Worker from ${baseline.ref}: ${baseline.bytes} B min, ${baseline.gzipBytes} B gzip; now ${ours.bytes} B min, ${ours.gzipBytes} B gzip (${delta >= 0 ? '+' : ''}${delta} B gzip).`,
    );
  }
}
process.exitCode = overBudget || requestClientOver || clientCodeInMinimal.length > 0 ? 1 : 0;

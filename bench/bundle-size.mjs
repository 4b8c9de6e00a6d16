// Bundle size of a Worker entry: esbuild bundles it the way Wrangler does for workerd (ESM,
// browser platform with the `workerd`/`worker` export conditions, minified, tree-shaken), then
// node:zlib gzips it at level 9. Plain JavaScript so both the bench (tsx) and
// `scripts/size.mjs` (plain node) can import it; `clerk-edge` resolves to this repository's
// sources, which is what `npm run build` ships.
import { build } from 'esbuild';
import { workerdBuildOptions } from '../scripts/workerd-bundle.mjs';
import { gzipSync } from 'node:zlib';

/**
 * @typedef {object} BundleSize
 * @property {number} bytes Minified size in bytes.
 * @property {number} gzipBytes Gzip size (level 9) in bytes.
 * @property {Record<string, number>} byPackage Minified bytes each package contributes
 *   (`clerk-edge` for this repository's sources, `entry` for the entry file), largest first.
 * @property {Record<string, number>} byFile Minified bytes of each input file (paths relative to the
 *   repository root, node_modules paths shortened to `package/file`), largest first.
 * @property {string[]} inputs Every input file that contributes bytes to the output.
 */

/**
 * Bundles and measures one Worker entry.
 *
 * @param {string} entry Path of the entry file, relative to the repository root or absolute.
 * @param {import('esbuild').BuildOptions} [overrides] esbuild options on top (e.g. another `alias`).
 * @returns {Promise<BundleSize>}
 *
 * @example
 * import { workerBundleSize } from '../bench/bundle-size.mjs'
 * const { gzipBytes } = await workerBundleSize('examples/worker/size/clerk-edge-hono.ts')
 */
export async function workerBundleSize(entry, overrides = {}) {
  const result = await build({
    ...workerdBuildOptions(entry),
    ...overrides,
    minify: true,
    treeShaking: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
  });
  const output = result.outputFiles?.[0];
  if (!output) throw new Error(`bundle-size: esbuild wrote no output for ${entry}`);
  const code = output.contents;
  /** @type {Record<string, number>} */
  const byPackage = {};
  /** @type {Record<string, number>} */
  const byFile = {};
  /** @type {string[]} */
  const inputs = [];
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const owner = match?.[1] ?? (input.startsWith('src/') ? 'clerk-edge' : 'entry');
      byPackage[owner] = (byPackage[owner] ?? 0) + bytesInOutput;
      if (bytesInOutput > 0) {
        inputs.push(input);
        byFile[input.replace(/^.*node_modules\//, '')] = bytesInOutput;
      }
    }
  }
  return {
    bytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    byPackage: Object.fromEntries(Object.entries(byPackage).sort((a, b) => b[1] - a[1])),
    byFile: Object.fromEntries(Object.entries(byFile).sort((a, b) => b[1] - a[1])),
    inputs,
  };
}

// How a Worker entry is bundled for workerd, the way wrangler does it: ESM, the browser platform
// with the `workerd`/`worker` export conditions, and `clerk-edge` resolved to this repository's
// sources (what `npm run build` ships). Shared by the workerd test harness, `npm run size` and
// the bench, so they all run and measure the same bundle.
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * esbuild options for one Worker entry (path relative to the repository root). Callers add
 * `minify` and the like on top.
 *
 * @example
 * const result = await build({ ...workerdBuildOptions('examples/worker/index.ts'), minify: true })
 */
export function workerdBuildOptions(entry) {
  return {
    entryPoints: [entry],
    absWorkingDir: REPOSITORY_ROOT,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    alias: { 'clerk-edge': './src' },
    logLevel: 'silent',
  };
}

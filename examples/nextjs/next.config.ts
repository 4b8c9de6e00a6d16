import { buildSync } from 'esbuild';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NextConfig } from 'next';
import { PHASE_PRODUCTION_SERVER } from 'next/constants';

/** The repository root (where node_modules and src/ are): the nearest ancestor with src/next/index.ts. */
function repositoryRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'src', 'next', 'index.ts')) && existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error('examples/nextjs must live inside the clerk-edge repository.');
  }
}

const root = repositoryRoot(process.cwd());

/**
 * Inside this repository the example runs against the package's sources. Turbopack cannot yet
 * resolve the `.js` specifiers of TypeScript ESM sources to their `.ts` files, so `next build` /
 * `next dev` first bundle src/next into .clerk-edge/next.js (esbuild, ~100 ms), and Turbopack
 * resolves `clerk-edge/next` there; TypeScript checks the app against the sources through
 * tsconfig.json `paths`. In your own app, `npm install clerk-edge` and drop all of this.
 */
export default function nextConfig(phase: string): NextConfig {
  if (phase !== PHASE_PRODUCTION_SERVER) {
    buildSync({
      entryPoints: [path.join(root, 'src/next/index.ts')],
      outfile: path.join(process.cwd(), '.clerk-edge/next.js'),
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      external: ['next', 'next/*', 'jose', 'openapi-fetch'],
      logLevel: 'warning',
    });
  }
  return {
    turbopack: { root, resolveAlias: { 'clerk-edge/next': './.clerk-edge/next.js' } },
    outputFileTracingRoot: root,
  };
}

import { readFileSync, writeFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: false,
  target: 'es2022',
  treeshake: true,
  splitting: true,
  // The two builds run at once: one's clean would delete the other's output. `npm run build` cleans dist/.
  clean: false,
};

/** Where this build writes: `--out-dir`/`-d` when given (the package and runtime tests build elsewhere), else dist. */
function outDir(): string {
  const flag = process.argv.findIndex((arg) => arg === '--out-dir' || arg === '-d');
  return flag >= 0 && process.argv[flag + 1] ? process.argv[flag + 1]! : 'dist';
}

/** Packages bundled into clerk-edge/testing, whose license notices ship beside it. */
const BUNDLED = ['hono', '@hono/node-server'];

function writeBundledLicenses(packages: string[], file: string) {
  const sections = packages.map((name) => {
    const { version } = JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string };
    return `## ${name}@${version}\n\n${readFileSync(`node_modules/${name}/LICENSE`, 'utf8').trim()}\n`;
  });
  writeFileSync(file, `# Code bundled into clerk-edge/testing\n\n${sections.join('\n')}`);
}

/**
 * Two builds. The middleware entries keep `hono` and `next` external: they are the user's own
 * copies (peer dependencies). `clerk-edge/testing` bundles `hono` and `@hono/node-server` (its
 * emulator is a Hono server on Node), so it works with only clerk-edge installed, e.g. in a
 * Next.js app's tests, without adding anything to what the middleware entries import.
 */
export default defineConfig([
  {
    ...shared,
    entry: {
      index: 'src/index.ts',
      'hono/index': 'src/hono/index.ts',
      'workers/index': 'src/workers/index.ts',
      'next/index': 'src/next/index.ts',
      'webhooks/index': 'src/webhooks/index.ts',
      'api/index': 'src/api/index.ts',
    },
    external: ['hono', 'jose', 'next', 'openapi-fetch', /^hono\//, /^next\//],
  },
  {
    ...shared,
    entry: { 'testing/index': 'src/testing/index.ts' },
    external: ['jose'],
    noExternal: ['hono', '@hono/node-server', /^hono\//],
    // MIT asks that the notices of bundled code ship with it.
    onSuccess: async () => writeBundledLicenses(BUNDLED, `${outDir()}/testing/THIRD-PARTY-LICENSES.md`),
  },
]);

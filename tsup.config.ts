import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'hono/index': 'src/hono/index.ts',
    'workers/index': 'src/workers/index.ts',
    'next/index': 'src/next/index.ts',
    'testing/index': 'src/testing/index.ts',
    'webhooks/index': 'src/webhooks/index.ts',
    'api/index': 'src/api/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: false,
  target: 'es2022',
  treeshake: true,
  splitting: true,
  external: ['hono', '@hono/node-server', 'jose', 'next', /^next\//],
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Examples and tests import the package by its public names; resolve them to the sources. */
const alias = [
  { find: /^clerk-edge$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
  { find: /^clerk-edge\/(.*)$/, replacement: fileURLToPath(new URL('./src/$1/index.ts', import.meta.url)) },
];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/workers/**', 'test/next/**', 'test/e2e/**'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'edge-runtime',
          environment: 'edge-runtime',
          include: ['test/core/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
    ],
  },
});

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
        // The verified-session cache must change no verdict: the same suites run with it off.
        extends: true,
        test: {
          name: 'node-no-session-cache',
          environment: 'node',
          include: ['test/core/**/*.test.ts', 'test/hono/**/*.test.ts'],
          exclude: ['test/core/session-cache.test.ts', 'test/core/config.test.ts'],
          env: { CLERK_SESSION_CACHE: 'false' },
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'edge-runtime',
          environment: 'edge-runtime',
          include: ['test/core/**/*.test.ts', 'test/webhooks/**/*.portable.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'next',
          environment: 'edge-runtime',
          include: ['test/next/**/*.test.ts'],
          setupFiles: ['test/next/setup.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 150_000,
          // After every other project: two `next build`s would starve their tests of the CPU.
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Adapters inside real workerd (Miniflare), against the emulator over loopback.
        extends: true,
        test: {
          name: 'workers',
          environment: 'node',
          include: ['test/workers/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});

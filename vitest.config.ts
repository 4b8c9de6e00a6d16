import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/workers/**', 'test/next/**', 'test/e2e/**'],
          testTimeout: 20_000,
        },
      },
      {
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

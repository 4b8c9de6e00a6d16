import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// Wrangler minifies a Worker and renames its classes: an error's `name` must survive that.
describe('error names in a minified bundle', () => {
  it('keeps every error class name readable after esbuild --minify renames the classes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clerk-edge-names-'));
    try {
      const entry = join(dir, 'entry.ts');
      const src = join(process.cwd(), 'src');
      writeFileSync(
        entry,
        [
          `import { ClerkEdgeError, ClerkConfigurationError } from ${JSON.stringify(join(src, 'core/errors.ts'))};`,
          `import { ClerkTokenError } from ${JSON.stringify(join(src, 'core/template-tokens.ts'))};`,
          `import { ClerkApiError } from ${JSON.stringify(join(src, 'api/errors.ts'))};`,
          `import { WebhookVerificationError } from ${JSON.stringify(join(src, 'webhooks/errors.ts'))};`,
          'export const classes = { ClerkEdgeError, ClerkConfigurationError, ClerkTokenError, ClerkApiError, WebhookVerificationError };',
        ].join('\n'),
      );
      const out = join(dir, 'bundle.mjs');
      await build({
        entryPoints: [entry],
        bundle: true,
        minify: true,
        format: 'esm',
        outfile: out,
        logLevel: 'silent',
      });
      const { classes } = (await import(pathToFileURL(out).href)) as {
        classes: Record<string, new (...args: never[]) => Error>;
      };
      // The minifier did rename them (otherwise this test would prove nothing).
      expect(Object.values(classes).some((value) => value.name.length <= 2)).toBe(true);
      const names = {
        ClerkEdgeError: new (classes.ClerkEdgeError as unknown as new (...a: unknown[]) => Error)(
          'jwks-unavailable',
          'm',
          'h',
        ).name,
        ClerkConfigurationError: new (classes.ClerkConfigurationError as unknown as new (...a: unknown[]) => Error)(
          'secretKey',
          'm',
          'h',
        ).name,
        ClerkTokenError: new (classes.ClerkTokenError as unknown as new (...a: unknown[]) => Error)(
          'template-not-found',
          'm',
        ).name,
        ClerkApiError: new (classes.ClerkApiError as unknown as new (...a: unknown[]) => Error)('api-timeout', {
          endpoint: 'GET /x',
          redact: [],
        }).name,
        WebhookVerificationError: new (classes.WebhookVerificationError as unknown as new (...a: unknown[]) => Error)(
          'signature-mismatch',
          'm',
        ).name,
      };
      expect(names).toEqual({
        ClerkEdgeError: 'ClerkEdgeError',
        ClerkConfigurationError: 'ClerkConfigurationError',
        ClerkTokenError: 'ClerkTokenError',
        ClerkApiError: 'ClerkApiError',
        WebhookVerificationError: 'WebhookVerificationError',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

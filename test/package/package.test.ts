/**
 * The published shape: builds the package into a temporary folder (never touching dist/),
 * then checks it the way a consumer would meet it: publint, Are-the-types-wrong, every
 * export importable with `import` and `require`, and the exact public names.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  dependencies: Record<string, string>;
  sideEffects: boolean;
  type: string;
};
let out: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'clerk-edge-pack-'));
  execFileSync(join(root, 'node_modules/.bin/tsup'), ['--out-dir', join(out, 'dist'), '--silent'], {
    cwd: root,
    stdio: 'pipe',
  });
  writeFileSync(join(out, 'package.json'), JSON.stringify(pkg, null, 2));
  cpSync(join(root, 'README.md'), join(out, 'README.md'));
  symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The public names of each entry. Changing one is a breaking change: update on purpose. */
const PUBLIC_NAMES: Record<string, string[]> = {
  '.': [
    'ClerkConfigurationError',
    'ClerkEdgeError',
    'MemoryStore',
    'SUPPORTED_ALGORITHMS',
    'TOKEN_TYPES',
    'createClerkAuth',
    'hintFor',
    'parsePublishableKey',
  ],
  './hono': ['clerkMiddleware', 'clerkWebhook', 'getAuth', 'requireAuth'],
  './workers': ['CacheApiStore', 'KvStore', 'withClerk'],
  './next': [
    'FORWARDED_AUTH_HEADER',
    'FORWARDED_SIGNATURE_HEADER',
    'auth',
    'clerkMiddleware',
    'createAuth',
    'createRouteMatcher',
  ],
  './api': ['ClerkApiError', 'createClerkClient', 'createClerkRequestClient', 'memoryBackoff', 'paginate'],
  './testing': [
    'CLERK_EMULATOR_ROUTES',
    'TOKEN_CATEGORY',
    'cookieSuffix',
    'createClerkEmulator',
    'createPublishableKey',
    'createTestKeyPair',
    'signTestToken',
  ],
  './webhooks': [
    'DEFAULT_MAX_BODY_BYTES',
    'DEFAULT_TOLERANCE_SECONDS',
    'SIGNING_SECRET_VARIABLE',
    'WEBHOOK_VERIFICATION_REASONS',
    'WebhookVerificationError',
    'verifyWebhook',
    'verifyWebhookSignature',
  ],
};

const entries = () => Object.keys(pkg.exports).filter((key) => key !== './package.json');

describe('the published package', () => {
  it('declares an ESM-first, side-effect-free package with jose (and openapi-fetch for clerk-edge/api) as its only runtime dependencies', () => {
    expect(pkg.type).toBe('module');
    expect(pkg.sideEffects).toBe(false);
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['jose', 'openapi-fetch']);
  });

  it('passes publint', async () => {
    const { messages } = await publint({ pkgDir: out, strict: true });
    expect(messages.map((message) => formatMessage(message, pkg as never))).toEqual([]);
  });

  it('passes Are-the-types-wrong for every entry', () => {
    const result = execFileSync(
      join(root, 'node_modules/.bin/attw'),
      ['--pack', out, '--format', 'json', '--profile', 'node16'],
      { encoding: 'utf8', stdio: 'pipe' },
    );
    const analysis = JSON.parse(result) as { analysis: { problems: Array<{ resolutionKind?: string }> } };
    // Legacy `moduleResolution: node10` cannot see subpath exports at all; every other mode must be clean.
    expect(analysis.analysis.problems.filter((problem) => problem.resolutionKind !== 'node10')).toEqual([]);
  }, 60_000);

  it.each(Object.entries(PUBLIC_NAMES))('exports exactly the public names of %s', async (entry, names) => {
    const target = (pkg.exports[entry] as { import: { default: string } }).import.default;
    const module = (await import(pathToFileURL(join(out, target)).href)) as Record<string, unknown>;
    expect(Object.keys(module).sort()).toEqual([...names].sort());
  });

  it('loads every entry with import and with require', async () => {
    const require = createRequire(join(out, 'package.json'));
    for (const entry of entries()) {
      const spec = pkg.exports[entry] as { import: { default: string }; require: { default: string } };
      const esm = (await import(pathToFileURL(join(out, spec.import.default)).href)) as Record<string, unknown>;
      const cjs = require(join(out, spec.require.default)) as Record<string, unknown>;
      expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
    }
  });
});

/**
 * The published package, met as a user meets it: `npm pack` (its `prepack` builds) on a copy of
 * the repository, the tarball unpacked into scratch apps in a temporary folder (one with only
 * clerk-edge, one with `hono`, one with `next`), every entry loaded there by plain Node with
 * `import` and `require`. Checks publint, Are-the-types-wrong (every resolution mode) and the
 * exact files and public names.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entriesOf, loadEntry, packTarball, scratchApp } from '../../scripts/package-scratch.mjs';

const root = new URL('../..', import.meta.url).pathname;
const repoModules = join(root, 'node_modules');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  dependencies: Record<string, string>;
  sideEffects: boolean;
  type: string;
};
let temp: string;
let tarball: string;
let files: string[];
const apps = { bare: '', hono: '', next: '' };

beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), 'clerk-edge-pack-'));
  ({ tarball, files } = packTarball(root, join(temp, 'pack')));
  apps.bare = scratchApp(join(temp, 'bare'), tarball, repoModules);
  apps.hono = scratchApp(join(temp, 'hono'), tarball, repoModules, ['hono']);
  apps.next = scratchApp(join(temp, 'next'), tarball, repoModules, ['next', 'react', 'react-dom']);
  for (const app of Object.values(apps)) cpSync(join(root, 'test/package/fixtures'), app, { recursive: true });
}, 180_000);

afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** The public names of each entry. Changing one is a breaking change: update on purpose. */
const PUBLIC_NAMES: Record<string, string[]> = {
  'clerk-edge': [
    'ClerkConfigurationError',
    'ClerkEdgeError',
    'ClerkTokenError',
    'MemoryStore',
    'SUPPORTED_ALGORITHMS',
    'TOKEN_TYPES',
    'createClerkAuth',
    'handshakeResponse',
    'hintFor',
    'isPageLoad',
    'parsePublishableKey',
  ],
  'clerk-edge/hono': [
    'ClerkTokenError',
    'clerkClient',
    'clerkMiddleware',
    'clerkWebhook',
    'currentUser',
    'getAuth',
    'requireAuth',
  ],
  'clerk-edge/workers': ['CacheApiStore', 'ClerkTokenError', 'KvStore', 'withClerk'],
  'clerk-edge/next': [
    'ClerkTokenError',
    'FORWARDED_AUTH_HEADER',
    'FORWARDED_SIGNATURE_HEADER',
    'auth',
    'clerkClient',
    'clerkMiddleware',
    'createAuth',
    'createRouteMatcher',
    'currentUser',
  ],
  'clerk-edge/api': ['ClerkApiError', 'createClerkClient', 'createClerkRequestClient', 'memoryBackoff', 'paginate'],
  'clerk-edge/testing': [
    'CLERK_EMULATOR_ROUTES',
    'TOKEN_CATEGORY',
    'cookieSuffix',
    'createClerkEmulator',
    'createPublishableKey',
    'createTestKeyPair',
    'signTestToken',
  ],
  'clerk-edge/webhooks': [
    'DEFAULT_MAX_BODY_BYTES',
    'DEFAULT_TOLERANCE_SECONDS',
    'SIGNING_SECRET_VARIABLE',
    'WEBHOOK_VERIFICATION_REASONS',
    'WebhookVerificationError',
    'verifyWebhook',
    'verifyWebhookSignature',
  ],
};

/** Which entries each scratch app can load: an entry needs its framework installed, nothing else. */
const LOADABLE = {
  bare: ['clerk-edge', 'clerk-edge/workers', 'clerk-edge/testing', 'clerk-edge/api', 'clerk-edge/webhooks'],
  hono: [
    'clerk-edge',
    'clerk-edge/hono',
    'clerk-edge/workers',
    'clerk-edge/testing',
    'clerk-edge/api',
    'clerk-edge/webhooks',
  ],
  next: [
    'clerk-edge',
    'clerk-edge/next',
    'clerk-edge/workers',
    'clerk-edge/testing',
    'clerk-edge/api',
    'clerk-edge/webhooks',
  ],
};

function runFixture(app: string, fixture: string): unknown {
  return JSON.parse(execFileSync(process.execPath, [fixture], { cwd: app, encoding: 'utf8', stdio: 'pipe' }));
}

describe('the published package', () => {
  it('declares an ESM-first, side-effect-free package with jose and openapi-fetch as its only runtime dependencies', () => {
    expect(pkg.type).toBe('module');
    expect(pkg.sideEffects).toBe(false);
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['jose', 'openapi-fetch']);
  });

  it('ships the build, the docs, the MIT license and the README, and nothing else', () => {
    const top = [...new Set(files.map((file) => file.split('/')[0]))].sort();
    expect(top).toEqual(['LICENSE', 'README.md', 'dist', 'docs', 'package.json']);
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.cjs',
        'dist/testing/index.d.cts',
        'dist/testing/THIRD-PARTY-LICENSES.md',
      ]),
    );
    const guides = readdirSync(join(root, 'docs')).map((file) => `docs/${file}`);
    expect(files.filter((file) => file.startsWith('docs/')).sort()).toEqual(guides.sort());
    const license = readFileSync(join(apps.bare, 'node_modules/clerk-edge/LICENSE'), 'utf8');
    expect(license.split('\n')[0]).toBe('MIT License');
  });

  it('has no relative link in its README or docs that points outside the package', () => {
    const broken: string[] = [];
    for (const file of files.filter((name) => name.endsWith('.md'))) {
      const text = readFileSync(join(apps.bare, 'node_modules/clerk-edge', file), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^(https?:|mailto:|#)/.test(target)) continue;
        const path = normalize(join(dirname(file), target.split('#')[0] ?? ''));
        if (!files.includes(path)) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('passes publint', async () => {
    const { messages } = await publint({ pkgDir: join(apps.bare, 'node_modules/clerk-edge'), strict: true });
    expect(messages.map((message) => formatMessage(message, pkg as never))).toEqual([]);
  });

  it('passes Are-the-types-wrong for every entry under node10, node16 (CJS and ESM) and bundler', () => {
    const result = execFileSync(join(repoModules, '.bin/attw'), [tarball, '--format', 'json'], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    const { analysis } = JSON.parse(result) as { analysis: { problems: unknown[]; entrypoints: object } };
    expect(analysis.problems).toEqual([]);
    expect(Object.keys(analysis.entrypoints).sort()).toEqual(Object.keys(pkg.exports).sort());
  }, 60_000);

  it('lists the same entries in its exports map as this test', () => {
    expect(entriesOf(pkg).sort()).toEqual(Object.keys(PUBLIC_NAMES).sort());
  });

  describe.each(Object.entries(LOADABLE))('in an app with %s', (app, loadable) => {
    it.each(loadable.flatMap((entry) => [[entry, 'esm'] as const, [entry, 'cjs'] as const]))(
      'loads %s with %s and exports exactly its public names',
      (entry, mode) => {
        expect(loadEntry(apps[app as keyof typeof apps], entry, mode)).toEqual({ names: PUBLIC_NAMES[entry] });
      },
    );
  });

  it('refuses clerk-edge/hono and clerk-edge/next only because their framework is missing', () => {
    expect(loadEntry(apps.bare, 'clerk-edge/hono', 'esm')).toMatchObject({
      error: 'ERR_MODULE_NOT_FOUND',
      message: expect.stringContaining("'hono"),
    });
    expect(loadEntry(apps.bare, 'clerk-edge/hono', 'cjs')).toMatchObject({
      error: 'MODULE_NOT_FOUND',
      message: expect.stringContaining("'hono"),
    });
    expect(loadEntry(apps.bare, 'clerk-edge/next', 'esm')).toMatchObject({
      error: 'ERR_MODULE_NOT_FOUND',
      message: expect.stringContaining("'next"),
    });
    expect(loadEntry(apps.bare, 'clerk-edge/next', 'cjs')).toMatchObject({
      error: 'MODULE_NOT_FOUND',
      message: expect.stringContaining("'next"),
    });
  });

  it('bundles hono and @hono/node-server into clerk-edge/testing only: the middleware entries import the user’s copy', () => {
    const dist = join(apps.bare, 'node_modules/clerk-edge');
    const bundled = files.filter(
      (file) => /\.c?js$/.test(file) && /getRequestListener|class Hono\b/.test(readFileSync(join(dist, file), 'utf8')),
    );
    expect(bundled.sort()).toEqual(['dist/testing/index.cjs', 'dist/testing/index.js']);
    expect(readFileSync(join(dist, 'dist/hono/index.js'), 'utf8')).toMatch(/from ['"]hono\/adapter['"]/);
    expect(existsSync(join(apps.bare, 'node_modules/hono'))).toBe(false);
  });

  it('verifies a session token from the emulator with only clerk-edge installed', () => {
    expect(runFixture(apps.bare, 'smoke-core.mjs')).toEqual({ status: 'signed-in', userId: 'user_smoke' });
  }, 30_000);

  it('guards a Hono app with clerk-edge/hono against the emulator', () => {
    expect(runFixture(apps.hono, 'smoke-hono.mjs')).toEqual({
      signedIn: [200, { userId: 'user_smoke' }],
      signedOut: 401,
    });
  }, 30_000);
});

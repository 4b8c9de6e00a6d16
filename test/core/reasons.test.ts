import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hintFor, type AuthErrorReason } from '../../src/index.js';
import { bearer, clerkFor, withEmulator } from '../support/fixtures.js';

const ctx = withEmulator();
const errorsSource = readFileSync(new URL('../../src/core/errors.ts', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Every reason the AuthErrorReason union declares. */
const declared = [...errorsSource.slice(0, errorsSource.indexOf('const HINTS')).matchAll(/\|\s*'([a-z-]+)'/g)].map(
  (match) => match[1]!,
);

describe('rejection reasons', () => {
  it('are all documented in the README table, and the table lists no others', () => {
    const documented = [...readme.matchAll(/^\| `([a-z-]+)` \| (?:signed-out|unavailable) \|/gm)].map(
      (match) => match[1]!,
    );
    expect(documented.sort()).toEqual([...declared].sort());
  });

  it('each have a fix hint that quotes no request data', () => {
    for (const reason of declared) expect(hintFor(reason as AuthErrorReason).length).toBeGreaterThan(20);
  });

  it('machine-secret-key-missing: a machine token with no secret key to verify it is unavailable, not signed in or out', async () => {
    const key = await ctx.emulator.createApiKey();
    const keys = await ctx.emulator.jwks();
    const clerk = clerkFor(ctx.emulator, { secretKey: undefined, jwtKey: keys.keys[0] as JsonWebKey });
    expect(await clerk.authenticateRequest(bearer(key.secret), { acceptsToken: 'api_key' })).toMatchObject({
      status: 'unavailable',
      reason: 'machine-secret-key-missing',
    });
    expect(ctx.emulator.requestCount('POST /v1/api_keys/verify')).toBe(0);
  });
});

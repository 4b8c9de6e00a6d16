import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUTH_ERROR_REASONS } from '../../src/core/errors.js';
import { hintFor } from '../../src/index.js';
import { bearer, clerkFor, withEmulator } from '../support/fixtures.js';

const ctx = withEmulator();
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Every reason the AuthErrorReason type is derived from. */
const declared: readonly string[] = AUTH_ERROR_REASONS;

describe('rejection reasons', () => {
  it('are all documented in the README table, and the table lists no others', () => {
    const documented = [...readme.matchAll(/^\| `([a-z-]+)` \| (?:signed-out|unavailable) \|/gm)].map(
      (match) => match[1]!,
    );
    expect(documented.sort()).toEqual([...declared].sort());
  });

  it('each have a fix hint that quotes no request data', () => {
    for (const reason of AUTH_ERROR_REASONS) expect(hintFor(reason).length).toBeGreaterThan(20);
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

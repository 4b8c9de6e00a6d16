import { describe, expect, it } from 'vitest';
import { clerkFor, sessionClaims, withEmulator } from '../support/fixtures.js';

// Review findings: has() / claims parsing that grants more than Clerk's own parser
// (clerk/javascript packages/shared/src/jwtPayloadParser.ts and authorization.ts) for the same
// verified token. Each test fails on main and passes once fixed.

const ctx = withEmulator();

async function authFor(claims: Record<string, unknown>) {
  const token = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator, claims) });
  const state = await clerkFor(ctx.emulator).verifySessionToken(token);
  expect(state.status).toBe('signed-in');
  return state.toAuth();
}

describe('claims parity with Clerk', () => {
  it('reads no organization from an `o` claim of a token without `v: 2` (Clerk parses v1 claims only)', async () => {
    // A v1 instance whose customised session token carries its own `o` claim (custom claims may
    // come from user metadata). Clerk reads org_id/org_role only; clerk-edge treats `o` as v2 claims.
    const { v: _v, ...claims } = sessionClaims(ctx.emulator, {
      o: { id: 'org_custom', rol: 'admin', per: 'manage', fpm: '1' },
      fea: 'o:billing',
    });
    const auth = await authFor(claims);
    expect(auth.orgId).toBeNull();
    expect(auth.has({ role: 'org:admin' })).toBe(false);
    expect(auth.has({ permission: 'org:billing:manage' })).toBe(false);
  });

  it('fails a feature check closed when the `fea` claim holds an entry without a scope, as Clerk does', async () => {
    // Clerk's splitByScope throws on "premium" (no colon) and has() answers false for the whole claim.
    const auth = await authFor({ fea: 'premium,u:dashboard' });
    expect(auth.has({ feature: 'dashboard' })).toBe(false);
    expect(auth.has({ feature: 'u:dashboard' })).toBe(false);
  });
});

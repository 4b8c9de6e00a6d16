import { describe, expect, it } from 'vitest';
import { ClerkConfigurationError } from '../../src/index.js';
import { bearer, clerkFor, sessionClaims, withEmulator } from '../support/fixtures.js';

// Review finding: a configuration value that silently turns a check off. Fails on main.

const ctx = withEmulator();

describe('no configuration silently disables the azp check', () => {
  it('does not let an explicit empty authorizedParties list discard CLERK_AUTHORIZED_PARTIES', async () => {
    // Typical wiring: `authorizedParties: origins ?? []` while the deployment sets the variable.
    // Today the empty list wins over the variable and every azp, including an attacker's origin, passes.
    const options = { authorizedParties: [], env: { CLERK_AUTHORIZED_PARTIES: 'https://app.example' } };
    let clerk: ReturnType<typeof clerkFor>;
    try {
      clerk = clerkFor(ctx.emulator, options);
    } catch (error) {
      // Refusing the configuration at creation is a fix too.
      expect(error).toBeInstanceOf(ClerkConfigurationError);
      return;
    }
    const token = await ctx.emulator.signToken({
      claims: sessionClaims(ctx.emulator, { azp: 'https://evil.example' }),
    });
    const state = await clerk.authenticateRequest(bearer(token));
    expect(state).toMatchObject({ status: 'signed-out', reason: 'token-invalid-authorized-parties' });
  });
});

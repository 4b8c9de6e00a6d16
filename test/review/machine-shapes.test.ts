import { afterEach, describe, expect, it } from 'vitest';
import { bearer, clerkFor, withEmulator } from '../support/fixtures.js';

// Review finding: the machine-token shape check refuses, without asking the Backend API, the API key
// Clerk's own SDK tests verify (packages/backend/src/fixtures/machine.ts, tokens/__tests__/verify.test.ts:
// 'ak_LCWGdaM8mv8K4PC/57IICZQXAeWfCgF30DZaFXHoGn9=', base64 with "/" and "="). A port of that test
// case against clerk-edge answers token-invalid. Fails on main.

const ctx = withEmulator();
const VERIFY = 'POST /v1/api_keys/verify' as const;
const CLERK_SDK_API_KEY = 'ak_LCWGdaM8mv8K4PC/57IICZQXAeWfCgF30DZaFXHoGn9=';

afterEach(() => {
  ctx.emulator.clearFaults();
  ctx.emulator.resetCounts();
});

describe('machine token shapes', () => {
  it("asks the Backend API about the API key from Clerk's own verify test instead of refusing its shape", async () => {
    // The emulator answers this one call as Clerk's SDK test mock does.
    ctx.emulator.fault(VERIFY, {
      status: 200,
      body: {
        object: 'api_key',
        id: 'ak_ey966f1b1xf93586b2debdcadb0b3bd1',
        type: 'api_key',
        name: 'my-api-key',
        subject: 'user_2vYVtestTESTtestTESTtestTESTtest',
        scopes: ['read:foo', 'write:bar'],
        claims: { foo: 'bar' },
        revoked: false,
        expired: false,
        expiration: null,
      },
      times: 1,
    });
    const state = await clerkFor(ctx.emulator).authenticateRequest(bearer(CLERK_SDK_API_KEY), {
      acceptsToken: 'api_key',
    });
    expect(ctx.emulator.requestCount(VERIFY)).toBe(1);
    expect(state.status).toBe('signed-in');
    expect(state.toAuth()).toMatchObject({ tokenType: 'api_key', id: 'ak_ey966f1b1xf93586b2debdcadb0b3bd1' });
  });
});

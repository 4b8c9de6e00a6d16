import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClerkConfigurationError } from '../../src/index.js';
import { createAuthResolver } from '../../src/core/instance.js';
import { withEmulator } from '../support/fixtures.js';

const ctx = withEmulator();

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('createAuthResolver (adapters whose environment comes with the request)', () => {
  it('creates one authenticator for keys that reach the platform environment after the adapter was created', () => {
    vi.stubEnv('CLERK_SECRET_KEY', '');
    vi.stubEnv('CLERK_PUBLISHABLE_KEY', '');
    const resolve = createAuthResolver({ apiUrl: ctx.emulator.url });
    // Still missing: a configuration error per request, never a half-configured authenticator.
    expect(() => resolve(undefined)).toThrow(ClerkConfigurationError);
    vi.stubEnv('CLERK_SECRET_KEY', ctx.emulator.secretKey);
    const first = resolve(undefined);
    expect(first.config.secretKey).toBe(ctx.emulator.secretKey);
    expect(resolve(undefined)).toBe(first);
  });

  it('keeps one authenticator per environment object, and one per distinct set of CLERK_* values', () => {
    const resolve = createAuthResolver({ apiUrl: ctx.emulator.url, env: {} });
    const bindings = { CLERK_SECRET_KEY: ctx.emulator.secretKey };
    expect(resolve(bindings)).toBe(resolve(bindings));
    expect(resolve({ ...bindings })).toBe(resolve(bindings));
    const other = resolve({ CLERK_SECRET_KEY: `${ctx.emulator.secretKey}x` });
    expect(other).not.toBe(resolve(bindings));
  });
});

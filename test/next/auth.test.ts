import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClerkAuth } from '../../src/core/authenticate.js';
import { authFromHeaders } from '../../src/next/auth.js';
import { FORWARDED_AUTH_HEADER } from '../../src/next/forwarded.js';
import { bearer, forwardedRequestHeaders, invoke, middlewareFor, routeClerkFor, withEmulator } from './support.js';

const context = withEmulator();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('auth() in route handlers', () => {
  it('is signed out without forwarded state, and warns once that the middleware did not run', async () => {
    const { emulator } = context;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { session } = await emulator.createSession({ userId: 'user_1' });
    const token = await emulator.createSessionToken(session.id);
    const clerk = routeClerkFor(emulator);
    expect(await authFromHeaders(new Headers(bearer(token)), clerk)).toMatchObject({
      isAuthenticated: false,
      userId: null,
    });
    expect(await authFromHeaders(new Headers(), clerk)).toMatchObject({ isAuthenticated: false });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).not.toContain(token);
  });

  it('is signed out when the forwarded state is garbage', async () => {
    const { emulator } = context;
    const headers = new Headers({
      [FORWARDED_AUTH_HEADER]: 'eyJ2IjoxfQ',
      'x-clerk-edge-auth-signature': 'x'.repeat(43),
    });
    expect(await authFromHeaders(headers, routeClerkFor(emulator))).toMatchObject({ isAuthenticated: false });
  });

  it('with verify: true, verifies the token itself and ignores forwarded headers', async () => {
    const { emulator } = context;
    const { session } = await emulator.createSession({ userId: 'user_verify' });
    const token = await emulator.createSessionToken(session.id);
    const clerk = routeClerkFor(emulator);
    const forgedOnly = new Headers({ [FORWARDED_AUTH_HEADER]: 'forged', 'x-clerk-edge-auth-signature': 'forged' });
    expect(await authFromHeaders(forgedOnly, clerk, { verify: true })).toMatchObject({ isAuthenticated: false });
    const withToken = new Headers({ ...bearer(token), [FORWARDED_AUTH_HEADER]: 'forged' });
    expect(await authFromHeaders(withToken, clerk, { verify: true })).toMatchObject({ userId: 'user_verify' });
  });

  it('with verify: true, never refreshes an expired session (it could not set the cookies)', async () => {
    const { emulator } = context;
    const { session, refreshToken } = await emulator.createSession({ userId: 'user_expired' });
    const issuedAt = Math.floor(Date.now() / 1000) - 120;
    const expired = await emulator.createSessionToken(session.id, { issuedAt, expiresInSeconds: 60 });
    const suffix = emulator.cookieSuffix;
    const route = 'POST /v1/sessions/:session_id/refresh';
    const before = emulator.requestCount(route);
    const headers = new Headers({
      cookie: `__session_${suffix}=${expired}; __client_uat_${suffix}=${issuedAt}; __refresh_${suffix}=${refreshToken}`,
    });
    expect(await authFromHeaders(headers, routeClerkFor(emulator), { verify: true })).toMatchObject({
      isAuthenticated: false,
    });
    expect(emulator.requestCount(route)).toBe(before);
  });

  it('is signed out (never a throw) with a one-time warning when a machine token reaches it that the middleware did not verify', async () => {
    const { emulator } = context;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { secret } = await emulator.createApiKey({ subject: 'user_1', scopes: ['read'] });
    const response = await invoke(middlewareFor(emulator), 'http://localhost/api/data', { headers: bearer(secret) });
    const forwarded = forwardedRequestHeaders(response)!;
    const clerk = routeClerkFor(emulator);
    expect(await authFromHeaders(forwarded, clerk)).toMatchObject({ isAuthenticated: false, tokenType: 'api_key' });
    for (let i = 0; i < 3; i++) {
      expect(await authFromHeaders(forwarded, clerk, { acceptsToken: 'api_key' })).toEqual(
        expect.objectContaining({ isAuthenticated: false, tokenType: 'api_key', userId: null }),
      );
    }
    const warnings = warn.mock.calls.map((call) => String(call[0])).filter((text) => text.includes('api_key'));
    expect(warnings.length).toBeLessThanOrEqual(1);
    expect(warnings.join('')).not.toContain(secret);
    expect(await authFromHeaders(forwarded, clerk, { acceptsToken: 'api_key', verify: true })).toMatchObject({
      tokenType: 'api_key',
      subject: 'user_1',
    });
  });

  it('needs the secret key to check the signature, and says which variable to set', async () => {
    const { emulator } = context;
    const response = await invoke(middlewareFor(emulator), 'http://localhost/');
    const withoutSecret = createClerkAuth({ publishableKey: emulator.publishableKey, env: {} });
    await expect(authFromHeaders(forwardedRequestHeaders(response)!, withoutSecret)).rejects.toThrow(
      /CLERK_SECRET_KEY/,
    );
  });
});

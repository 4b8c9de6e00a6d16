import { afterAll, beforeAll } from 'vitest';
import { createClerkAuth, type ClerkEdgeOptions } from '../../src/index.js';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';

/**
 * The environment tests hand to clerk-edge: empty, except the verified-session cache switch, so
 * the whole suite can run with the cache on and off (vitest project `node-no-session-cache`).
 */
export const TEST_ENV: Record<string, string> = process.env.CLERK_SESSION_CACHE
  ? { CLERK_SESSION_CACHE: process.env.CLERK_SESSION_CACHE }
  : {};

/** Starts one emulator for the calling test file and closes it afterwards. */
export function withEmulator(): { readonly emulator: ClerkEmulator } {
  const holder = {} as { emulator: ClerkEmulator };
  beforeAll(async () => {
    holder.emulator = await createClerkEmulator();
  });
  afterAll(async () => {
    await holder.emulator?.close();
  });
  return holder;
}

/** A createClerkAuth pointed at the emulator, with no environment leaking in. */
export function clerkFor(emulator: ClerkEmulator, options: ClerkEdgeOptions = {}) {
  return createClerkAuth({
    secretKey: emulator.secretKey,
    publishableKey: emulator.publishableKey,
    apiUrl: emulator.url,
    env: TEST_ENV,
    ...options,
  });
}

/** Session-token claims as Clerk issues them, for `emulator.signToken`. */
export function sessionClaims(
  emulator: ClerkEmulator,
  overrides: Record<string, unknown> = {},
  nowSeconds = Math.floor(Date.now() / 1000),
) {
  return {
    sub: 'user_test',
    sid: 'sess_test',
    sts: 'active',
    v: 2,
    iss: emulator.issuer,
    iat: nowSeconds,
    nbf: nowSeconds - 10,
    exp: nowSeconds + 60,
    ...overrides,
  };
}

export const bearer = (token: string, init: RequestInit = {}) =>
  new Request('http://app.test/protected', {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
  });

/**
 * The Cookie header of a browser whose session token expired a minute ago, with the suffixed
 * `__refresh` cookie that lets it be refreshed.
 */
export async function expiredBrowserCookies(emulator: ClerkEmulator, userId: string): Promise<string> {
  const { session, refreshToken } = await emulator.createSession({ userId });
  const now = Math.floor(Date.now() / 1000);
  const expired = await emulator.createSessionToken(session.id, { issuedAt: now - 120, expiresInSeconds: 60 });
  const suffix = emulator.cookieSuffix;
  return `__session_${suffix}=${expired}; __client_uat_${suffix}=${now - 600}; __refresh_${suffix}=${refreshToken}`;
}

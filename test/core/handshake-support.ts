import type { ClerkEdgeOptions } from '../../src/index.js';
import { afterAll, beforeAll } from 'vitest';
import { createClerkEmulator, type ClerkEmulator } from '../../src/testing/index.js';
import { clerkFor } from '../support/fixtures.js';

export const APP = 'http://app.test';

/** A browser page load (`Sec-Fetch-Dest: document`) with the given cookies. */
export function pageLoad(path: string, cookies: Record<string, string> = {}, init: RequestInit = {}): Request {
  const cookie = Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
  return new Request(new URL(path, APP), {
    ...init,
    headers: {
      'sec-fetch-dest': 'document',
      accept: 'text/html,application/xhtml+xml',
      ...(cookie ? { cookie } : {}),
      ...(init.headers as Record<string, string>),
    },
  });
}

/** clerk-edge pointed at the emulator, including its Frontend API origin. */
export function browserClerk(emulator: ClerkEmulator, options: ClerkEdgeOptions = {}) {
  return clerkFor(emulator, { frontendApiUrl: emulator.frontendApiUrl, ...options });
}

/**
 * Signs a fresh browser client in through the emulator's test-only sign-in and returns where the
 * Frontend API sends the browser back to (with the nonce or handshake token in the query).
 */
export async function signInReturnUrl(
  emulator: ClerkEmulator,
  options: { redirect?: string; format?: 'nonce' | 'token'; userId?: string } = {},
): Promise<URL> {
  const url = new URL('/__emulator/sign-in', emulator.frontendApiUrl);
  url.searchParams.set('user_id', options.userId ?? 'user_browser');
  url.searchParams.set('redirect_url', new URL(options.redirect ?? '/dashboard?tab=1', APP).href);
  if (options.format) url.searchParams.set('format', options.format);
  const response = await fetch(url, { redirect: 'manual' });
  if (response.status !== 307) throw new Error(`sign-in answered ${response.status}`);
  return new URL(response.headers.get('location') as string);
}

/** The handshake redirect's target of a state, as a URL. */
export function handshakeTarget(headers: Headers): URL {
  return new URL(headers.get('location') as string);
}

/**
 * A production (`live`) and a development (`dev`) emulator for one test file, started before its
 * tests and closed after them.
 */
export function withLiveAndDevEmulators(): { readonly live: ClerkEmulator; readonly dev: ClerkEmulator } {
  const holder = {} as { live: ClerkEmulator; dev: ClerkEmulator };
  beforeAll(async () => {
    [holder.live, holder.dev] = await Promise.all([
      createClerkEmulator({ instanceType: 'live' }),
      createClerkEmulator(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([holder.live?.close(), holder.dev?.close()]);
  });
  return holder;
}

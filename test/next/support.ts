// Calls clerkMiddleware the way Next does (a NextRequest and a NextFetchEvent) and reads what
// Next would hand to the app: the request headers set through x-middleware-override-headers.
// next/server exports NextFetchEvent as a type only; this is the class Next itself constructs.
import { NextFetchEvent } from 'next/dist/server/web/spec-extension/fetch-event';
import { NextRequest } from 'next/server';
import { createClerkAuth } from '../../src/core/authenticate.js';
import { type ForwardingSecret, forwardingSecret } from '../../src/next/forwarded.js';
import { clerkMiddleware, type ClerkMiddlewareHandler, type ClerkMiddlewareOptions } from '../../src/next/index.js';
import type { ClerkEmulator } from '../../src/testing/index.js';

export { withEmulator } from '../support/fixtures.js';

/** Options pointing at the emulator, with no environment leaking in. */
export function optionsFor(emulator: ClerkEmulator, options: ClerkMiddlewareOptions = {}): ClerkMiddlewareOptions {
  return {
    secretKey: emulator.secretKey,
    publishableKey: emulator.publishableKey,
    apiUrl: emulator.url,
    env: {},
    // These suites test the middleware's own answers; the handshake has its own (test/next/handshake.test.ts).
    handshake: false,
    ...options,
  };
}

/** The middleware under test, configured for the emulator. */
export function middlewareFor(
  emulator: ClerkEmulator,
  handler?: ClerkMiddlewareHandler,
  options: ClerkMiddlewareOptions = {},
) {
  return clerkMiddleware(handler, optionsFor(emulator, options));
}

/** A core authenticator with the same keys, as the route handler side would have. */
export function routeClerkFor(emulator: ClerkEmulator) {
  return createClerkAuth({
    secretKey: emulator.secretKey,
    publishableKey: emulator.publishableKey,
    apiUrl: emulator.url,
    env: {},
  });
}

/** The forwarded-state signing material of an app configured for the emulator with `options`. */
export function forwardingSecretFor(emulator: ClerkEmulator, options: ClerkMiddlewareOptions = {}): ForwardingSecret {
  const { config } = createClerkAuth(optionsFor(emulator, options));
  return forwardingSecret({ ...config, secretKey: emulator.secretKey });
}

/** Runs the middleware for one request; the background work it hands to waitUntil is collected. */
export async function invoke(
  middleware: ReturnType<typeof clerkMiddleware>,
  url: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const request = new NextRequest(url, init);
  const pending: Promise<unknown>[] = [];
  const event = new NextFetchEvent({
    request,
    page: '/',
    context: { waitUntil: (promise) => void pending.push(promise) },
  });
  const response = await middleware(request, event);
  await Promise.allSettled(pending);
  if (!(response instanceof Response)) throw new Error('clerkMiddleware must always return a Response');
  return response;
}

/** The request headers Next hands to the app after this middleware response, or null when the request does not go on. */
export function forwardedRequestHeaders(response: Response): Headers | null {
  const override = response.headers.get('x-middleware-override-headers');
  if (override === null) return null;
  const headers = new Headers();
  for (const name of override.split(',')) {
    const value = response.headers.get(`x-middleware-request-${name}`);
    if (value !== null) headers.set(name, value);
  }
  return headers;
}

export const html = { accept: 'text/html,application/xhtml+xml' };
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

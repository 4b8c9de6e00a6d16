import { headers as nextHeaders } from 'next/headers.js';
import type { ClerkAuth } from '../core/authenticate.js';
import { signedOutAuthObject, type SessionAuthObject, type SignedOutAuthObject } from '../core/claims.js';
import type { ClerkEdgeOptions } from '../core/config.js';
import { createAuthResolver } from '../core/instance.js';
import type { AuthObject } from '../core/state.js';
import { authFor } from '../core/request-auth.js';
import type { AcceptsToken } from '../core/token-class.js';
import { withGetToken } from '../core/template-tokens.js';
import { serverInstance } from './instance.js';
import { nextEnvironment } from './environment.js';
import {
  FORWARDED_AUTH_HEADER,
  FORWARDED_HEADER_PREFIX,
  readForwardedState,
  requireForwardingSecret,
} from './forwarded.js';

/** Options of {@link auth}. */
export interface AuthOptions {
  /** Token types this code accepts. Default `'session_token'`. */
  acceptsToken?: AcceptsToken;
  /**
   * Verify the request's token here instead of reading the state the middleware forwarded: for
   * routes the middleware does not run for. Costs a verification (keys are cached per instance).
   * It never refreshes an expired session, since a route handler or server component cannot
   * reliably set the new cookies; the middleware does that.
   */
  verify?: boolean;
}

/** The function {@link auth} is, bound to options (see {@link createAuth}). */
export interface AuthFunction {
  /** Session tokens only (the default): a session's auth object, or signed out. */
  (options?: AuthOptions & { acceptsToken?: 'session_token' }): Promise<SessionAuthObject | SignedOutAuthObject>;
  /** Other token types: any auth object. */
  (options: AuthOptions): Promise<AuthObject>;
}

let warnedMissing = false;

function warnOnceMissing(): void {
  if (warnedMissing) return;
  warnedMissing = true;
  console.warn(
    'clerk-edge: auth() found no auth state from clerkMiddleware on this request, so it is signed out. ' +
      'Make sure middleware.ts / proxy.ts exports clerkMiddleware and its matcher covers this route, or call auth({ verify: true }).',
  );
}

/**
 * A Request carrying these headers, for the core. The method is not GET, so the core never refreshes
 * (see `verify`), and nothing reads its URL: no client-sent Host / X-Forwarded-* header is used.
 */
function requestFor(headers: Headers): Request {
  return new Request('http://localhost/', { method: 'POST', headers });
}

/**
 * The auth object for a request's headers: the verified forwarded state, or (with `verify`)
 * the core's own verdict on the credential. Internal: {@link auth} calls it with `headers()`.
 */
export async function authFromHeaders(
  requestHeaders: Headers,
  clerk: ClerkAuth,
  authOptions: AuthOptions = {},
): Promise<AuthObject> {
  const acceptsToken = authOptions.acceptsToken ?? 'session_token';
  if (authOptions.verify === true) {
    const headers = new Headers(requestHeaders);
    for (const name of [...headers.keys()]) {
      if (name.startsWith(FORWARDED_HEADER_PREFIX)) headers.delete(name);
    }
    const request = requestFor(headers);
    const state = await clerk.authenticateRequest(request, { acceptsToken });
    return withGetToken(state.toAuth(), clerk, request);
  }
  if (!requestHeaders.has(FORWARDED_AUTH_HEADER)) {
    warnOnceMissing();
    return signedOutAuthObject();
  }
  const forwarded = await readForwardedState(requestHeaders, {
    ...requireForwardingSecret(clerk, 'auth()'),
    cookieSuffix: await clerk.cookieSuffix(),
    now: clerk.config.now(),
  });
  if (forwarded === undefined) return signedOutAuthObject();
  const { auth: forwardedAuth, ...state } = forwarded;
  const auth = authFor({ state: { ...state, toAuth: () => forwardedAuth } }, acceptsToken);
  return withGetToken(auth, clerk, requestFor(requestHeaders));
}

/**
 * Creates an {@link auth} bound to explicit options, for apps that pass keys to
 * `clerkMiddleware` instead of setting environment variables. Give it the same keys.
 *
 * @example
 * ```ts
 * // lib/auth.ts
 * import { createAuth } from 'clerk-edge/next'
 * export const auth = createAuth({ secretKey: mySecrets.clerkSecretKey, publishableKey: 'pk_live_…' })
 * ```
 */
// The default `auth` shares its instance with `clerkClient()` and `currentUser()`.
const DEFAULTS: ClerkEdgeOptions = {};

export function createAuth(options: ClerkEdgeOptions = {}): AuthFunction {
  let resolve: ((env: undefined) => ClerkAuth) | undefined;
  async function auth(authOptions: AuthOptions = {}): Promise<AuthObject> {
    // headers() first: it is what marks the route dynamic, so nothing below runs at prerender time.
    const requestHeaders = new Headers(await nextHeaders());
    if (options === DEFAULTS) return authFromHeaders(requestHeaders, serverInstance(), authOptions);
    resolve ??= createAuthResolver({ ...options, env: nextEnvironment(options.env) });
    return authFromHeaders(requestHeaders, resolve(undefined), authOptions);
  }
  return auth as AuthFunction;
}

/**
 * The auth object of the current request, in route handlers, server components and server
 * actions. It reads the state `clerkMiddleware` forwarded in signed request headers: a
 * missing, expired, forged or replayed (made for another credential) state is signed out,
 * never trusted. With `{ verify: true }` it verifies the request's token itself instead, for
 * code the middleware does not run for. Keys come from the same environment variables as the
 * middleware (`CLERK_SECRET_KEY`, `CLERK_PUBLISHABLE_KEY`, ...); see {@link createAuth} otherwise.
 *
 * @example
 * ```ts
 * // app/api/me/route.ts
 * import { auth } from 'clerk-edge/next'
 *
 * export async function GET() {
 *   const { userId, orgRole } = await auth()
 *   if (!userId) return Response.json({ error: 'unauthorized' }, { status: 401 })
 *   return Response.json({ userId, orgRole })
 * }
 * ```
 */
export const auth: AuthFunction = createAuth(DEFAULTS);

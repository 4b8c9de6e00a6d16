import type { ClerkAuth } from './authenticate.js';
import type { WaitUntil } from './wait-until.js';
import { copyResponseHeaders } from './responses.js';
import { warnOnce } from './config-fields.js';
import { signedOutAuthObject } from './claims.js';
import { bearerCredential, NO_BEARER } from './credentials.js';
import type { AuthObject, AuthStatus, RequestState } from './state.js';
import { acceptedTypes, type AcceptsToken } from './token-class.js';

/** A normalised key for an `acceptsToken` value: `['api_key','session_token']` and its permutations are one. */
export function acceptsTokenKey(acceptsToken: AcceptsToken): string {
  // One type is its own key: the common case (every getAuth) builds no array.
  return typeof acceptsToken === 'string' && acceptsToken !== 'any'
    ? acceptsToken
    : [...acceptedTypes(acceptsToken)].sort().join(',');
}

/**
 * One request's verdicts, each computed at most once: a route that accepts API keys verifies
 * the key on first ask; the session verdict computed by the middleware is reused. A request
 * without a bearer token (its credential is the session cookie) has one session verdict, shared
 * by every `acceptsToken` that includes `session_token`: an expired cookie is refreshed once,
 * and its `Set-Cookie` is added once. Adapters keep one of these per request. Internal.
 */
export interface RequestVerdicts {
  /** The verdict for `acceptsToken` (default: the adapter's), computed on first ask. */
  authenticate(acceptsToken?: AcceptsToken): Promise<RequestState>;
  /** Verdicts already computed, by {@link acceptsTokenKey} (keys sharing one verdict map to the same state). */
  readonly settled: ReadonlyMap<string, RequestState>;
  /**
   * The headers every computed verdict asks to add to the response (`Set-Cookie` from a refresh,
   * debug headers). Read only: with one verdict they are that verdict's own headers.
   */
  responseHeaders(): Headers;
}

const ignore = () => {};

export function requestVerdicts(
  clerk: ClerkAuth,
  request: Request,
  options: { defaultAcceptsToken?: AcceptsToken | undefined; waitUntil?: WaitUntil | undefined },
): RequestVerdicts {
  const defaultAcceptsToken = options.defaultAcceptsToken ?? clerk.config.acceptsToken;
  const { waitUntil } = options;
  const pending = new Map<string, Promise<RequestState>>();
  const settled = new Map<string, RequestState>();
  // The first verdict computed for an acceptsToken that includes session_token. A request without
  // a bearer token (its credential is the session cookie) is judged by it for every such acceptsToken.
  let sessionVerdict: Promise<RequestState> | undefined;
  // Read only when a second acceptsToken with session_token is asked for (rare): the first costs no header read.
  let cookieCredential: boolean | undefined;
  return {
    settled,
    authenticate(acceptsToken = defaultAcceptsToken) {
      const key = acceptsTokenKey(acceptsToken);
      let verdict = pending.get(key);
      if (verdict) return verdict;
      const session = acceptedTypes(acceptsToken).includes('session_token');
      if (session && sessionVerdict) {
        // The same reading authenticateRequest makes of the Authorization header.
        cookieCredential ??= bearerCredential(request.headers) === NO_BEARER;
        if (cookieCredential) verdict = sessionVerdict;
      }
      verdict ??= clerk.authenticateRequest(request, { acceptsToken, waitUntil });
      if (session) sessionVerdict ??= verdict;
      pending.set(key, verdict);
      // Registered before the caller can await `verdict`, so `settled` holds it when the caller resumes.
      verdict.then((state) => settled.set(key, state), ignore);
      return verdict;
    },
    responseHeaders() {
      // A handshake's redirect is answered before any route; it never decorates a route's response.
      // A verdict shared by several acceptsToken values adds its headers once; one verdict's are not copied.
      const states: RequestState[] = [];
      for (const state of settled.values())
        if (state.status !== 'handshake' && !states.includes(state)) states.push(state);
      if (states.length === 1) return states[0]!.headers;
      const headers = new Headers();
      for (const state of states) copyResponseHeaders(state.headers, headers);
      return headers;
    },
  };
}

/** What {@link authFor} decides from: the adapter's main verdict and the other verdicts already computed. */
export interface AuthSource {
  /** The verdict the guard computed (the middleware's `acceptsToken`), or a forwarded copy of it. */
  state: Pick<RequestState, 'status' | 'reason' | 'tokenType' | 'toAuth'>;
  /** Verdicts computed for other `acceptsToken` values, by {@link acceptsTokenKey}. */
  verdicts?: ReadonlyMap<string, RequestState> | undefined;
}

/**
 * The verdict that speaks for a request beyond the guard (Next forwards it to route handlers):
 * the guard's own when it is signed in, else the first signed-in verdict computed for other
 * token types on this request, else the guard's.
 *
 * @example
 * ```ts
 * const state = representativeVerdict(await verdicts.authenticate(), verdicts.settled.values())
 * ```
 */
export function representativeVerdict(state: RequestState, computed: Iterable<RequestState>): RequestState {
  if (state.status === 'signed-in') return state;
  for (const verdict of computed) if (verdict.status === 'signed-in') return verdict;
  return state;
}

/**
 * A verdict rebuilt from a copy (Next's forwarded state): it is signed in only when the auth
 * object rebuilt with it is authenticated; a copy that claims more than it carries is signed out.
 *
 * @example
 * ```ts
 * const state = restoredVerdict({ status: 'signed-in', reason: null, tokenType: 'session_token', auth })
 * ```
 */
export function restoredVerdict<T extends { status: AuthStatus; auth: AuthObject }>(copy: T): T {
  return copy.status === 'signed-in' && !copy.auth.isAuthenticated ? { ...copy, status: 'signed-out' } : copy;
}

/**
 * The auth object for `acceptsToken`, decided once for every adapter (Hono's `getAuth`, Next's
 * `auth`): the verdict computed for exactly these types when there is one; else the guard's
 * verdict when it covers the presented token; a signed-out object for a token of another type.
 * A token of an accepted type that no guard verified is signed out too (never a throw, so client
 * input never becomes a 500), with a one-time warning for the developer.
 *
 * @example
 * ```ts
 * const auth = authFor({ state }, ['session_token', 'api_key'])
 * const kind = auth.isAuthenticated ? auth.tokenType : 'signed out'
 * ```
 */
export function authFor(source: AuthSource, acceptsToken: AcceptsToken): AuthObject {
  const exact = source.verdicts?.get(acceptsTokenKey(acceptsToken));
  if (exact) return exact.toAuth();
  const { state } = source;
  if (state.tokenType === null) return state.toAuth();
  if (!acceptedTypes(acceptsToken).includes(state.tokenType)) return signedOutAuthObject(state.tokenType);
  // The guard refused the token only for its type: it was never verified, so it proves nothing.
  if (state.status !== 'signed-in' && state.reason === 'token-type-mismatch') {
    // One warning per token type and process, for the developer: it names the type, never the token.
    warnOnce(
      `clerk-edge: ${state.tokenType} not verified on this route (signed out): guard it with that acceptsToken.`,
    );
    return signedOutAuthObject(state.tokenType);
  }
  return state.toAuth();
}

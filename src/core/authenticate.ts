import { resolveConfig, type ClerkEdgeOptions, type ResolvedConfig } from './config.js';
import { bearerCredential, cookieSuffixFor, extractCredentials } from './credentials.js';
import { createKeyStore } from './jwks.js';
import type { WaitUntil } from './wait-until.js';
import { createMachineVerifier } from './machine.js';
import { browserAuthenticator } from './handshake-flow.js';
import { createTokenVerifier, settledOut } from './token-verifier.js';
import { createSessionRefresher } from './refresh.js';
import { createVerifiedSessionCache } from './session-cache.js';
import { notSignedIn, type RequestState } from './state.js';
import { acceptedTypes, type AcceptsToken, type TokenType } from './token-class.js';

/** Per-call options of {@link ClerkAuth.authenticateRequest}. */
export interface AuthenticateRequestOptions {
  /** Token types this route accepts. Default: the instance's `acceptsToken` (`'session_token'`). */
  acceptsToken?: AcceptsToken;
  /** Lets background work (a stale-while-revalidate key refresh) outlive the response, e.g. `ctx.waitUntil`. */
  waitUntil?: WaitUntil;
}

/** A configured authenticator for one Clerk instance. */
export interface ClerkAuth {
  /**
   * Authenticates a request from its headers (Authorization bearer, then Clerk's cookies).
   * Never throws for bad input; never reads the body.
   */
  authenticateRequest(request: Request, options?: AuthenticateRequestOptions): Promise<RequestState>;
  /** Verifies one session token (no cookie rules, no refresh). */
  verifySessionToken(token: string, options?: { waitUntil?: WaitUntil }): Promise<RequestState>;
  /** Verifies one machine token (API key, M2M or OAuth), if `acceptsToken` allows its type. */
  verifyMachineToken(
    token: string,
    options?: { acceptsToken?: AcceptsToken; waitUntil?: WaitUntil },
  ): Promise<RequestState>;
  /** The instance's cookie suffix (`__session_<suffix>`), computed once; undefined without a publishable key. */
  cookieSuffix(): Promise<string | undefined>;
  /** The resolved configuration (no secrets are ever logged from it). */
  readonly config: ResolvedConfig;
}

/**
 * Creates an authenticator. Options are resolved per field (explicit option, then environment)
 * and validated now: a missing or malformed key throws a {@link ClerkConfigurationError} that
 * names the variable to set.
 *
 * @example
 * ```ts
 * import { createClerkAuth } from 'clerk-edge'
 *
 * const clerk = createClerkAuth({ secretKey: env.CLERK_SECRET_KEY, publishableKey: env.CLERK_PUBLISHABLE_KEY })
 * const state = await clerk.authenticateRequest(request)
 * if (state.status === 'signed-in') console.log(state.toAuth().userId)
 * else if (state.status === 'unavailable') return new Response(null, { status: 503 })
 * ```
 */
export function createClerkAuth(options: ClerkEdgeOptions = {}): ClerkAuth {
  const config = resolveConfig(options);
  const keys = createKeyStore(config);
  const machines = createMachineVerifier(config, keys);
  const refresher = createSessionRefresher(config);
  const verified = config.sessionCache.enabled ? createVerifiedSessionCache(config) : undefined;
  const cookieSuffix = cookieSuffixFor(config.publishableKey);

  /** With `debug`: the verdict's status and reason as response headers. */
  const withDebug = (state: RequestState): RequestState => {
    state.headers.set('x-clerk-auth-status', state.status);
    if (state.reason) state.headers.set('x-clerk-auth-reason', state.reason);
    return state;
  };

  const tokens = createTokenVerifier(config, keys, machines, verified);
  /** A token handed to verify*Token: token-missing unless a non-empty string (`accepted` is read only then). */
  const verifyGiven = async (token: unknown, accepted: () => readonly TokenType[], waitUntil?: WaitUntil) =>
    typeof token === 'string' && token !== ''
      ? tokens.verifyToken(token, accepted(), waitUntil)
      : notSignedIn('signed-out', 'token-missing', null);

  const authenticateBrowser = browserAuthenticator(config, cookieSuffix, keys, tokens, refresher);

  const authenticateCookieRequest = async (
    request: Request,
    accepted: readonly TokenType[],
    waitUntil: WaitUntil | undefined,
  ): Promise<RequestState> => {
    const credentials = extractCredentials(request.headers, await cookieSuffix);
    const present = credentials.sessionCookie !== undefined;
    return accepted.includes('session_token')
      ? await authenticateBrowser(request, credentials, waitUntil)
      : notSignedIn('signed-out', present ? 'token-type-mismatch' : 'token-missing', present ? 'session_token' : null);
  };

  return {
    config,
    cookieSuffix: () => cookieSuffix,
    authenticateRequest(request, options = {}) {
      // Not `async`: a bearer token the verified-session cache holds settles with no await on the
      // way. A synchronous throw still becomes a rejection, as from an async function.
      try {
        const accepted = acceptedTypes(options.acceptsToken ?? config.acceptsToken);
        // A bearer token is judged by itself: no cookie is read and the cookie suffix is not awaited.
        const { bearerToken, bearerMalformed } = bearerCredential(request.headers);
        const verdict = bearerMalformed
          ? settledOut('authorization-header-malformed', null)
          : bearerToken === undefined
            ? authenticateCookieRequest(request, accepted, options.waitUntil)
            : tokens.verifyToken(bearerToken, accepted, options.waitUntil);
        return config.debug ? verdict.then(withDebug) : verdict;
      } catch (error) {
        return Promise.reject(error);
      }
    },
    verifySessionToken: (token, options = {}) => verifyGiven(token, () => ['session_token'], options.waitUntil),
    verifyMachineToken: (token, options = {}) =>
      verifyGiven(
        token,
        () => acceptedTypes(options.acceptsToken ?? 'any').filter((type) => type !== 'session_token'),
        options.waitUntil,
      ),
  };
}

import { decodeJwt, type ProtectedHeaderParameters } from 'jose';
import { sessionAuthObject, type SessionAuthObject, type SessionClaims } from './claims.js';
import { resolveConfig, type ClerkEdgeOptions, type ResolvedConfig } from './config.js';
import { cookieSuffixFor, extractCredentials } from './credentials.js';
import type { AuthErrorReason } from './errors.js';
import { KeyStore } from './jwks.js';
import type { WaitUntil } from './wait-until.js';
import { machineAuthObject, MachineVerifier, type MachineAuthObject, type MachineTokenType } from './machine.js';
import { browserAuthenticator } from './handshake-flow.js';
import { HandshakeResolver } from './handshake-payload.js';
import { SessionRefresher } from './refresh.js';
import { MAX_TOKEN_BYTES, SESSION_TOKEN_CHECKS, verifyInstanceJwt, type JwtVerdict } from './session.js';
import { VerifiedSessionCache } from './session-cache.js';
import { notSignedIn, signedIn, signedInLazily, type RequestState } from './state.js';
import { acceptedTypes, classifyToken, type AcceptsToken, type TokenType } from './token-class.js';

/** A session token's unverified `iat` (jose's `decodeJwt`); undefined when it cannot be read (verification reports why). */
function unverifiedIssuedAt(token: string): unknown {
  try {
    return decodeJwt(token).iat;
  } catch {
    return undefined;
  }
}

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
  const keys = new KeyStore(config);
  const machines = new MachineVerifier(config, keys);
  const refresher = new SessionRefresher(config);
  const verified = config.sessionCache.enabled ? new VerifiedSessionCache(config) : undefined;
  const cookieSuffix: Promise<string | undefined> = config.publishableKey
    ? cookieSuffixFor(config.publishableKey)
    : Promise.resolve(undefined);

  const withDebug = (state: RequestState): RequestState => {
    if (config.debug) {
      state.headers.set('x-clerk-auth-status', state.status);
      if (state.reason) state.headers.set('x-clerk-auth-reason', state.reason);
    }
    return state;
  };

  /** A full verification of a session JWT; successes are remembered by the verified-session cache (callers consult it first). */
  async function verifySessionJwt(
    token: string,
    waitUntil: WaitUntil | undefined,
    header?: ProtectedHeaderParameters,
  ): Promise<JwtVerdict<SessionClaims>> {
    const verdict = await verifyInstanceJwt<SessionClaims>(
      token,
      config,
      keys,
      SESSION_TOKEN_CHECKS,
      waitUntil,
      header,
    );
    if (verdict.ok) verified?.set(token, verdict.claims, verdict.kid);
    return verdict;
  }

  async function verifySession(
    token: string,
    waitUntil: WaitUntil | undefined,
    headers?: Headers,
    header?: ProtectedHeaderParameters,
  ): Promise<RequestState> {
    const verdict = await verifySessionJwt(token, waitUntil, header);
    if (!verdict.ok)
      return notSignedIn(verdict.status, verdict.reason, 'session_token', {
        detail: verdict.detail,
        headers,
        retryAfterSeconds: verdict.retryAfterSeconds,
      });
    return sessionState(verdict.claims, headers);
  }

  function sessionState(claims: SessionClaims, headers?: Headers): RequestState {
    if (config.treatPendingAsSignedOut && claims.sts === 'pending')
      return notSignedIn('signed-out', 'session-pending', 'session_token', { headers });
    return signedInLazily<SessionAuthObject>('session_token', () => sessionAuthObject(claims), headers);
  }

  async function verifyMachine(
    token: string,
    type: MachineTokenType,
    format: 'jwt' | 'opaque',
    waitUntil?: WaitUntil,
    header?: ProtectedHeaderParameters,
  ): Promise<RequestState> {
    const verdict = await machines.verify(token, type, format, waitUntil, header);
    if (!verdict.ok)
      return notSignedIn(verdict.status, verdict.reason, type, { retryAfterSeconds: verdict.retryAfterSeconds });
    return signedIn<MachineAuthObject>(machineAuthObject(verdict.identity));
  }

  /** A token presented in the Authorization header or to a verify* method. */
  async function verifyToken(
    token: string,
    accepted: readonly TokenType[],
    waitUntil?: WaitUntil,
  ): Promise<RequestState> {
    // A cached verdict is for a token already classified and verified as a session.
    const cached = accepted.includes('session_token') ? verified?.get(token, keys, waitUntil) : undefined;
    if (cached) return sessionState(cached);
    if (token.length > MAX_TOKEN_BYTES) return notSignedIn('signed-out', 'token-too-large', null);
    const tokenClass = classifyToken(token);
    if (tokenClass.type === 'unknown') return notSignedIn('signed-out', 'token-malformed', null);
    if (!accepted.includes(tokenClass.type)) return notSignedIn('signed-out', 'token-type-mismatch', tokenClass.type);
    if (tokenClass.type === 'session_token') {
      const state = await verifySession(token, waitUntil, undefined, tokenClass.header);
      // An M2M JWT without its `cat` header shows itself by its `mch_` subject once verified.
      if (state.reason === 'token-type-mismatch' && accepted.includes('m2m_token'))
        return verifyMachine(token, 'm2m_token', 'jwt', waitUntil, tokenClass.header);
      return state;
    }
    return verifyMachine(
      token,
      tokenClass.type,
      tokenClass.format,
      waitUntil,
      'header' in tokenClass ? tokenClass.header : undefined,
    );
  }

  /** Clerk's cookie ladder: `__client_uat` makes a lingering `__session` from a signed-out browser harmless. */
  async function authenticateCookies(
    request: Request,
    credentials: ReturnType<typeof extractCredentials>,
    waitUntil?: WaitUntil,
  ): Promise<RequestState> {
    const { sessionCookie, clientUat } = credentials;
    if (sessionCookie === undefined) {
      const reason: AuthErrorReason = clientUat > 0 ? 'session-token-missing' : 'token-missing';
      return notSignedIn('signed-out', reason, null);
    }
    if (clientUat === 0) return notSignedIn('signed-out', 'client-uat-missing', 'session_token');
    if (sessionCookie.length > MAX_TOKEN_BYTES) return notSignedIn('signed-out', 'token-too-large', 'session_token');
    const cached = verified?.get(sessionCookie, keys, waitUntil);
    // Clerk's order: a token issued before the latest sign-in state change is outdated, decided on its
    // unverified claims before any verification or refresh (it is never refreshed).
    const iat = cached ? cached.iat : unverifiedIssuedAt(sessionCookie);
    if (typeof iat === 'number' && iat < clientUat)
      return notSignedIn('signed-out', 'session-token-outdated', 'session_token');
    let verdict: JwtVerdict<SessionClaims>;
    if (cached) verdict = { ok: true, claims: cached, kid: undefined };
    else {
      const tokenClass = classifyToken(sessionCookie);
      if (tokenClass.type !== 'session_token') {
        return notSignedIn(
          'signed-out',
          tokenClass.type === 'unknown' ? 'token-malformed' : 'token-type-mismatch',
          'session_token',
        );
      }
      verdict = await verifySessionJwt(sessionCookie, waitUntil, tokenClass.header);
    }
    if (verdict.ok) return sessionState(verdict.claims);
    // `token-expired` is only reported once every other check passed (signature, azp, iss, aud, cat, sub).
    if (verdict.reason === 'token-expired' && credentials.refreshToken !== undefined) {
      return refreshSession(request, sessionCookie, credentials.refreshToken, waitUntil);
    }
    const detail =
      verdict.reason === 'token-expired' ? 'There is no __refresh cookie to refresh the session with.' : verdict.detail;
    return notSignedIn(verdict.status, verdict.reason, 'session_token', {
      detail,
      retryAfterSeconds: verdict.retryAfterSeconds,
    });
  }

  async function refreshSession(
    request: Request,
    expiredToken: string,
    refreshToken: string,
    waitUntil?: WaitUntil,
  ): Promise<RequestState> {
    if (request.method !== 'GET') return notSignedIn('signed-out', 'refresh-non-get-request', 'session_token');
    const refreshed = await refresher.refresh(request, expiredToken, refreshToken);
    if (!refreshed.ok) {
      return notSignedIn(refreshed.status, refreshed.reason, 'session_token', {
        retryAfterSeconds: refreshed.retryAfterSeconds,
      });
    }
    const headers = new Headers();
    for (const directive of refreshed.setCookies) headers.append('set-cookie', directive);
    const state = await verifySession(refreshed.sessionToken, waitUntil, headers);
    // Cookies of a session we do not accept must not reach the browser.
    if (state.status !== 'signed-in') headers.delete('set-cookie');
    return state;
  }

  const authenticateBrowser = browserAuthenticator({
    config,
    cookieSuffix,
    handshakes: new HandshakeResolver(config, keys),
    authenticateCookies,
    verifySession,
  });

  return {
    config,
    cookieSuffix: () => cookieSuffix,
    async authenticateRequest(request, options = {}) {
      const accepted = acceptedTypes(options.acceptsToken ?? config.acceptsToken);
      const credentials = extractCredentials(request.headers, await cookieSuffix);
      if (credentials.bearerMalformed)
        return withDebug(notSignedIn('signed-out', 'authorization-header-malformed', null));
      if (credentials.bearerToken !== undefined) {
        return withDebug(await verifyToken(credentials.bearerToken, accepted, options.waitUntil));
      }
      if (!accepted.includes('session_token')) {
        const present = credentials.sessionCookie !== undefined;
        return withDebug(
          notSignedIn(
            'signed-out',
            present ? 'token-type-mismatch' : 'token-missing',
            present ? 'session_token' : null,
          ),
        );
      }
      return withDebug(await authenticateBrowser(request, credentials, options.waitUntil));
    },
    async verifySessionToken(token, options = {}) {
      if (typeof token !== 'string' || token === '') return notSignedIn('signed-out', 'token-missing', null);
      return verifyToken(token, ['session_token'], options.waitUntil);
    },
    async verifyMachineToken(token, options = {}) {
      if (typeof token !== 'string' || token === '') return notSignedIn('signed-out', 'token-missing', null);
      const accepted = acceptedTypes(options.acceptsToken ?? 'any').filter((type) => type !== 'session_token');
      return verifyToken(token, accepted, options.waitUntil);
    },
  };
}

import { decodeJwt } from 'jose';
import type { SessionClaims } from './claims.js';
import type { RequestCredentials } from './credentials.js';
import type { AuthErrorReason } from './errors.js';
import type { SessionRefresher } from './refresh.js';
import { MAX_TOKEN_BYTES, type JwtVerdict } from './session.js';
import { notSignedIn, type RequestState } from './state.js';
import { classifyToken } from './token-class.js';
import type { TokenVerifier } from './token-verifier.js';
import type { WaitUntil } from './wait-until.js';

/** A session token's unverified `iat` (jose's `decodeJwt`); undefined when it cannot be read (verification reports why). */
function unverifiedIssuedAt(token: string): unknown {
  try {
    return decodeJwt(token).iat;
  } catch {
    return undefined;
  }
}

/**
 * The session cookies of a request: Clerk's ladder, then verification, then a refresh of an
 * expired token that passed every other check. Internal: `createClerkAuth` owns one.
 */
export class CookieSession {
  readonly #tokens: TokenVerifier;
  readonly #refresher: SessionRefresher;

  constructor(tokens: TokenVerifier, refresher: SessionRefresher) {
    this.#tokens = tokens;
    this.#refresher = refresher;
  }

  /** Clerk's cookie ladder: `__client_uat` makes a lingering `__session` from a signed-out browser harmless. */
  async authenticate(request: Request, credentials: RequestCredentials, waitUntil?: WaitUntil): Promise<RequestState> {
    const { sessionCookie, clientUat } = credentials;
    if (sessionCookie === undefined) {
      const reason: AuthErrorReason = clientUat > 0 ? 'session-token-missing' : 'token-missing';
      return notSignedIn('signed-out', reason, null);
    }
    if (clientUat === 0) return notSignedIn('signed-out', 'client-uat-missing', 'session_token');
    if (sessionCookie.length > MAX_TOKEN_BYTES) return notSignedIn('signed-out', 'token-too-large', 'session_token');
    const cached = this.#tokens.cached(sessionCookie, waitUntil);
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
      verdict = await this.#tokens.verifySessionJwt(sessionCookie, waitUntil, tokenClass.header);
    }
    if (verdict.ok) return this.#tokens.sessionState(verdict.claims);
    // `token-expired` is only reported once every other check passed (signature, azp, iss, aud, cat, sub).
    if (verdict.reason === 'token-expired' && credentials.refreshToken !== undefined) {
      return this.#refresh(request, sessionCookie, credentials.refreshToken, waitUntil);
    }
    const detail =
      verdict.reason === 'token-expired' ? 'There is no __refresh cookie to refresh the session with.' : verdict.detail;
    return notSignedIn(verdict.status, verdict.reason, 'session_token', {
      detail,
      retryAfterSeconds: verdict.retryAfterSeconds,
    });
  }

  async #refresh(
    request: Request,
    expiredToken: string,
    refreshToken: string,
    waitUntil?: WaitUntil,
  ): Promise<RequestState> {
    if (request.method !== 'GET') return notSignedIn('signed-out', 'refresh-non-get-request', 'session_token');
    const refreshed = await this.#refresher.refresh(request, expiredToken, refreshToken);
    if (!refreshed.ok) {
      return notSignedIn(refreshed.status, refreshed.reason, 'session_token', {
        retryAfterSeconds: refreshed.retryAfterSeconds,
      });
    }
    const headers = new Headers();
    for (const directive of refreshed.setCookies) headers.append('set-cookie', directive);
    const state = await this.#tokens.verifySession(refreshed.sessionToken, waitUntil, headers);
    // Cookies of a session we do not accept must not reach the browser.
    if (state.status !== 'signed-in') headers.delete('set-cookie');
    return state;
  }
}

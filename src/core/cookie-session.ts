import { parseCookies, type RequestCredentials } from './credentials.js';
import type { AuthErrorReason } from './errors.js';
import type { SessionRefresher } from './refresh.js';
import { MAX_TOKEN_BYTES } from './session.js';
import { type AuthStatus, notSignedIn, type RequestState } from './state.js';
import { classifyToken, unverifiedClaims } from './token-class.js';
import type { TokenVerifier } from './token-verifier.js';
import type { WaitUntil } from './wait-until.js';

/** Authenticates a request by its browser cookies. Internal. */
export type CookieAuthenticator = (
  request: Request,
  credentials: RequestCredentials,
  waitUntil?: WaitUntil,
) => Promise<RequestState>;

/**
 * `Set-Cookie` directives from a Clerk answer (a refresh or a handshake payload): at most 32 strings of at
 * most 8192 characters without control characters; undefined for anything else. Internal.
 */
export function directivesOf(value: unknown): string[] | undefined {
  return Array.isArray(value) &&
    value.length <= 32 &&
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused.
    value.every((item) => typeof item === 'string' && /^[^\0-\x1f\x7f]{0,8192}$/.test(item))
    ? value
    : undefined;
}

/**
 * The cookies `Set-Cookie` directives set (their attributes ignored): the first non-empty value of each
 * name. The one reader of the directives a refresh or a handshake brings back. Internal.
 *
 * @example
 * ```ts
 * directiveCookies(['__session=; Max-Age=0', '__session=eyJ...; Path=/']).get('__session') // 'eyJ...'
 * ```
 */
export function directiveCookies(directives: string[]): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const directive of directives)
    for (const [name, value] of parseCookies(directive.split(';')[0]!))
      if (value && !cookies.has(name)) cookies.set(name, value);
  return cookies;
}

/** A verdict other than signed-in on the request's session token (signed out unless `status` says otherwise). Internal. */
export function refuseSession(
  reason: AuthErrorReason,
  status: Exclude<AuthStatus, 'signed-in'> = 'signed-out',
  options?: Parameters<typeof notSignedIn>[3],
): RequestState {
  return notSignedIn(status, reason, 'session_token', options);
}

/**
 * Signs a request in with a new session token that came with `Set-Cookie` directives (a refresh or
 * a handshake): the token is verified fully, and the directives reach the browser only when it is
 * accepted. No token among the directives is `token-missing`, the directives kept (a sign-out). Internal.
 */
export async function signInWithCookies(
  tokens: TokenVerifier,
  token: string | undefined,
  directives: string[],
  waitUntil?: WaitUntil,
  headers = new Headers(),
): Promise<RequestState> {
  for (const directive of directives) headers.append('set-cookie', directive);
  if (token === undefined) return notSignedIn('signed-out', 'token-missing', null, { headers });
  const state = await tokens.verifySession(token, waitUntil, headers);
  // Cookies of a session we do not accept must not reach the browser.
  if (state.status !== 'signed-in') headers.delete('set-cookie');
  return state;
}

/**
 * The session cookies of a request: Clerk's ladder (`__client_uat` makes a lingering `__session`
 * from a signed-out browser harmless), then verification, then a refresh of an expired token that
 * passed every other check. Internal: `createClerkAuth` owns one.
 */
export function cookieAuthenticator(tokens: TokenVerifier, refresher: SessionRefresher): CookieAuthenticator {
  return async (request, { sessionCookie: token, clientUat, refreshToken }, waitUntil) => {
    if (token === undefined)
      return notSignedIn('signed-out', clientUat ? 'session-token-missing' : 'token-missing', null);
    if (!clientUat) return refuseSession('client-uat-missing');
    if (token.length > MAX_TOKEN_BYTES) return refuseSession('token-too-large');
    const cached = tokens.cached(token, waitUntil);
    // Clerk's order: a token issued before the latest sign-in state change is outdated, decided on its
    // unverified claims before any verification or refresh (it is never refreshed).
    const iat = cached ? cached.iat : unverifiedClaims(token)?.iat;
    if (typeof iat === 'number' && iat < clientUat) return refuseSession('session-token-outdated');
    if (cached) return tokens.sessionState(cached);
    const tokenClass = classifyToken(token);
    if (tokenClass.type !== 'session_token')
      return refuseSession(tokenClass.type === 'unknown' ? 'token-malformed' : 'token-type-mismatch');
    const state = await tokens.verifySession(token, waitUntil, undefined, tokenClass.header);
    // `token-expired` is only reported once every other check passed (signature, azp, iss, aud, cat, sub).
    if (state.reason !== 'token-expired') return state;
    if (refreshToken === undefined)
      return refuseSession(state.reason, 'signed-out', { detail: 'No __refresh cookie.' });
    if (request.method !== 'GET') return refuseSession('refresh-non-get-request');
    const refreshed = await refresher(request, token, refreshToken);
    return refreshed.ok
      ? signInWithCookies(tokens, refreshed.sessionToken, refreshed.setCookies, waitUntil)
      : refuseSession(refreshed.reason, refreshed.status, refreshed);
  };
}

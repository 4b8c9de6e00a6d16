import type { ResolvedConfig } from './config.js';
import type { RequestCredentials } from './credentials.js';
import type { AuthErrorReason } from './errors.js';
import {
  browserUrl,
  devBrowserCookie,
  handshakeInputs,
  isPageLoad,
  REDIRECT_COUNT,
  sessionFromDirectives,
  startHandshake,
  type HandshakeInputs,
} from './handshake.js';
import type { HandshakeResolver } from './handshake-payload.js';
import type { WaitUntil } from './wait-until.js';
import { notSignedIn, type RequestState } from './state.js';

// How a browser's cookies are authenticated when the handshake is on: the return trip, the
// development instance's dev-browser token, then the cookie ladder with its undecidable verdicts
// turned into a handshake on page loads. Internal: createClerkAuth wires it.

/** What the browser flow needs from the authenticator. Internal. */
export interface BrowserDeps {
  config: ResolvedConfig;
  cookieSuffix: Promise<string | undefined>;
  handshakes: HandshakeResolver;
  /** Clerk's cookie ladder (with refresh), as without the handshake. */
  authenticateCookies(request: Request, credentials: RequestCredentials, waitUntil?: WaitUntil): Promise<RequestState>;
  /** A full verification of a session token; `headers` become the state's. */
  verifySession(token: string, waitUntil: WaitUntil | undefined, headers?: Headers): Promise<RequestState>;
}

/** Signed-out reasons a page load recovers through the handshake: the cookies cannot be decided locally. */
const HANDSHAKE_TRIGGERS: ReadonlySet<AuthErrorReason> = new Set<AuthErrorReason>([
  'session-token-missing',
  'client-uat-missing',
  'session-token-outdated',
  'token-expired',
  'refresh-rejected',
  'token-not-active-yet',
  'token-iat-in-the-future',
]);

/**
 * Browser cookies with the handshake: a return trip is resolved first; a development page load
 * without a dev-browser token, or with a new one in the URL, is sent through the handshake; then
 * the cookie ladder, whose undecidable verdicts on a page load become a handshake.
 */
async function authenticateBrowser(
  deps: BrowserDeps,
  request: Request,
  credentials: RequestCredentials,
  waitUntil?: WaitUntil,
): Promise<RequestState> {
  const { config, authenticateCookies } = deps;
  if (!config.handshake) return authenticateCookies(request, credentials, waitUntil);
  const suffix = await deps.cookieSuffix;
  const inputs = handshakeInputs(request, suffix);
  if (inputs.nonce !== undefined || inputs.token !== undefined) {
    const returned = await finishHandshake(deps, request, inputs, suffix, waitUntil);
    if (returned) return returned;
  }
  const pageLoad = isPageLoad(request);
  if (pageLoad && config.instanceType === 'test') {
    if (inputs.devBrowserInUrl !== undefined)
      return startHandshake(request, inputs, config, 'dev-browser-sync', suffix);
    if (inputs.devBrowserCookie === undefined)
      return startHandshake(request, inputs, config, 'dev-browser-missing', suffix);
  }
  const state = await authenticateCookies(request, credentials, waitUntil);
  if (pageLoad && state.status === 'signed-out' && state.reason !== null && HANDSHAKE_TRIGGERS.has(state.reason))
    return startHandshake(request, inputs, config, state.reason, suffix);
  return state;
}

/**
 * A handshake's return trip: every directive becomes a `Set-Cookie`, the new session token is
 * verified fully and the request is signed in on this response (development instances: plus a
 * redirect to the clean URL). Undefined when the carrier gave nothing (unknown, used, forged):
 * the request goes on with its cookies.
 */
async function finishHandshake(
  deps: BrowserDeps,
  request: Request,
  inputs: HandshakeInputs,
  suffix: string | undefined,
  waitUntil?: WaitUntil,
): Promise<RequestState | undefined> {
  const { config, handshakes } = deps;
  const payload =
    inputs.nonce !== undefined
      ? await handshakes.fromNonce(inputs.nonce)
      : await handshakes.fromToken(inputs.token as string, waitUntil);
  if (payload.kind === 'none') return undefined;
  if (payload.kind === 'unavailable') {
    return notSignedIn('unavailable', payload.reason, 'session_token', {
      retryAfterSeconds: payload.retryAfterSeconds,
    });
  }
  const headers = new Headers();
  for (const directive of payload.directives) headers.append('set-cookie', directive);
  if (config.instanceType === 'test') {
    if (inputs.devBrowserInUrl !== undefined)
      for (const cookie of devBrowserCookie(request, inputs.devBrowserInUrl, suffix))
        headers.append('set-cookie', cookie);
    headers.set('location', browserUrl(request, inputs, config).href);
    headers.set('cache-control', 'no-store');
  }
  const token = sessionFromDirectives(payload.directives, suffix);
  if (token === undefined) return notSignedIn('signed-out', 'token-missing', null, { headers });
  const state = await deps.verifySession(token, waitUntil, headers);
  if (state.status === 'signed-in') headers.append('set-cookie', `${REDIRECT_COUNT}=0; Path=/; Max-Age=0`);
  // Cookies of a session we do not accept must not reach the browser.
  else headers.delete('set-cookie');
  return state;
}

/** The authenticator's browser-cookie path, bound to its dependencies. Internal. */
export function browserAuthenticator(
  deps: BrowserDeps,
): (request: Request, credentials: RequestCredentials, waitUntil?: WaitUntil) => Promise<RequestState> {
  return (request, credentials, waitUntil) => authenticateBrowser(deps, request, credentials, waitUntil);
}

import { CLERK_API_VERSION_HEADER, type ResolvedConfig } from './config.js';
import {
  type CookieAuthenticator,
  cookieAuthenticator,
  directiveCookies,
  refuseSession,
  signInWithCookies,
} from './cookie-session.js';
import type { AuthErrorReason } from './errors.js';
import {
  browserUrl,
  DEV_BROWSER,
  handshakeInputs,
  isPageLoad,
  MAX_HANDSHAKE_REDIRECTS,
  REDIRECT_COUNT,
  redirectHeaders,
} from './handshake.js';
import { handshakeResolver } from './handshake-payload.js';
import type { KeyStore } from './jwks.js';
import type { SessionRefresher } from './refresh.js';
import type { TokenVerifier } from './token-verifier.js';

// How a browser's cookies are authenticated when the handshake is on: the return trip, the
// development instance's dev-browser token, then the cookie ladder with its undecidable verdicts
// turned into a handshake (the redirect with its loop guard) on page loads. Internal: createClerkAuth wires it.

/** Signed-out reasons a page load recovers through the handshake: the cookies cannot be decided locally. */
const HANDSHAKE_TRIGGERS: unknown[] = [
  'session-token-missing',
  'client-uat-missing',
  'session-token-outdated',
  'token-expired',
  'refresh-rejected',
  'token-not-active-yet',
  'token-iat-in-the-future',
];

/** Frontend APIs whose handshake loop was logged: one warning per instance and process. */
const warnedLoop = new Set<string>();

/**
 * The authenticator's browser-cookie path: Clerk's cookie ladder (with refresh), and with the
 * handshake on, first a return trip (its directives become `Set-Cookie`, the new session token is
 * verified fully and the request signed in on this response; a development instance also redirects
 * to the clean URL; an unknown, used or forged carrier goes on with the cookies), then a development
 * page load without a dev-browser token, or with a new one in the URL, is sent through the
 * handshake, then the ladder's undecidable verdicts on a page load become a handshake. Internal.
 */
export function browserAuthenticator(
  config: ResolvedConfig,
  cookieSuffix: Promise<string | undefined>,
  keys: KeyStore,
  tokens: TokenVerifier,
  refresher: SessionRefresher,
): CookieAuthenticator {
  const authenticateCookies = cookieAuthenticator(tokens, refresher);
  if (!config.handshake) return authenticateCookies;
  const resolve = handshakeResolver(config, keys);
  const development = config.instanceType === 'test';
  const frontendApi = config.frontendApiUrl;

  return async (request, credentials, waitUntil) => {
    const suffix = await cookieSuffix;
    const inputs = handshakeInputs(request, suffix);
    const payload = inputs.nonce || inputs.token ? await resolve(inputs, waitUntil) : undefined;
    if (payload && !Array.isArray(payload)) return refuseSession(payload.reason, 'unavailable', payload);
    if (payload) {
      // A development instance redirects to the clean URL and keeps a dev-browser token from the URL.
      const headers = development
        ? redirectHeaders({ location: browserUrl(request, config), 'cache-control': 'no-store' })
        : new Headers();
      const directives = [...payload];
      const dev = development && inputs.devInUrl;
      if (dev) {
        const cookie = `=${dev}; Path=/; SameSite=Lax; Max-Age=31536000${request.url.startsWith('https:') ? '; Secure' : ''}`;
        directives.push(DEV_BROWSER + cookie);
        if (suffix) directives.push(`${DEV_BROWSER}_${suffix}${cookie}`);
      }
      // The new session token: `__session_<suffix>` first, then `__session`.
      const cookies = directiveCookies(payload);
      const token = (suffix && cookies.get(`__session_${suffix}`)) || cookies.get('__session');
      const state = await signInWithCookies(tokens, token, directives, waitUntil, headers);
      if (state.status === 'signed-in') headers.append('set-cookie', `${REDIRECT_COUNT}=0; Path=/; Max-Age=0`);
      return state;
    }
    const pageLoad = isPageLoad(request);
    // A development page load without a dev-browser token, or with a new one in the URL, goes through the handshake.
    let reason: AuthErrorReason | undefined;
    if (pageLoad && development) {
      if (inputs.devInUrl) reason = 'dev-browser-sync';
      else if (!inputs.devCookie) reason = 'dev-browser-missing';
    }
    if (!reason) {
      const state = await authenticateCookies(request, credentials, waitUntil);
      if (!pageLoad || state.status !== 'signed-out' || !HANDSHAKE_TRIGGERS.includes(state.reason)) return state;
      reason = state.reason as AuthErrorReason;
    }
    // The handshake for this page load: a 307 to `<Frontend API or proxy>/v1/client/handshake` with the loop guard;
    // at the 3rd consecutive one a signed-out `handshake-loop`, logged with its last trigger (never request data).
    // Without a Frontend API (only a JWT key configured) there is nowhere to send the browser.
    if (frontendApi === undefined) return refuseSession(reason);
    if (inputs.count >= MAX_HANDSHAKE_REDIRECTS) {
      const state = refuseSession('handshake-loop');
      if (!warnedLoop.has(frontendApi)) {
        warnedLoop.add(frontendApi);
        console.warn(`clerk-edge: ${state.message} (last trigger: ${reason})`);
      }
      return state;
    }
    const query = new URLSearchParams({
      redirect_url: browserUrl(request, config),
      format: 'nonce',
      suffixed_cookies: `${suffix !== undefined}`,
      __clerk_hs_reason: reason,
      __clerk_api_version: CLERK_API_VERSION_HEADER,
    });
    const devBrowser = development && (inputs.devInUrl ?? inputs.devCookie);
    if (devBrowser) query.append(DEV_BROWSER, devBrowser);
    const headers = redirectHeaders({
      // The config hands the Frontend API URL over normalised, without a trailing slash.
      location: `${frontendApi}/v1/client/handshake?${query}`,
      'cache-control': 'no-store',
      vary: 'Cookie',
      // Remembered 3 seconds: longer than one round trip, shorter than a user's next visit.
      'set-cookie': `${REDIRECT_COUNT}=${inputs.count + 1}; Path=/; SameSite=Lax; HttpOnly; Max-Age=3`,
    });
    return refuseSession(reason, 'handshake', { headers });
  };
}

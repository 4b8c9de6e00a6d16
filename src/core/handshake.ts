import { CLERK_API_VERSION_HEADER, type ResolvedConfig } from './config.js';
import { parseCookies } from './credentials.js';
import type { AuthErrorReason } from './errors.js';
import { publicOrigin } from './origin.js';
import { notSignedIn, type RequestState } from './state.js';

// Clerk's handshake, the app's half: which requests may be redirected through the Frontend API,
// the redirect itself with its loop guard, and what a request brings back from it.

/** Query parameter and cookie carrying the one-time nonce of a handshake's return trip. */
export const HANDSHAKE_NONCE = '__clerk_handshake_nonce';
/** Query parameter and cookie carrying the legacy signed handshake token. */
export const HANDSHAKE_TOKEN = '__clerk_handshake';
/** Query parameter of Clerk's handshake debugging help. */
export const HANDSHAKE_HELP = '__clerk_help';
/** The development instance's dev-browser token (query after a Clerk redirect, then a cookie on the app). */
export const DEV_BROWSER = '__clerk_db_jwt';
/** The loop guard cookie: consecutive handshakes of this browser. */
export const REDIRECT_COUNT = '__clerk_redirect_count';
/** After this many consecutive handshakes the request is signed out (`handshake-loop`). */
export const MAX_HANDSHAKE_REDIRECTS = 3;
/** Seconds the loop guard remembers a handshake: longer than one round trip, shorter than a user's next visit. */
const REDIRECT_COUNT_MAX_AGE = 3;

/** Parameters removed from the URL the browser comes back to. */
const RETURN_TRIP_PARAMS = [HANDSHAKE_NONCE, HANDSHAKE_TOKEN, HANDSHAKE_HELP, DEV_BROWSER, '__dev_session'];
/** Nonces, handshake tokens and dev-browser tokens are opaque; anything else is ignored, never echoed. */
const NONCE_SHAPE = /^[A-Za-z0-9_-]{1,256}$/;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** What a request brings for the handshake, read from its URL and cookies. Internal. */
export interface HandshakeInputs {
  url: URL;
  nonce: string | undefined;
  token: string | undefined;
  /** The dev-browser token from the query (a Clerk redirect just happened). */
  devBrowserInUrl: string | undefined;
  /** The dev-browser token the app's cookie holds. */
  devBrowserCookie: string | undefined;
  redirectCount: number;
}

function shaped(value: string | null | undefined, shape: RegExp): string | undefined {
  return value !== null && value !== undefined && shape.test(value) ? value : undefined;
}

/** Reads the handshake parameters of a request (query first, then cookies). Never throws. */
export function handshakeInputs(request: Request, cookieSuffix: string | undefined): HandshakeInputs {
  const url = new URL(request.url);
  const cookies = parseCookies(request.headers.get('cookie'));
  const query = url.searchParams;
  const count = Number(cookies.get(REDIRECT_COUNT));
  const devCookie = (cookieSuffix && cookies.get(`${DEV_BROWSER}_${cookieSuffix}`)) || cookies.get(DEV_BROWSER);
  return {
    url,
    nonce: shaped(query.get(HANDSHAKE_NONCE) ?? cookies.get(HANDSHAKE_NONCE), NONCE_SHAPE),
    token: shaped(query.get(HANDSHAKE_TOKEN) ?? cookies.get(HANDSHAKE_TOKEN), JWT_SHAPE),
    devBrowserInUrl: shaped(query.get(DEV_BROWSER), JWT_SHAPE) ?? shaped(query.get(DEV_BROWSER), NONCE_SHAPE),
    devBrowserCookie: shaped(devCookie, JWT_SHAPE) ?? shaped(devCookie, NONCE_SHAPE),
    redirectCount: Number.isInteger(count) && count > 0 ? Math.min(count, 100) : 0,
  };
}

/**
 * Whether a request is a browser page load, the only kind a handshake may redirect: a GET whose
 * `Sec-Fetch-Dest` is `document` or `iframe`, or that has no `Sec-Fetch-Dest` and accepts
 * `text/html` first. `fetch`/XHR calls and form POSTs never are (the Frontend API answers POST with 405).
 *
 * @example
 * ```ts
 * isPageLoad(new Request('https://app.example.com/', { headers: { 'sec-fetch-dest': 'document' } })) // true
 * isPageLoad(new Request('https://app.example.com/api', { headers: { 'sec-fetch-dest': 'empty' } })) // false
 * ```
 */
export function isPageLoad(request: Request): boolean {
  if (request.method !== 'GET') return false;
  const dest = request.headers.get('sec-fetch-dest');
  if (dest === 'document' || dest === 'iframe') return true;
  return !dest && (request.headers.get('accept') ?? '').startsWith('text/html');
}

/** The URL without the handshake's return-trip parameters. */
export function cleanUrl(url: URL): URL {
  const clean = new URL(url);
  for (const name of RETURN_TRIP_PARAMS) clean.searchParams.delete(name);
  return clean;
}

/** The app's URL as the browser sees it (public origin behind a trusted proxy), without handshake parameters. */
export function browserUrl(request: Request, inputs: HandshakeInputs, config: ResolvedConfig): URL {
  const url = cleanUrl(inputs.url);
  const origin = publicOrigin(request, config);
  return new URL(`${url.pathname}${url.search}${url.hash}`, origin);
}

const warnedLoop = new Set<string>();

/** One hint per instance and process: it names likely causes, never request data. */
function warnLoop(config: ResolvedConfig, reason: AuthErrorReason): void {
  const id = config.frontendApiUrl ?? '';
  if (warnedLoop.has(id)) return;
  warnedLoop.add(id);
  console.warn(
    `clerk-edge: ${MAX_HANDSHAKE_REDIRECTS} handshakes in a row did not settle the session (last trigger: ${reason}), so the page load is signed out. ` +
      'Likely causes: the secret key and the publishable key belong to different Clerk instances; the server clock is off ' +
      '(check NTP or raise clockSkewInMs); a proxy that changes the host or drops cookies (see trustProxyHeaders / proxyUrl).',
  );
}

/**
 * The handshake for a page load whose cookies cannot be decided locally: a 307 to
 * `<Frontend API or proxy>/v1/client/handshake` with the loop guard, or, at the
 * {@link MAX_HANDSHAKE_REDIRECTS}th consecutive one, a signed-out `handshake-loop`. Internal.
 */
export function startHandshake(
  request: Request,
  inputs: HandshakeInputs,
  config: ResolvedConfig,
  reason: AuthErrorReason,
  cookieSuffix: string | undefined,
): RequestState {
  // Without a Frontend API (only a JWT key configured) there is nowhere to send the browser.
  if (config.frontendApiUrl === undefined) return notSignedIn('signed-out', reason, 'session_token');
  if (inputs.redirectCount >= MAX_HANDSHAKE_REDIRECTS) {
    warnLoop(config, reason);
    return notSignedIn('signed-out', 'handshake-loop', 'session_token');
  }
  const target = new URL(`${config.frontendApiUrl.replace(/\/+$/, '')}/v1/client/handshake`);
  target.searchParams.append('redirect_url', browserUrl(request, inputs, config).href);
  target.searchParams.append('format', 'nonce');
  target.searchParams.append('suffixed_cookies', String(cookieSuffix !== undefined));
  target.searchParams.append('__clerk_hs_reason', reason);
  target.searchParams.append('__clerk_api_version', CLERK_API_VERSION_HEADER);
  const devBrowser = inputs.devBrowserInUrl ?? inputs.devBrowserCookie;
  if (config.instanceType === 'test' && devBrowser) target.searchParams.append(DEV_BROWSER, devBrowser);
  const headers = new Headers({ location: target.href, 'cache-control': 'no-store', vary: 'Cookie' });
  headers.append(
    'set-cookie',
    `${REDIRECT_COUNT}=${inputs.redirectCount + 1}; Path=/; SameSite=Lax; HttpOnly; Max-Age=${REDIRECT_COUNT_MAX_AGE}`,
  );
  return notSignedIn('handshake', reason, 'session_token', { headers });
}

/** The app-side dev-browser cookie for a token that arrived in the query. */
export function devBrowserCookie(request: Request, token: string, cookieSuffix: string | undefined): string[] {
  const secure = new URL(request.url).protocol === 'https:' ? '; Secure' : '';
  const attributes = `Path=/; SameSite=Lax; Max-Age=31536000${secure}`;
  const cookies = [`${DEV_BROWSER}=${token}; ${attributes}`];
  if (cookieSuffix) cookies.push(`${DEV_BROWSER}_${cookieSuffix}=${token}; ${attributes}`);
  return cookies;
}

/**
 * The response an adapter sends itself, before any route: the redirect of a `handshake` state or of
 * a development instance's return trip (to the clean URL), or a 503 page when a return trip could
 * not fetch its payload. Undefined when the route should run.
 *
 * @example
 * ```ts
 * const state = await clerk.authenticateRequest(request)
 * const early = handshakeResponse(state, request)
 * if (early) return early
 * ```
 */
export function handshakeResponse(state: RequestState, request: Request): Response | undefined {
  const location = state.headers.get('location');
  if (location !== null) {
    const headers = new Headers(state.headers);
    headers.set('cache-control', 'no-store');
    return new Response(null, { status: 307, headers });
  }
  if (state.status === 'unavailable' && isPageLoad(request) && isReturnTrip(request)) {
    const headers = new Headers(state.headers);
    headers.set('retry-after', String(state.retryAfterSeconds ?? 5));
    headers.set('cache-control', 'no-store');
    headers.set('content-type', 'text/html; charset=utf-8');
    const body =
      '<!doctype html><title>Sign-in temporarily unavailable</title><h1>503</h1><p>Signing you in could not be finished. Please reload in a few seconds.</p>';
    return new Response(body, { status: 503, headers });
  }
  return undefined;
}

/** Whether the request comes back from a handshake (carries a nonce or a handshake token). */
function isReturnTrip(request: Request): boolean {
  const inputs = handshakeInputs(request, undefined);
  return inputs.nonce !== undefined || inputs.token !== undefined;
}

/** The new session token among cookie directives: `__session_<suffix>` first, then `__session`. */
export function sessionFromDirectives(directives: string[], cookieSuffix: string | undefined): string | undefined {
  let plain: string | undefined;
  for (const directive of directives) {
    const [pair = ''] = directive.split(';');
    for (const [name, value] of parseCookies(pair)) {
      if (value === '') continue;
      if (cookieSuffix !== undefined && name === `__session_${cookieSuffix}`) return value;
      if (name === '__session') plain ??= value;
    }
  }
  return plain;
}

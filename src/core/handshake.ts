import type { ResolvedConfig } from './config.js';
import { parseCookies } from './credentials.js';
import { publicOrigin } from './origin.js';
import type { RequestState } from './state.js';

// Clerk's handshake, the app's half: which requests may be redirected through the Frontend API, what a
// request brings back from it, and the response an adapter sends (the redirect itself, with its loop guard,
// is built by the browser authenticator in handshake-flow.ts).

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

/** Response headers that carry a redirect (`location`): the adapter answers them itself. */
const REDIRECTS = new WeakSet<Headers>();

/**
 * Headers for a state whose answer is a redirect (a handshake, a development return trip): with a
 * `location`, and known to {@link handshakeResponse} without reading them (it runs on every request).
 */
export function redirectHeaders(init: Record<string, string>): Headers {
  const headers = new Headers(init);
  REDIRECTS.add(headers);
  return headers;
}

/** Parameters removed from the URL the browser comes back to. */
const RETURN_TRIP_PARAMS = [HANDSHAKE_NONCE, HANDSHAKE_TOKEN, HANDSHAKE_HELP, DEV_BROWSER, '__dev_session'];
// Nonces, handshake tokens and dev-browser tokens (either shape) are opaque; anything else is ignored, never echoed.
// Without the `u` flag `\w` is ASCII only: `[A-Za-z0-9_]`.
const NONCE_SHAPE = /^[\w-]{1,256}$/;
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;
const DEV_BROWSER_SHAPE = /^([\w-]{1,256}|[\w-]+\.[\w-]+\.[\w-]*)$/;

/** What a request brings for the handshake, read from its URL and cookies. Internal. */
export interface HandshakeInputs {
  nonce: string | undefined;
  token: string | undefined;
  /** The dev-browser token from the query (a Clerk redirect just happened). */
  devInUrl: string | undefined;
  /** The dev-browser token the app's cookie holds. */
  devCookie: string | undefined;
  /** Consecutive handshakes so far (the loop guard cookie). */
  count: number;
}

function shaped(value: string | null | undefined, shape: RegExp): string | undefined {
  return shape.test(value ?? '') ? (value as string) : undefined;
}

/** Reads the handshake parameters of a request (query first, then cookies). Never throws. */
export function handshakeInputs(request: Request, cookieSuffix?: string): HandshakeInputs {
  const query = new URL(request.url).searchParams;
  const cookies = parseCookies(request.headers.get('cookie'));
  const count = Number(cookies.get(REDIRECT_COUNT));
  return {
    nonce: shaped(query.get(HANDSHAKE_NONCE) ?? cookies.get(HANDSHAKE_NONCE), NONCE_SHAPE),
    token: shaped(query.get(HANDSHAKE_TOKEN) ?? cookies.get(HANDSHAKE_TOKEN), JWT_SHAPE),
    devInUrl: shaped(query.get(DEV_BROWSER), DEV_BROWSER_SHAPE),
    devCookie: shaped(
      (cookieSuffix && cookies.get(`${DEV_BROWSER}_${cookieSuffix}`)) || cookies.get(DEV_BROWSER),
      DEV_BROWSER_SHAPE,
    ),
    count: Number.isInteger(count) && count > 0 ? count : 0,
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
  const dest = request.headers.get('sec-fetch-dest');
  return (
    request.method === 'GET' &&
    (dest ? dest === 'document' || dest === 'iframe' : (request.headers.get('accept') ?? '').startsWith('text/html'))
  );
}

/** The app's URL as the browser sees it (public origin behind a trusted proxy), without handshake parameters. */
export function browserUrl(request: Request, config: ResolvedConfig): string {
  const url = new URL(request.url);
  for (const name of RETURN_TRIP_PARAMS) url.searchParams.delete(name);
  // Concatenated, never resolved: a path like `//evil.example/x` resolved against the origin names another host.
  return new URL(publicOrigin(request, config) + url.pathname + url.search + url.hash).href;
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
  const redirect = REDIRECTS.has(state.headers);
  if (!redirect) {
    // A 503 page only for a page load that comes back from a handshake (carries a nonce or a token).
    const inputs = state.status === 'unavailable' && isPageLoad(request) && handshakeInputs(request);
    if (!inputs || !(inputs.nonce || inputs.token)) return undefined;
  }
  const headers = new Headers(state.headers);
  headers.set('cache-control', 'no-store');
  if (!redirect) {
    headers.set('retry-after', `${state.retryAfterSeconds}`);
    headers.set('content-type', 'text/html; charset=utf-8');
  }
  return new Response(
    redirect ? null : '<!doctype html><title>503</title>Sign-in is unavailable; reload in a moment.',
    { status: redirect ? 307 : 503, headers },
  );
}

import { cookiePairs, setCookiePair } from '../core/credentials.js';

/**
 * Next.js's middleware protocol for the request headers the app receives: the middleware
 * response lists the names in `x-middleware-override-headers` and carries each value as
 * `x-middleware-request-<name>` (what `NextResponse.next({ request: { headers } })` produces).
 * A response without the list passes the incoming request headers on unchanged.
 */
const OVERRIDE_LIST_HEADER = 'x-middleware-override-headers';
const REQUEST_HEADER_PREFIX = 'x-middleware-request-';

/**
 * The request headers Next will hand to the app: the ones the response already overrides
 * (`NextResponse.next({ request: { headers } })` from the handler), else the incoming ones.
 */
export function forwardedRequestHeaders(response: Response, request: Request): Headers {
  const override = response.headers.get(OVERRIDE_LIST_HEADER);
  if (override === null) return new Headers(request.headers);
  const headers = new Headers();
  for (const raw of override.split(',')) {
    const name = raw.trim();
    const value = name === '' ? null : response.headers.get(`${REQUEST_HEADER_PREFIX}${name}`);
    if (value !== null) headers.set(name, value);
  }
  return headers;
}

/** Makes `headers` exactly the request headers Next hands to the app, replacing any override already on the response. */
export function overrideRequestHeaders(response: Response, headers: Headers): void {
  for (const name of [...response.headers.keys()]) {
    if (name.startsWith(REQUEST_HEADER_PREFIX)) response.headers.delete(name);
  }
  const names: string[] = [];
  headers.forEach((value, name) => {
    response.headers.set(`${REQUEST_HEADER_PREFIX}${name}`, value);
    names.push(name);
  });
  response.headers.set(OVERRIDE_LIST_HEADER, names.join(','));
}

/** A rewrite to another origin: Next proxies the request there, so nothing of ours may go with it. */
export function rewritesToAnotherOrigin(response: Response, request: Request): boolean {
  const rewrite = response.headers.get('x-middleware-rewrite');
  if (rewrite === null) return false;
  try {
    return new URL(rewrite, request.url).origin !== new URL(request.url).origin;
  } catch {
    return true;
  }
}

/** Replaces the request's Clerk cookies with the refreshed ones, so the app sees the new session. */
export function withRefreshedCookies(cookieHeader: string | null, directives: string[]): string | null {
  if (directives.length === 0) return cookieHeader;
  const pairs = cookiePairs(cookieHeader);
  for (const directive of directives) {
    const pair = setCookiePair(directive);
    if (pair === undefined) continue;
    const existing = pairs.find(([name]) => name === pair[0]);
    if (existing) existing[1] = pair[1];
    else pairs.push(pair);
  }
  return pairs.map(([name, value]) => `${name}=${value}`).join('; ');
}

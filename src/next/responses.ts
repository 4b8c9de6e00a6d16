import type { EnvironmentRecord } from '../core/config.js';
import { copyStateHeaders, rejectionResponse } from '../core/responses.js';
import { environmentString } from '../core/environment.js';
import { publicOrigin, type OriginPolicy } from '../core/origin.js';
import type { RequestState } from '../core/state.js';

/** What an authenticated request that fails a requirement gets: 403, or 404 to hide that the route exists. */
export type UnauthorizedBehaviour = 'forbidden' | 'not-found';

/** The query parameter that carries the URL to return to after signing in (Clerk's name). */
export const RETURN_URL_PARAMETER = 'redirect_url';

/**
 * Clerk's Account Portal sign-in page for a Frontend API host: `clerk.example.com` →
 * `https://accounts.example.com/sign-in`, `name.clerk.accounts.dev` → `https://name.accounts.dev/sign-in`.
 * Undefined for any other host (a local emulator, a proxy).
 */
export function accountPortalSignInUrl(frontendApiHost: string | undefined): string | undefined {
  if (frontendApiHost === undefined) return undefined;
  const dev = /^([a-z0-9-]+)\.clerk\.accounts\.dev$/i.exec(frontendApiHost);
  if (dev) return `https://${dev[1]}.accounts.dev/sign-in`;
  if (/^clerk\.[a-z0-9.-]+\.[a-z]{2,}$/i.test(frontendApiHost))
    return `https://accounts.${frontendApiHost.slice('clerk.'.length)}/sign-in`;
  return undefined;
}

/**
 * The sign-in URL, per field: the `signInUrl` option, then `CLERK_SIGN_IN_URL`, then
 * `NEXT_PUBLIC_CLERK_SIGN_IN_URL`, then the Account Portal of the instance, then `/sign-in` on the app.
 */
export function resolveSignInUrl(
  option: string | undefined,
  env: EnvironmentRecord,
  frontendApiHost: string | undefined,
): string {
  return (
    option ??
    environmentString(env, 'CLERK_SIGN_IN_URL') ??
    environmentString(env, 'NEXT_PUBLIC_CLERK_SIGN_IN_URL') ??
    accountPortalSignInUrl(frontendApiHost) ??
    '/sign-in'
  );
}

/**
 * Whether a request is a browser navigation (or a Next.js client navigation) rather than an API
 * call: pages get a redirect to sign in, APIs a 401. Anything carrying an Authorization header,
 * and every route in `apiRoutes`, is an API call.
 */
export function isPageRequest(request: Request, isApiRoute: (request: Request) => boolean): boolean {
  if (request.headers.has('authorization') || isApiRoute(request)) return false;
  const destination = request.headers.get('sec-fetch-dest');
  if (destination === 'document' || destination === 'iframe') return true;
  if (request.headers.has('rsc') || request.headers.has('next-router-state-tree')) return true;
  return (request.headers.get('accept') ?? '').includes('text/html');
}

/**
 * The redirect to sign in: 307 to the sign-in URL with the full URL of the request in
 * `redirect_url`. Undefined when the sign-in page itself is the request, which would loop.
 */
export function signInRedirect(
  state: RequestState,
  request: Request,
  signInUrl: string,
  policy: OriginPolicy,
): Response | undefined {
  // The request URL's origin, or the proxy's X-Forwarded-* only when the app trusts its proxy (the core decides).
  const requestUrl = new URL(request.url);
  // Concatenated, never resolved: a path like `//evil.example/x` resolved against the origin names another host.
  const returnUrl = new URL(`${publicOrigin(request, policy)}${requestUrl.pathname}${requestUrl.search}`);
  const target = new URL(signInUrl, returnUrl);
  if (target.origin === returnUrl.origin && target.pathname === returnUrl.pathname) return undefined;
  target.searchParams.set(RETURN_URL_PARAMETER, returnUrl.href);
  const headers = new Headers();
  copyStateHeaders(state, headers);
  headers.set('location', target.href);
  headers.set('cache-control', 'no-store');
  return new Response(null, { status: 307, headers });
}

/** 404 for an authenticated request that fails a requirement, when configured to hide the route. */
export function notFoundResponse(state: RequestState): Response {
  const headers = new Headers();
  copyStateHeaders(state, headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  headers.set('cache-control', 'no-store');
  return new Response(JSON.stringify({ error: 'not-found' }), { status: 404, headers });
}

/**
 * The answer to a request that is not signed in where a route needs it: 503 + Retry-After
 * when Clerk could not be reached (never a sign-out), a redirect to sign in for pages, else
 * 401 + WWW-Authenticate (the core's {@link rejectionResponse}, shared with the other adapters).
 */
export function unauthenticatedResponse(
  state: RequestState,
  request: Request,
  context: {
    signInUrl: string;
    isApiRoute: (request: Request) => boolean;
    redirectAllowed: boolean;
    policy: OriginPolicy;
  },
): Response {
  if (state.status !== 'unavailable' && context.redirectAllowed && isPageRequest(request, context.isApiRoute)) {
    const redirect = signInRedirect(state, request, context.signInUrl, context.policy);
    if (redirect) return redirect;
  }
  return rejectionResponse(state);
}

/** The answer to a signed-in request that fails a requirement. */
export function unauthorizedResponse(state: RequestState, behaviour: UnauthorizedBehaviour): Response {
  return behaviour === 'not-found' ? notFoundResponse(state) : rejectionResponse(state, { forbidden: true });
}

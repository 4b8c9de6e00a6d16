import { NextResponse, type NextFetchEvent, type NextMiddleware, type NextRequest } from 'next/server.js';
import type { ClerkAuth } from '../core/authenticate.js';
import type { HasParams, SessionAuthObject } from '../core/claims.js';
import type { ClerkEdgeOptions } from '../core/config.js';
import { ClerkConfigurationError, ClerkEdgeError } from '../core/errors.js';
import { createAuthResolver } from '../core/instance.js';
import { contextWaitUntil } from '../core/wait-until.js';
import type { MachineAuthObject } from '../core/machine.js';
import { handshakeResponse } from '../core/handshake.js';
import { representativeVerdict, requestVerdicts } from '../core/request-auth.js';
import { setCookiePair } from '../core/credentials.js';
import { meetsRequirement, type AuthRequirement } from '../core/responses.js';
import type { AuthObject, RequestState } from '../core/state.js';
import { acceptedTypes, type AcceptsToken } from '../core/token-class.js';
import { nextEnvironment } from './environment.js';
import {
  credentialHash,
  DEFAULT_FORWARDED_TTL_SECONDS,
  FORWARDED_HEADER_PREFIX,
  type ForwardingSecret,
  requireForwardingSecret,
  signForwardedState,
} from './forwarded.js';
import {
  forwardedRequestHeaders,
  overrideRequestHeaders,
  rewritesToAnotherOrigin,
  withRefreshedCookies,
} from './request-headers.js';
import { createRouteMatcher, type RouteMatcherParam } from './route-matcher.js';
import {
  resolveSignInUrl,
  unauthenticatedResponse,
  unauthorizedResponse,
  type UnauthorizedBehaviour,
} from './responses.js';

/** Options of {@link clerkMiddleware}: the shared options plus how the adapter answers. */
export interface ClerkMiddlewareOptions extends ClerkEdgeOptions {
  /**
   * Where `auth.protect()` sends signed-out page requests, with the request URL in `redirect_url`.
   * Default: `CLERK_SIGN_IN_URL`, `NEXT_PUBLIC_CLERK_SIGN_IN_URL`, the instance's Account Portal, `/sign-in`.
   */
  signInUrl?: string;
  /** Routes that are APIs (401 instead of a redirect). Default `['/api(.*)', '/trpc(.*)']`. */
  apiRoutes?: RouteMatcherParam;
  /** What a signed-in request that fails `auth.protect()` gets: `'forbidden'` (403, default) or `'not-found'` (404). */
  unauthorized?: UnauthorizedBehaviour;
  /** Lifetime of the signed auth state forwarded to route handlers, in seconds. Default 60, at most 600. */
  forwardedStateTtlSeconds?: number;
}

/** What `auth.protect()` requires beyond being signed in. All given checks must hold (fail-closed). */
export interface ProtectParams extends HasParams {
  /** Token types this route accepts. Default: the middleware's (`'session_token'`). */
  acceptsToken?: AcceptsToken;
  /** Machine-token scopes that must all be present. */
  scopes?: string[];
  /** Any other rule on the auth object; throwing counts as false. */
  predicate?: (auth: SessionAuthObject | MachineAuthObject) => boolean;
}

/** A rule on the auth object, as the only argument of `auth.protect()`. */
export type ProtectPredicate = (auth: SessionAuthObject | MachineAuthObject) => boolean;

/** Per-call options of `auth.protect()`. */
export interface ProtectOptions {
  /** Overrides the middleware's `unauthorized` for this call. */
  unauthorized?: UnauthorizedBehaviour;
}

/** The `auth` the middleware handler receives: call it for the auth object, or `auth.protect()` to guard. */
export interface ClerkMiddlewareAuth {
  /** The auth object of the request (for `acceptsToken`, the verdict for those token types). */
  (options?: { acceptsToken?: AcceptsToken }): Promise<AuthObject>;
  /**
   * Requires a signed-in request that meets `params`; resolves to its auth object. Otherwise it
   * ends the middleware with the answer: a redirect to sign in (pages), 401 (APIs), 403 or 404
   * (signed in, not allowed), 503 (Clerk unreachable). Await it and let it throw.
   */
  protect(
    params?: ProtectParams | ProtectPredicate,
    options?: ProtectOptions,
  ): Promise<SessionAuthObject | MachineAuthObject>;
}

/** The function given to {@link clerkMiddleware}. Return a response to answer or pass on (`NextResponse.next()`/`rewrite`), or nothing to pass on. */
export type ClerkMiddlewareHandler = (
  auth: ClerkMiddlewareAuth,
  request: NextRequest,
  event: NextFetchEvent,
  // biome-ignore lint/suspicious/noConfusingVoidType: handlers that return nothing (async () => {}) must type-check
) => Response | null | undefined | void | Promise<Response | null | undefined | void>;

const DEFAULT_API_ROUTES = ['/api(.*)', '/trpc(.*)'];
const PROTECT_SIGNAL = Symbol.for('clerk-edge.next.protect');

/** Thrown by `auth.protect()` to end the middleware with a response; caught by the middleware. */
class ProtectSignal extends ClerkEdgeError {
  readonly [PROTECT_SIGNAL] = true;
  constructor(readonly response: Response) {
    super(
      'protect-rejected',
      'clerk-edge: auth.protect() rejected the request.',
      'Let the error propagate out of the clerkMiddleware handler.',
    );
  }
}

function isProtectSignal(error: unknown): error is ProtectSignal {
  return (
    typeof error === 'object' && error !== null && (error as { [PROTECT_SIGNAL]?: unknown })[PROTECT_SIGNAL] === true
  );
}

function requirementOf(params: ProtectParams | ProtectPredicate | undefined): {
  acceptsToken?: AcceptsToken;
  requirement: AuthRequirement;
} {
  if (typeof params === 'function') return { requirement: { predicate: params as AuthRequirement['predicate'] } };
  if (params === undefined) return { requirement: {} };
  if (typeof params !== 'object' || params === null) return { requirement: { predicate: () => false } };
  const { acceptsToken, scopes, predicate, role, permission, feature, plan, reverification } = params;
  const has: HasParams = {};
  if (role !== undefined) has.role = role;
  if (permission !== undefined) has.permission = permission;
  if (feature !== undefined) has.feature = feature;
  if (plan !== undefined) has.plan = plan;
  if (reverification !== undefined) has.reverification = reverification;
  const requirement: AuthRequirement = {};
  if (Object.keys(has).length > 0) requirement.has = has;
  if (scopes !== undefined) requirement.scopes = scopes;
  if (predicate !== undefined) requirement.predicate = predicate as AuthRequirement['predicate'];
  return acceptsToken === undefined ? { requirement } : { acceptsToken, requirement };
}

/** Response headers may be immutable (`Response.redirect`); copy the response when they are. */
function withMutableHeaders(response: Response): Response {
  try {
    response.headers.set('x-clerk-edge-probe', '1');
    response.headers.delete('x-clerk-edge-probe');
    return response;
  } catch {
    return new NextResponse(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers: new Headers(response.headers),
    });
  }
}

function cookieName(directive: string): string {
  return setCookiePair(directive)?.[0] ?? '';
}

/** The core's handshake answer (a 307 through the Frontend API, a development return trip's 307, a 503 page) as a NextResponse. */
function earlyResponse(state: RequestState, request: Request): NextResponse | undefined {
  const response = handshakeResponse(state, request);
  if (!response) return undefined;
  return new NextResponse(response.body, { status: response.status, headers: response.headers });
}

/** Adds every verdict's headers (refresh `Set-Cookie`, debug headers) to the response once. */
function applyStateHeaders(response: Response, states: Iterable<RequestState>): void {
  const present = new Set(response.headers.getSetCookie());
  const names = new Set([...present].map(cookieName));
  for (const state of states) {
    // A handshake's redirect headers only ever go on its own 307.
    if (state.status === 'handshake') continue;
    for (const directive of state.headers.getSetCookie()) {
      if (present.has(directive) || names.has(cookieName(directive))) continue;
      response.headers.append('set-cookie', directive);
      present.add(directive);
      names.add(cookieName(directive));
    }
    state.headers.forEach((value, name) => {
      if (name !== 'set-cookie') response.headers.set(name, value);
    });
  }
}

/**
 * The credential the verdict is about, as a hash: the incoming request's (what the core
 * verified), with a refreshed session cookie in place of the expired one. Never the headers the
 * handler may have rewritten: a state is only readable next to the credential it was decided on.
 */
async function verdictCredentialHash(request: Request, state: RequestState, clerk: ClerkAuth): Promise<string> {
  const headers = new Headers(request.headers);
  if (state.status === 'signed-in') {
    const cookie = withRefreshedCookies(headers.get('cookie'), state.headers.getSetCookie());
    if (cookie !== null) headers.set('cookie', cookie);
  }
  return credentialHash(headers, await clerk.cookieSuffix());
}

/**
 * Makes the signed state the only `x-clerk-edge-*` request headers the app sees: client-sent
 * copies are dropped, ours are added, through Next's request-header override (what
 * `NextResponse.next({ request: { headers } })` produces). A rewrite to another origin gets
 * neither the state nor refreshed cookies.
 */
async function forwardState(
  response: Response,
  request: Request,
  state: RequestState,
  clerk: ClerkAuth,
  secret: ForwardingSecret,
  ttlSeconds: number,
): Promise<void> {
  const headers = forwardedRequestHeaders(response, request);
  for (const name of [...headers.keys()]) {
    if (name.startsWith(FORWARDED_HEADER_PREFIX)) headers.delete(name);
  }
  if (!rewritesToAnotherOrigin(response, request)) {
    if (state.status === 'signed-in') {
      const cookie = withRefreshedCookies(headers.get('cookie'), state.headers.getSetCookie());
      if (cookie !== null) headers.set('cookie', cookie);
    }
    const signed = await signForwardedState(state, {
      ...secret,
      credentialHash: await verdictCredentialHash(request, state, clerk),
      now: clerk.config.now(),
      ttlSeconds,
    });
    for (const [name, value] of Object.entries(signed)) headers.set(name, value);
  }
  overrideRequestHeaders(response, headers);
}

/** Checks the Next-only options when the middleware is created; returns the forwarded-state lifetime. */
function checkAdapterOptions(
  unauthorized: UnauthorizedBehaviour,
  forwardedStateTtlSeconds: number | undefined,
): number {
  if (unauthorized !== 'forbidden' && unauthorized !== 'not-found') {
    throw new ClerkConfigurationError(
      'unauthorized',
      '`unauthorized` must be "forbidden" or "not-found".',
      'Pass unauthorized: "forbidden" (403) or "not-found" (404).',
    );
  }
  const ttl = forwardedStateTtlSeconds ?? DEFAULT_FORWARDED_TTL_SECONDS;
  if (!(Number.isFinite(ttl) && ttl > 0 && ttl <= 600)) {
    throw new ClerkConfigurationError(
      'forwardedStateTtlSeconds',
      '`forwardedStateTtlSeconds` must be a number of seconds between 0 and 600.',
      'Leave it unset for 60 seconds.',
    );
  }
  return ttl;
}

function parseArguments(args: unknown[]): [ClerkMiddlewareHandler | undefined, ClerkMiddlewareOptions] {
  const [first, second] = args;
  if (typeof first === 'function' || (first === undefined && args.length > 1)) {
    return [first as ClerkMiddlewareHandler | undefined, (second ?? {}) as ClerkMiddlewareOptions];
  }
  return [undefined, (first ?? {}) as ClerkMiddlewareOptions];
}

/**
 * Clerk authentication for Next.js: the default export of `middleware.ts` (edge runtime) or of
 * `proxy.ts` (Node runtime, Next 16). Every request it runs for is authenticated once by the
 * core; the handler reads the verdict with `await auth()` and guards routes with
 * `await auth.protect(...)`. Requests that go on to the app carry the verdict as signed request
 * headers (client-sent copies are stripped) for {@link auth} in route handlers and server
 * components, and `Set-Cookie` from a session refresh reaches the browser. It never rejects by
 * itself. Keys come from the options, then `process.env` per field; a malformed key throws here.
 *
 * @example
 * ```ts
 * // middleware.ts (or proxy.ts)
 * import { clerkMiddleware, createRouteMatcher } from 'clerk-edge/next'
 *
 * const isProtected = createRouteMatcher(['/dashboard(.*)', '/api/(.*)'])
 * const isAdmin = createRouteMatcher(['/admin(.*)'])
 *
 * export default clerkMiddleware(async (auth, request) => {
 *   if (isAdmin(request)) await auth.protect({ role: 'org:admin' })
 *   else if (isProtected(request)) await auth.protect()
 * })
 *
 * // Skip only Next's own assets: never skip by file extension (see docs/nextjs.md).
 * export const config = { matcher: ['/((?!_next/static/|_next/image$|favicon\\.ico$).*)'] }
 * ```
 */
export function clerkMiddleware(handler?: ClerkMiddlewareHandler, options?: ClerkMiddlewareOptions): NextMiddleware;
export function clerkMiddleware(options?: ClerkMiddlewareOptions): NextMiddleware;
export function clerkMiddleware(...args: unknown[]): NextMiddleware {
  const [handler, options] = parseArguments(args);
  const { signInUrl, apiRoutes, unauthorized = 'forbidden', forwardedStateTtlSeconds, ...coreOptions } = options;
  const ttl = checkAdapterOptions(unauthorized, forwardedStateTtlSeconds);
  const env = nextEnvironment(coreOptions.env);
  const resolveAuth = createAuthResolver({ ...coreOptions, env });
  const isApiRoute = createRouteMatcher(apiRoutes ?? DEFAULT_API_ROUTES);

  // Report a missing secret key now when the other keys are all there (keys that are absent
  // altogether may still be set when the server starts: `next build` evaluates without them).
  let clerk: ClerkAuth | undefined;
  try {
    clerk = resolveAuth(undefined);
  } catch (error) {
    if (!(error instanceof ClerkConfigurationError) || !error.missing) throw error;
  }
  if (clerk) requireForwardingSecret(clerk, 'clerkMiddleware');
  const resolvedSignInUrl = (instance: ClerkAuth) => resolveSignInUrl(signInUrl, env, instance.config.frontendApiHost);

  return async function clerkEdgeMiddleware(request: NextRequest, event: NextFetchEvent) {
    clerk ??= resolveAuth(undefined);
    const instance = clerk;
    const secret = requireForwardingSecret(instance, 'clerkMiddleware');
    const defaultAccepts = coreOptions.acceptsToken ?? instance.config.acceptsToken;
    const verdicts = requestVerdicts(instance, request, {
      defaultAcceptsToken: defaultAccepts,
      waitUntil: contextWaitUntil(event),
    });
    const authenticate = (acceptsToken: AcceptsToken) => verdicts.authenticate(acceptsToken);
    const state = await authenticate(defaultAccepts);

    // A handshake redirect (or a return trip's 503 page) is answered here; the handler is not reached.
    const early = earlyResponse(state, request);
    if (early) return early;

    const auth = (async (callOptions: { acceptsToken?: AcceptsToken } = {}) =>
      (await authenticate(callOptions.acceptsToken ?? defaultAccepts)).toAuth()) as ClerkMiddlewareAuth;
    auth.protect = async (params, protectOptions = {}) => {
      const { acceptsToken, requirement } = requirementOf(params);
      const accepts = acceptsToken ?? defaultAccepts;
      const verdict = await authenticate(accepts);
      const handshake = earlyResponse(verdict, request);
      if (handshake) throw new ProtectSignal(handshake);
      if (verdict.status !== 'signed-in') {
        const redirectAllowed = acceptedTypes(accepts).includes('session_token');
        throw new ProtectSignal(
          unauthenticatedResponse(verdict, request, {
            signInUrl: resolvedSignInUrl(instance),
            isApiRoute,
            redirectAllowed,
            policy: instance.config,
          }),
        );
      }
      if (!meetsRequirement(verdict, requirement)) {
        throw new ProtectSignal(unauthorizedResponse(verdict, protectOptions.unauthorized ?? unauthorized));
      }
      return verdict.toAuth() as SessionAuthObject | MachineAuthObject;
    };

    let response: Response;
    try {
      response = (handler ? await handler(auth, request, event) : undefined) ?? NextResponse.next();
    } catch (error) {
      if (!isProtectSignal(error)) throw error;
      response = error.response;
    }
    response = withMutableHeaders(response);
    applyStateHeaders(response, verdicts.settled.values());

    if (response.headers.has('x-middleware-next') || response.headers.has('x-middleware-rewrite')) {
      const forwarded = representativeVerdict(state, verdicts.settled.values());
      await forwardState(response, request, forwarded, instance, secret, ttl);
    }
    return response;
  };
}

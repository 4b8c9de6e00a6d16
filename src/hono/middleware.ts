import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ClerkClient } from '../api/client.js';
import type { ClerkClientFactory } from '../core/api-client.js';
import type { ClerkEdgeOptions, EnvironmentRecord } from '../core/config.js';
import type { SessionAuthObject, SignedOutAuthObject } from '../core/claims.js';
import type { MachineAuthObject, MachineTokenType } from '../core/machine.js';
import { handshakeResponse } from '../core/handshake.js';
import { createAuthResolver } from '../core/instance.js';
import { waitUntilFrom } from '../core/wait-until.js';
import { meetsRequirement, rejectionResponse, type AuthRequirement } from '../core/responses.js';
import { authFor, requestVerdicts } from '../core/request-auth.js';
import type { AuthObject, RequestState } from '../core/state.js';
import { withGetToken } from '../core/template-tokens.js';
import type { AcceptsToken } from '../core/token-class.js';
import { bindClerk, clerkContext, INSTANCE, type InstanceBinding } from './binding.js';
import { coreRequest } from './node-request.js';

export type { AuthRequirement } from '../core/responses.js';
export { clerkWebhook, type ClerkWebhookOptions } from './webhooks.js';
export { clerkClient, currentUser, type User } from './clerk-client.js';
export {
  ClerkTokenError,
  type ClerkTokenErrorCode,
  type GetToken,
  type GetTokenOptions,
} from '../core/template-tokens.js';

/** What `clerkMiddleware` keeps on the context for the request. */
export interface ClerkRequestContext {
  /** The verdict for the middleware's `acceptsToken` (default: session tokens). */
  state: RequestState;
  /** The verdict for other accepted types; verified on first ask, once per request. */
  authenticate(acceptsToken: AcceptsToken): Promise<RequestState>;
  /** Verdicts already computed in this request, by normalised `acceptsToken`. */
  readonly verdicts: ReadonlyMap<string, RequestState>;
}

/**
 * Context variables set by {@link clerkMiddleware}. The npm entry (`clerk-edge/hono`) adds them to
 * Hono's `ContextVariableMap`; JSR has no module augmentation: type the app `new Hono<{ Variables: ClerkVariables }>()`.
 */
export type ClerkVariables = {
  clerkAuth: ClerkRequestContext;
  /** The instance's Backend API client, when the middleware was given `clerkClient` (see {@link ClerkMiddlewareOptions}). */
  clerk: ClerkClient;
};

/** Options of {@link clerkMiddleware}: the shared options (see `ClerkEdgeOptions`), and the client factory. */
export type ClerkMiddlewareOptions = ClerkEdgeOptions & {
  /**
   * `createClerkClient` from `clerk-edge/api`: `c.get('clerk')` is then the instance's Backend API
   * client, created once per instance. Passed rather than imported, so apps without it bundle no client.
   */
  clerkClient?: ClerkClientFactory<ClerkClient>;
};

type RuntimeGlobals = { navigator?: { userAgent?: string }; Deno?: unknown; process?: { env?: EnvironmentRecord } };

/**
 * The environment that comes with the request, as Hono's `env(c)` reads it without its runtime
 * table (kept out of the bundle): the bindings (`c.env`) on Workers; `process.env` on Node, Bun and
 * edge runtimes (one object, so one authenticator). Deno's and other runtimes' variables are read
 * where the middleware is created (`Deno.env` one variable at a time, so `--allow-env=CLERK_*` is enough).
 */
function requestEnvironment(c: Context): EnvironmentRecord | undefined {
  const runtime = globalThis as RuntimeGlobals;
  if (runtime.navigator?.userAgent === 'Cloudflare-Workers') return c.env as EnvironmentRecord;
  return runtime.Deno ? undefined : runtime.process?.env;
}

/**
 * Authenticates every request and keeps the verdict on the context (`getAuth(c)`). It never
 * rejects by itself: guard routes with {@link requireAuth}. `Set-Cookie` directives from a
 * session refresh or a handshake's return trip are added to the response. A browser page load
 * that needs the handshake is answered with its 307 here (the route is not reached); `handshake: false`
 * turns that off (API-only). Keys come from the options, then from the
 * environment per field (as Hono's `env(c)`: `process.env` on Node and Bun, bindings on Workers,
 * `Deno.env` on Deno).
 * A malformed key throws here, when the middleware is created.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { clerkMiddleware, getAuth, requireAuth } from 'clerk-edge/hono'
 *
 * const app = new Hono()
 * app.use(clerkMiddleware())
 * app.get('/me', requireAuth(), (c) => c.json({ userId: getAuth(c).userId }))
 * ```
 */
export function clerkMiddleware(options: ClerkMiddlewareOptions = {}): MiddlewareHandler {
  const resolveAuth = createAuthResolver(options);
  return async function clerkEdgeMiddleware(c, next) {
    const auth = resolveAuth(options.env ?? requestEnvironment(c));
    const request = coreRequest(c);
    const verdicts = requestVerdicts(auth, request, {
      defaultAcceptsToken: options.acceptsToken,
      // Reading `c.executionCtx` throws where there is none (Node): read only when work is handed over.
      waitUntil: waitUntilFrom(() => c.executionCtx),
    });
    const state = await verdicts.authenticate();
    bindClerk(c, auth, options.clerkClient);
    const context: ClerkRequestContext & InstanceBinding = {
      state,
      authenticate: verdicts.authenticate,
      verdicts: verdicts.settled,
      [INSTANCE]: auth,
    };
    c.set('clerkAuth', context);
    // A handshake redirect (or a return trip's 503 page) is answered here; the route is not reached.
    const early = handshakeResponse(state, request);
    if (early) return early;
    await next();

    // c.header() keeps the app's own Set-Cookie; replacing c.res would let Hono drop ours.
    const extra = verdicts.responseHeaders();
    if (extra.keys().next().done) return;
    for (const cookie of extra.getSetCookie()) c.header('set-cookie', cookie, { append: true });
    extra.forEach((value, name) => {
      if (name !== 'set-cookie') c.header(name, value);
    });
  };
}

/**
 * The auth object of the request. Without options it is the session's (a machine token gives a
 * signed-out object). With `acceptsToken`, it is the verdict for those token types; a machine
 * token must have been verified first (by `requireAuth({ acceptsToken })` or the middleware's
 * own `acceptsToken`), otherwise it is signed out (with a one-time console warning). Never throws
 * for client input: the core's `authFor` decides.
 *
 * @example
 * ```ts
 * app.get('/me', (c) => {
 *   const { userId, orgRole } = getAuth(c)
 *   return userId ? c.json({ userId, orgRole }) : c.text('signed out', 401)
 * })
 * app.post('/ingest', requireAuth({ acceptsToken: 'api_key' }), (c) => c.json({ by: getAuth(c, { acceptsToken: 'api_key' }).subject }))
 * ```
 */
export function getAuth(
  c: Context,
  options?: { acceptsToken?: 'session_token' },
): SessionAuthObject | SignedOutAuthObject;
export function getAuth<T extends MachineTokenType>(
  c: Context,
  options: { acceptsToken: T | T[] },
): MachineAuthObject | SignedOutMachineAuthObject;
export function getAuth(c: Context, options: { acceptsToken: AcceptsToken }): AuthObject;
export function getAuth(c: Context, options: { acceptsToken?: AcceptsToken } = {}): AuthObject {
  const context = clerkContext(c);
  const auth = authFor(context, options.acceptsToken ?? 'session_token');
  return withGetToken(auth, context[INSTANCE], c.req.raw, context.state.headers);
}

/**
 * What `getAuth(c, { acceptsToken: <machine type> })` gives when no such token was accepted: a
 * signed-out object on which the machine fields (`subject`, `id`, `scopes`, …) read as absent, so
 * `getAuth(c, { acceptsToken: 'api_key' }).subject` type-checks as `string | undefined`.
 */
export type SignedOutMachineAuthObject = SignedOutAuthObject & {
  [K in Exclude<keyof MachineAuthObject, keyof SignedOutAuthObject>]?: undefined;
};

/** Options of {@link requireAuth}. */
export interface RequireAuthOptions extends AuthRequirement {
  /** Token types this route accepts. Default: the middleware's (session tokens). */
  acceptsToken?: AcceptsToken;
}

/**
 * Guards a route: 401 with `WWW-Authenticate` (RFC 6750) and `{ error, reason }` when signed
 * out, 503 with `Retry-After` when Clerk could not be reached (never a sign-out), 403 when
 * signed in but the requirement fails. Thrown as `HTTPException` so `app.onError` can reshape it.
 *
 * @example
 * ```ts
 * app.get('/admin', requireAuth({ has: { role: 'org:admin' } }), (c) => c.text('hi admin'))
 * app.post('/ingest', requireAuth({ acceptsToken: 'api_key', scopes: ['write'] }), handler)
 * ```
 */
export function requireAuth(options: RequireAuthOptions = {}): MiddlewareHandler {
  const check = (state: RequestState, next: () => Promise<void>) => {
    // Only a signed-in state can meet a requirement: one that does not is forbidden.
    if (meetsRequirement(state, options)) return next();
    const forbidden = state.status === 'signed-in';
    throw new HTTPException(forbidden ? 403 : state.status === 'unavailable' ? 503 : 401, {
      res: rejectionResponse(state, { forbidden }),
      cause: forbidden ? 'forbidden' : state.reason,
    });
  };
  // Not `async`: the middleware's own verdict is already settled, so the common guard adds no await
  // of its own. What it throws still arrives as a rejection, as from an async function.
  return function clerkEdgeRequireAuth(c, next) {
    try {
      const context = clerkContext(c);
      return options.acceptsToken === undefined
        ? check(context.state, next)
        : context.authenticate(options.acceptsToken).then((state) => check(state, next));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

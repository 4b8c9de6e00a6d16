import type { ClerkEdgeOptions, EnvironmentRecord } from '../core/config.js';
import { ClerkConfigurationError } from '../core/errors.js';
import { handshakeResponse } from '../core/handshake.js';
import { createAuthResolver } from '../core/instance.js';
import { contextWaitUntil } from '../core/wait-until.js';
import { meetsRequirement, rejectionResponse, withAuthHeaders, type AuthRequirement } from '../core/responses.js';
import { requestVerdicts } from '../core/request-auth.js';
import type { AuthObject, RequestState } from '../core/state.js';
import type { CacheStore } from '../core/store.js';
import type { AcceptsToken } from '../core/token-class.js';
import { withGetToken } from '../core/template-tokens.js';
import type { ClerkClient } from '../api/client.js';
import type { ClerkClientFactory } from '../core/api-client.js';
import { workerClient } from './clerk-client.js';
import { CacheApiStore } from './cache-api-store.js';

/** The part of a Worker's `ExecutionContext` the adapter uses. */
export interface WorkerExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException?(): void;
}

/** What a protected request must satisfy: signed in with an accepted token, plus any requirement. */
export interface ProtectOptions extends AuthRequirement {
  /** Token types accepted. Default: the `acceptsToken` option (session tokens). */
  acceptsToken?: AcceptsToken;
}

/**
 * Which requests `withClerk` rejects before the handler runs: `true` (all, signed in with the
 * default token type), a {@link ProtectOptions} (all, with that requirement), or a function of
 * the request deciding per request (`false`/`undefined` leaves it to the handler).
 */
export type ProtectRule<Env> =
  | boolean
  | ProtectOptions
  | ((request: Request, env: Env) => boolean | ProtectOptions | undefined);

/** Options of {@link withClerk}: the shared options, plus what only a Worker needs. */
export interface WithClerkOptions<Env = Record<string, unknown>> extends Omit<ClerkEdgeOptions, 'store' | 'env'> {
  /**
   * Reject requests that do not pass (401 / 503 / 403 with the same bodies and headers as the
   * Hono adapter's `requireAuth`) before the handler runs. Default `false`: the handler decides.
   */
  protect?: ProtectRule<Env>;
  /**
   * The shared store behind the in-memory caches. Default: a {@link CacheApiStore} (the
   * data center's Cache API). A function receives `env`, for stores on bindings:
   * `(env) => new KvStore(env.CLERK_CACHE)`. `false` keeps everything in the isolate.
   */
  store?: CacheStore | false | ((env: Env) => CacheStore | undefined);
  /** `createClerkClient` from `clerk-edge/api`: the handler then gets the instance's client as `clerk.client`. */
  clerkClient?: ClerkClientFactory<ClerkClient>;
}

/** The auth state handed to a `withClerk` handler. */
export interface ClerkWorkerAuth {
  /** The verdict for the request (for `protect`'s token types, else the `acceptsToken` option's). */
  readonly state: RequestState;
  /** `state.toAuth()`: `userId`, `sessionId`, `orgId`, `has()` … or the signed-out object. */
  readonly auth: AuthObject;
  /** The instance's Backend API client (one per `env`, sharing the middleware's back-off); needs the `clerkClient` option. */
  readonly client: ClerkClient;
  /** The verdict for other token types (e.g. `'api_key'`), computed once per request. */
  authenticate(acceptsToken: AcceptsToken): Promise<RequestState>;
  /**
   * Guards inside the handler: resolves to the rejection `Response` (401 / 503 / 403) when the
   * request does not pass, or `undefined` when it does.
   */
  protect(requirement?: ProtectOptions): Promise<Response | undefined>;
}

/** A module Worker's fetch handler that also receives the auth state. */
export type ClerkFetchHandler<Env> = (
  request: Request,
  env: Env,
  ctx: WorkerExecutionContext,
  clerk: ClerkWorkerAuth,
) => Response | Promise<Response>;

/** The module Worker `withClerk` returns: `export default` it. */
export interface ClerkWorker<Env> {
  fetch(request: Request, env: Env, ctx: WorkerExecutionContext): Promise<Response>;
}

function protectionFor<Env>(
  rule: ProtectRule<Env> | undefined,
  request: Request,
  env: Env,
): ProtectOptions | undefined {
  const decided = typeof rule === 'function' ? rule(request, env) : rule;
  if (decided === true) return {};
  if (decided === false || decided === undefined) return undefined;
  return decided;
}

/**
 * Wraps a module Worker's fetch handler with Clerk authentication. Keys and options come from
 * the options, then from `env` bindings per field (`CLERK_SECRET_KEY`, `CLERK_PUBLISHABLE_KEY`,
 * `CLERK_JWT_KEY`, `CLERK_AUTHORIZED_PARTIES`, `CLERK_API_URL`, …). The handler gets the auth
 * state as a fourth argument; with `protect`, requests that do not pass are answered 401
 * (`WWW-Authenticate`), 503 (`Retry-After`, when Clerk is unreachable and no keys are cached;
 * never a sign-out) or 403 before the handler runs.
 *
 * Keys and machine-token verdicts are cached in the isolate and in a shared store (the Cache
 * API by default), concurrent requests share one key fetch, and stale keys are refreshed in the
 * background through `ctx.waitUntil`, so no request waits for it. A malformed option throws
 * here; a malformed binding throws on the first request that sees it.
 *
 * @example
 * ```ts
 * import { withClerk } from 'clerk-edge/workers'
 *
 * export default withClerk(async (request, env, ctx, clerk) => {
 *   if (new URL(request.url).pathname === '/public') return new Response('hello')
 *   const denied = await clerk.protect()
 *   if (denied) return denied
 *   return Response.json({ userId: clerk.auth.userId })
 * })
 *
 * // Or reject every request that is not signed in:
 * // export default withClerk(handler, { protect: true })
 * ```
 */
export function withClerk<Env extends object = Record<string, unknown>>(
  handler: ClerkFetchHandler<Env>,
  options: WithClerkOptions<Env> = {},
): ClerkWorker<Env> {
  if (typeof handler !== 'function') {
    throw new ClerkConfigurationError(
      'handler',
      'withClerk needs a fetch handler function.',
      'Call withClerk((request, env, ctx, clerk) => response, options).',
    );
  }
  const { protect: protectRule, store: storeOption, clerkClient, ...shared } = options;
  const coreOptions: ClerkEdgeOptions = { ...shared, env: {} };
  if (storeOption !== undefined && storeOption !== false && typeof storeOption !== 'function')
    coreOptions.store = storeOption;
  else if (storeOption === undefined && CacheApiStore.isAvailable()) coreOptions.store = new CacheApiStore();

  // Validates explicit options now; keys may still come from bindings with the first request.
  // `env` is one object per isolate: the resolver keeps its authenticator, so it is resolved once.
  const resolveAuth = createAuthResolver(
    coreOptions,
    typeof storeOption === 'function'
      ? (env) => {
          const store = storeOption(env as Env);
          return store ? { store } : {};
        }
      : undefined,
  );

  return {
    async fetch(request, env, ctx) {
      const auth = resolveAuth(env as EnvironmentRecord | undefined);
      const verdicts = requestVerdicts(auth, request, { waitUntil: contextWaitUntil(ctx) });
      const authenticate = (acceptsToken: AcceptsToken) => verdicts.authenticate(acceptsToken);
      const defaultAcceptsToken = auth.config.acceptsToken;
      const check = async (requirement: ProtectOptions): Promise<Response | undefined> => {
        const state = await authenticate(requirement.acceptsToken ?? defaultAcceptsToken);
        if (state.status !== 'signed-in') return rejectionResponse(state);
        if (!meetsRequirement(state, requirement)) return rejectionResponse(state, { forbidden: true });
        return undefined;
      };

      const protection = protectionFor(protectRule, request, env);
      const state = await authenticate(protection?.acceptsToken ?? defaultAcceptsToken);
      // A handshake redirect (or a return trip's 503) is answered before the handler runs.
      const early = handshakeResponse(state, request);
      if (early) return early;
      if (protection) {
        const denied = await check(protection);
        if (denied) return denied;
      }
      const clerk: ClerkWorkerAuth = {
        state,
        auth: withGetToken(state.toAuth(), auth, request, state.headers),
        get client() {
          return workerClient(auth, clerkClient);
        },
        authenticate,
        protect: (requirement = {}) => check(requirement),
      };
      const response = await handler(request, env, ctx, clerk);
      return withAuthHeaders(response, verdicts.responseHeaders());
    },
  };
}

import type { ClerkAuth } from './authenticate.js';
import { callClerkApi, backendApiUrl } from './backend-api.js';
import type { AuthObject } from './state.js';
import { withSessionGetToken } from './claims.js';
import type { ResolvedConfig } from './config.js';
import { directiveCookies } from './cookie-session.js';
import { extractCredentials } from './credentials.js';
import { ClerkEdgeError } from './errors.js';
import { LruCache } from './lru.js';
import { SingleFlight } from './single-flight.js';
import { unverifiedClaims } from './token-class.js';

/** Options of `getToken()`. */
export interface GetTokenOptions {
  /** A JWT template of the instance: mints a token from it (`POST /sessions/{id}/tokens/{template}`). */
  template?: string;
}

/**
 * The request's own session token (no template), or a token minted from a JWT template, cached per
 * (instance, session, template) until shortly before it expires. Resolves to null when there is
 * no session. Failures reject with a {@link ClerkTokenError}; the token never appears in one.
 */
export type GetToken = (options?: GetTokenOptions) => Promise<string | null>;

/**
 * Stable codes of {@link ClerkTokenError}:
 * - `template-token-not-found`: no such session or JWT template (404).
 * - `secret-key-invalid`: the Backend API refused the secret key (401/403).
 * - `secret-key-missing`: minting needs `CLERK_SECRET_KEY`.
 * - `rate-limited`: 429, or the instance is still backing off (see `retryAfterSeconds`).
 * - `backend-api-unavailable`: no usable answer (network, timeout, 5xx, malformed body).
 * - `get-token-unbound`: an auth object not handed out by an adapter cannot find its request's token.
 */
export type ClerkTokenErrorCode =
  | 'template-token-not-found'
  | 'secret-key-invalid'
  | 'secret-key-missing'
  | 'rate-limited'
  | 'backend-api-unavailable'
  | 'get-token-unbound';

/**
 * Why `getToken({ template })` failed. Switch on `code`; `status` is the Backend API's answer when
 * there was one, `retryAfterSeconds` how long to wait after a 429.
 *
 * @example
 * ```ts
 * try {
 *   await auth.getToken({ template: 'supabase' })
 * } catch (error) {
 *   if (error instanceof ClerkTokenError && error.code === 'rate-limited') console.warn(error.retryAfterSeconds)
 * }
 * ```
 */
export class ClerkTokenError extends ClerkEdgeError {
  declare readonly code: ClerkTokenErrorCode;
  declare readonly status: number | undefined;
  declare readonly retryAfterSeconds: number | undefined;
  constructor(code: ClerkTokenErrorCode, message: string, status?: number, retryAfterSeconds?: number) {
    super(code, `clerk-edge: ${message}`, code === 'rate-limited' ? 'Retry after `retryAfterSeconds`.' : '');
    this.name = 'ClerkTokenError';
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A minted token is handed out until this long before its `exp`. */
export const TEMPLATE_TOKEN_MARGIN_MS = 10_000;
const TIMEOUT_MS = 10_000;

/** Per instance: minted tokens by session and template, and the calls in flight. */
const minters = new WeakMap<ResolvedConfig, [LruCache<string>, SingleFlight<string>]>();

/** What a Backend API status means for a mint; any other status is `backend-api-unavailable`. */
const STATUS_CODES: Partial<Record<number, ClerkTokenErrorCode>> = {
  404: 'template-token-not-found',
  401: 'secret-key-invalid',
  403: 'secret-key-invalid',
  429: 'rate-limited',
};

/**
 * A token from `template` for `sessionId` of the instance `config` describes: from the cache
 * while it has more than {@link TEMPLATE_TOKEN_MARGIN_MS} left, else one Backend API call shared
 * by every caller asking for the same key meanwhile.
 *
 * @example
 * ```ts
 * const jwt = await templateToken(clerk.config, 'sess_123', 'supabase')
 * ```
 */
export async function templateToken(config: ResolvedConfig, sessionId: string, template: string): Promise<string> {
  const [cache, flight] =
    minters.get(config) ??
    minters
      .set(config, [new LruCache<string>(1000, config.now), new SingleFlight<string>(TIMEOUT_MS * 2)])
      .get(config)!;
  // Owner first: the instance is the map this cache lives in, then the session, then the template.
  const key = `${sessionId}\u0000${template}`;
  return (
    cache.get(key) ??
    flight.run(key, async () => {
      const fail = (code: ClerkTokenErrorCode, what: string, status?: number, wait?: number) =>
        new ClerkTokenError(code, `no token from JWT template "${template}": ${what}`, status, wait);
      if (config.secretKey === undefined) throw fail('secret-key-missing', 'set CLERK_SECRET_KEY.');
      // An empty or dot-segment name would make the URL another endpoint (`tokens/..` is `POST /sessions/{id}`).
      if (/^\.{0,2}$/.test(template)) throw fail('template-token-not-found', 'not a template name.');
      // The instance's back-off gate (shared with clerk-edge/api) answers 429 itself while this endpoint waits.
      const result = await callClerkApi<{ jwt?: unknown }>(config, {
        method: 'POST',
        url: backendApiUrl(config, `sessions/${encodeURIComponent(sessionId)}/tokens/${encodeURIComponent(template)}`),
        bearer: config.secretKey,
        body: {},
        timeoutMs: TIMEOUT_MS,
        endpoint: 'POST /sessions/{session_id}/tokens/{template_name}',
      });
      // Only an answer has data.
      const jwt = (result as { data?: { jwt?: unknown } }).data?.jwt;
      if (typeof jwt !== 'string' || jwt.split('.').length !== 3) {
        // An HTTP error by its status (only an HTTP error has one); no answer, or one without a JWT, is
        // `backend-api-unavailable`.
        const { status, retryAfterSeconds } = result as {
          status?: number;
          retryAfterSeconds?: number;
        };
        throw fail(
          STATUS_CODES[status as number] ?? 'backend-api-unavailable',
          status ? `Backend API answered ${status}.` : 'no JWT from the Backend API.',
          status,
          status === 429 ? retryAfterSeconds : undefined,
        );
      }
      // `exp` read without verification (the token comes from the Backend API over TLS); without one it is not kept.
      const exp = unverifiedClaims(jwt)?.exp;
      if (typeof exp === 'number') cache.set(key, jwt, exp * 1000 - TEMPLATE_TOKEN_MARGIN_MS - config.now());
      return jwt;
    })
  );
}

/** The session token a request carries: a fresh one from a refresh (`Set-Cookie`) first, then Authorization, then the cookie. */
async function requestSessionToken(
  clerk: ClerkAuth,
  request: Request,
  responseHeaders: Headers | undefined,
): Promise<string | undefined> {
  const suffix = await clerk.cookieSuffix();
  const fresh = directiveCookies(responseHeaders?.getSetCookie() ?? []);
  const credentials = extractCredentials(request.headers, suffix);
  return (
    fresh.get(`__session_${suffix}`) ?? fresh.get('__session') ?? credentials.bearerToken ?? credentials.sessionCookie
  );
}

/**
 * Gives a signed-in session auth object the `getToken` of its request: the request's own token,
 * or one from a JWT template of the same instance. Other auth objects are returned as they are.
 * Adapters call it when they hand the auth object out. Internal.
 *
 * @example
 * ```ts
 * const auth = withGetToken(state.toAuth(), clerk, request, state.headers)
 * await auth.getToken({ template: 'supabase' })
 * ```
 */
export function withGetToken<A extends AuthObject>(
  auth: A,
  clerk: ClerkAuth,
  request: Request,
  responseHeaders?: Headers,
): A {
  if (auth.tokenType !== 'session_token' || !auth.isAuthenticated) return auth;
  const { sessionId } = auth;
  return withSessionGetToken(auth, async (options = {}) =>
    options.template === undefined
      ? ((await requestSessionToken(clerk, request, responseHeaders)) ?? null)
      : sessionId === null
        ? null
        : templateToken(clerk.config, sessionId, options.template),
  ) as A;
}

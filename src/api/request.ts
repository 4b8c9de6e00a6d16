import createClient from 'openapi-fetch';
import { gatedFetch, parseRetryAfter, type ApiCall, type ApiFailure, type ApiResult } from '../core/backend-api.js';
import type { paths } from './generated/bapi.js';
import { ClerkApiError, parseErrorBody } from './errors.js';
import { resolveClientOptions } from './options.js';
import type { ClerkClientOptions } from './options.js';
import { paginate } from './paginate.js';
import type { AnyInit, Caller, HttpMethod, PathsWith } from './types.js';

/** The lower-level client: one typed `request` for any operation, and the pagination helper. */
export interface ClerkRequestClient {
  /**
   * Calls any operation by method and spec path. Resolves to the parsed answer; throws
   * {@link ClerkApiError} for every failure.
   */
  request<M extends HttpMethod, P extends PathsWith<M>>(
    method: M,
    path: P,
    ...init: Parameters<Caller<M, P>>
  ): ReturnType<Caller<M, P>>;
  /** Walks every item of a paginated list operation (see {@link paginate}). */
  paginate: typeof paginate;
}

/**
 * Whether a path parameter is exactly one URL segment naming one resource: a string (or finite number)
 * that, however often it is percent-decoded (up to 4 times), is not empty, not `.` or `..`, and holds
 * no `/` or `\`. Anything else would make the URL name another endpoint (`/users/..` is `/`), called
 * with the secret key.
 */
function isSingleSegment(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'string') return false;
  let decoded = value;
  for (let round = 0; round < 4; round++) {
    if (/^\.{0,2}$|[/\\]/.test(decoded)) return false;
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return true; // a lone `%` is sent encoded as `%25`: it cannot form a dot segment or a slash.
    }
    if (next === decoded) return true;
    decoded = next;
  }
  return false; // encoded more often than any real id is
}

/**
 * Creates the lower-level Backend API client: `request(method, path, init)` for any operation of the
 * spec, with the same errors, retries, timeouts and back-off as {@link createClerkClient}, without
 * the operation table (the smallest bundle). `openapi-fetch` serialises each call; the core's gate
 * sends it (timeout, `Retry-After`, back-off), the one the middleware uses.
 *
 * @example
 * ```ts
 * import { createClerkRequestClient } from 'clerk-edge/api';
 *
 * const clerk = createClerkRequestClient({ secretKey: 'sk_test_123' });
 * const user = await clerk.request('get', '/users/{user_id}', { path: { user_id: 'user_123' } });
 * console.info(user.first_name);
 * ```
 */
export function createClerkRequestClient(options: ClerkClientOptions = {}): ClerkRequestClient {
  const config = resolveClientOptions(options);
  const client = createClient<paths>({ baseUrl: config.baseUrl });
  const send = client.request as (
    method: string,
    path: string,
    init: object,
  ) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

  /** One attempt: openapi-fetch serialises path, query and body; its `fetch` is the core's gate. */
  async function attempt(method: HttpMethod, path: string, init: AnyInit, call: ApiCall): Promise<ApiResult<unknown>> {
    try {
      const { data, error, response } = await send(method, path, {
        params: { path: init.path, query: init.query },
        body: init.body,
        fetch: async (request: Request) => {
          const answer = await gatedFetch(config.fetch, request, { headers: request.headers }, call, config.backoff);
          if (answer instanceof Response) return answer;
          throw answer;
        },
      });
      const { status } = response;
      const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
      return response.ok
        ? { kind: 'ok', status, data }
        : { kind: 'http-error', status, retryAfterSeconds, body: error };
    } catch (failure) {
      // The gate's failure (back-off, network, timeout), or openapi-fetch reading a 2xx body that is not JSON.
      if (failure instanceof SyntaxError) return { kind: 'unreachable', cause: 'malformed-response' };
      if ((failure as ApiFailure | undefined)?.kind) return failure as ApiFailure;
      throw failure;
    }
  }

  async function request(method: HttpMethod, path: string, init: AnyInit = {}): Promise<unknown> {
    const endpoint = `${method.toUpperCase()} ${path}`;
    const fail = (code: ClerkApiError['code'], extra?: Partial<ConstructorParameters<typeof ClerkApiError>[1]>) =>
      new ClerkApiError(code, { endpoint, redact: [config.secretKey], ...extra });
    const values = init.path ?? {};
    // The names of the path's `{parameter}`s, checked before anything is sent.
    const refused = path.match(/[^{}]+(?=\})/g)?.find((name) => !isSingleSegment(values[name]));
    if (refused !== undefined) throw fail('api-invalid-path-parameter', { parameter: refused });
    const call = { bearer: config.secretKey, timeoutMs: config.timeoutMs, endpoint };
    for (let tries = 0; ; tries++) {
      const result = await attempt(method, path, init, call);
      if (result.kind === 'ok') return result.data;
      // Only GETs are safe to repeat, and only once, after a failure that may be transient.
      const transient = result.kind === 'unreachable' ? result.cause === 'network-error' : result.status >= 500;
      if (method !== 'get' || tries > 0 || !transient) {
        if (result.kind === 'unreachable') throw fail(`api-${result.cause}`);
        const { status, retryAfterSeconds } = result;
        // A 429 reports the wait the client backs off for: capped, or the default without a header.
        throw fail(status === 429 ? 'api-rate-limited' : 'api-response-error', {
          status,
          retryAfterSeconds,
          ...parseErrorBody(result.body),
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 75 + 150 * Math.random()));
    }
  }

  return { request: request as ClerkRequestClient['request'], paginate };
}

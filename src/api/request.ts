import createClient from 'openapi-fetch';

import { backoffSeconds } from '../core/backoff.js';
import type { paths } from './generated/bapi.js';
import { ClerkApiError, parseErrorBody } from './errors.js';
import type { ClerkApiErrorCode } from './errors.js';
import { resolveClientOptions } from './options.js';
import type { ClerkClientOptions, ResolvedClientOptions } from './options.js';
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

type Attempt = { ok: true; data: unknown } | { ok: false; error: ClerkApiError };

const RETRY_BASE_MS = 150;

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

const PATH_TEMPLATE_PARAMETER = /\{([^{}]+)\}/g;
const MAX_DECODE_ROUNDS = 4;

/**
 * Whether a path parameter is exactly one URL segment naming one resource: a string (or finite number)
 * that, however often it is percent-decoded, is not empty, not `.` or `..`, and holds no `/` or `\`.
 * Anything else would make the URL name another endpoint (`/users/..` is `/`), called with the secret key.
 */
function isSingleSegment(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'string') return false;
  let decoded = value;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    if (decoded === '' || decoded === '.' || decoded === '..' || /[/\\]/.test(decoded)) return false;
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

/** The name of the first path parameter of `path` that is not a single segment, if any. */
function refusedPathParameter(path: string, values: Record<string, unknown> | undefined): string | undefined {
  for (const [, name] of path.matchAll(PATH_TEMPLATE_PARAMETER)) {
    if (name !== undefined && !isSingleSegment(values?.[name])) return name;
  }
  return undefined;
}

/** Performs one attempt with its own timeout; never throws. */
async function attempt(
  config: ResolvedClientOptions,
  client: ReturnType<typeof createClient<paths>>,
  method: HttpMethod,
  path: string,
  init: AnyInit,
): Promise<Attempt> {
  const endpoint = `${method.toUpperCase()} ${path}`;
  const fail = (code: ClerkApiErrorCode, extra: Partial<ConstructorParameters<typeof ClerkApiError>[1]> = {}) => ({
    ok: false as const,
    error: new ClerkApiError(code, { endpoint, redact: [config.secretKey], ...extra }),
  });
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, config.timeoutMs);
  try {
    // The loose init is checked against the spec by the typed callers; openapi-fetch only serializes it.
    const { data, error, response } = await (
      client.request as (m: string, p: string, i: object) => ReturnType<typeof client.GET>
    )(method, path, { params: { path: init.path, query: init.query }, body: init.body, signal: controller.signal });
    if (response.ok) return { ok: true, data };
    const { errors, traceId } = parseErrorBody(error);
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    const limited = response.status === 429;
    // A 429 reports the wait the client actually backs off for: capped, or the default without a header.
    const retryAfterSeconds = limited ? backoffSeconds(retryAfter) : retryAfter;
    const code = limited ? 'api-rate-limited' : 'api-response-error';
    return fail(code, { status: response.status, errors, traceId, retryAfterSeconds });
  } catch (error) {
    if (timedOut) return fail('api-timeout');
    return fail(error instanceof SyntaxError ? 'api-malformed-response' : 'api-network-error');
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates the lower-level Backend API client: `request(method, path, init)` for any operation of the
 * spec, with the same errors, retries, timeouts and back-off as {@link createClerkClient}, without
 * the operation table (the smallest bundle).
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
  const client = createClient<paths>({
    baseUrl: config.baseUrl,
    fetch: (request: Request) => config.fetch(request),
    headers: { authorization: `Bearer ${config.secretKey}`, 'clerk-api-version': config.apiVersionHeader },
  });

  async function request(method: HttpMethod, path: string, init: AnyInit = {}): Promise<unknown> {
    const endpoint = `${method.toUpperCase()} ${path}`;
    const parameter = refusedPathParameter(path, init.path as Record<string, unknown> | undefined);
    if (parameter !== undefined) {
      throw new ClerkApiError('api-invalid-path-parameter', { endpoint, parameter, redact: [config.secretKey] });
    }
    const blocked = config.backoff.blockedFor(endpoint);
    if (blocked > 0) {
      throw new ClerkApiError('api-rate-limited', {
        endpoint,
        status: 429,
        retryAfterSeconds: blocked,
        redact: [config.secretKey],
      });
    }
    for (let tries = 0; ; tries++) {
      const outcome = await attempt(config, client, method, path, init);
      if (outcome.ok) return outcome.data;
      const { error } = outcome;
      // Only GETs are safe to repeat, and only once, after a failure that may be transient.
      const transient = error.code === 'api-network-error' || (error.status !== undefined && error.status >= 500);
      if (method !== 'get' || tries > 0 || !transient) {
        if (error.code === 'api-rate-limited')
          config.backoff.openFor(endpoint, backoffSeconds(error.retryAfterSeconds));
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_BASE_MS * (0.5 + Math.random())));
    }
  }

  return { request: request as ClerkRequestClient['request'], paginate };
}

import { backoffSeconds, instanceBackoff, type BackoffGate } from './backoff.js';
import { CLERK_API_VERSION_HEADER, type ResolvedConfig } from './config.js';

/**
 * The outcome of one Backend/Frontend API call, already sorted into what the caller must do.
 * Never carries the bearer or the request body. Internal.
 */
export type ApiResult<T> =
  | { kind: 'ok'; status: number; data: T }
  /**
   * The API answered with a non-2xx status (or its endpoint is backing off: a 429 that was never
   * sent). `body` is the parsed error body, if it was JSON. On a 429, `retryAfterSeconds` is the
   * back-off's wait.
   */
  | { kind: 'http-error'; status: number; retryAfterSeconds: number | undefined; body?: unknown }
  /** No answer: network failure, timeout, or a 2xx whose body is not JSON. */
  | { kind: 'unreachable'; cause: 'network-error' | 'timeout' | 'malformed-response' };

export interface ApiRequest {
  /** Upper case. */
  method: string;
  /** Absolute URL. */
  url: string;
  bearer?: string | undefined;
  /** JSON, or `FormData` sent as it is. */
  body?: unknown;
  timeoutMs: number;
  /** The endpoint's name in the back-off: while it is closed nothing is sent, and a 429 closes it. */
  endpoint?: string;
}

/** Builds a Backend API URL: `<apiUrl>/<apiVersion>/<path>`. */
export function backendApiUrl(config: ResolvedConfig, path: string): string {
  return `${config.apiUrl}/${config.apiVersion}/${path}`;
}

/** `Retry-After` in seconds: a number of seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return +value;
  const date = Date.parse(value);
  return date ? Math.max(0, Math.ceil((date - Date.now()) / 1000)) : undefined;
}

/**
 * The one transport to Clerk's APIs, for the core and `clerk-edge/api`: one attempt with a timeout
 * covering the whole exchange (headers and body), the Clerk-API-Version header, and the back-off
 * `gate` for `request.endpoint`. Never throws: every failure is a value (the core maps it to a
 * reason with `apiRefusal`, the client to a `ClerkApiError`).
 *
 * @example
 * ```ts
 * const result = await clerkFetch(fetch, { method: 'GET', url, bearer: secretKey, timeoutMs: 5000 })
 * ```
 */
export async function clerkFetch<T>(
  fetcher: typeof fetch,
  request: ApiRequest,
  gate?: BackoffGate,
): Promise<ApiResult<T>> {
  const { endpoint, body } = request;
  const blocked = gate && endpoint ? gate.blockedFor(endpoint) : 0;
  if (blocked > 0) return { kind: 'http-error', status: 429, retryAfterSeconds: blocked };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  try {
    const headers: Record<string, string> = { 'clerk-api-version': CLERK_API_VERSION_HEADER };
    if (request.bearer) headers.authorization = `Bearer ${request.bearer}`;
    const form = body instanceof FormData;
    if (body !== undefined && !form) headers['content-type'] = 'application/json';
    const response = await fetcher(request.url, {
      method: request.method,
      headers,
      body: form || body === undefined ? (body as FormData | undefined) : JSON.stringify(body),
      signal: controller.signal,
    });
    const text = await response.text().catch((error: unknown) => {
      // An error body decides nothing (the status does): an unreadable one is no body.
      if (response.ok) throw error;
      return '';
    });
    const { status } = response;
    let data: unknown;
    let malformed = false;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      malformed = true;
    }
    if (response.ok)
      return malformed ? { kind: 'unreachable', cause: 'malformed-response' } : { kind: 'ok', status, data: data as T };
    let retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
    if (status === 429 && gate && endpoint) {
      const wait = backoffSeconds(retryAfterSeconds);
      gate.openFor(endpoint, wait);
      retryAfterSeconds = gate.blockedFor(endpoint) || wait;
    }
    return { kind: 'http-error', status, retryAfterSeconds, body: data };
  } catch {
    return { kind: 'unreachable', cause: controller.signal.aborted ? 'timeout' : 'network-error' };
  } finally {
    clearTimeout(timer);
  }
}

/** {@link clerkFetch} with the configuration's fetch and, for `request.endpoint`, the instance's back-off. */
export function callClerkApi<T>(config: ResolvedConfig, request: ApiRequest): Promise<ApiResult<T>> {
  return clerkFetch<T>(config.fetch, request, instanceBackoff(config));
}

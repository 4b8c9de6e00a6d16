import { backoffSeconds, instanceBackoff, type BackoffGate } from './backoff.js';
import { CLERK_API_VERSION_HEADER, type ResolvedConfig } from './config.js';

/**
 * The outcome of one Backend/Frontend API call, already sorted into what the caller must do.
 * Never carries the bearer or the request body. Internal.
 */
export type ApiResult<T> =
  | { kind: 'ok'; status?: number; data: T }
  /**
   * The API answered with a non-2xx status (or its endpoint is backing off: a 429 that was never
   * sent). `body` is the parsed error body, if it was JSON. On a 429, `retryAfterSeconds` is the
   * back-off's wait.
   */
  | { kind: 'http-error'; status: number; retryAfterSeconds: number | undefined; body?: unknown }
  /** No answer: network failure, timeout, or a 2xx whose body is not JSON. */
  | { kind: 'unreachable'; cause: 'network-error' | 'timeout' | 'malformed-response' };

/** What every call to Clerk's APIs is sent with, besides the request itself. Internal. */
export interface ApiCall {
  bearer?: string | undefined;
  timeoutMs: number;
  /** The endpoint's name in the back-off: while it is closed nothing is sent, and a 429 closes it. */
  endpoint?: string | undefined;
}

export interface ApiRequest extends ApiCall {
  /** Upper case. */
  method: string;
  /** Absolute URL. */
  url: string;
  /** Sent as JSON. */
  body?: unknown;
}

/** What {@link gatedFetch} answers instead of a Response: nothing was sent (back-off), or no answer. */
export type ApiFailure = Exclude<ApiResult<never>, { kind: 'ok' }>;

/** Builds a Backend API URL: `<apiUrl>/<apiVersion>/<path>`. */
export function backendApiUrl(config: ResolvedConfig, path: string): string {
  return `${config.apiUrl}/${config.apiVersion}/${path}`;
}

/** `Retry-After` in seconds: a number of seconds or an HTTP date (undefined when absent or neither). */
export function parseRetryAfter(value: string | null): number | undefined {
  // `null` is neither: it fails the pattern, and `Date.parse(null)` is NaN.
  const date = Date.parse(value as string);
  return /^\s*\d+\s*$/.test(value as string)
    ? +(value as string)
    : date
      ? Math.max(0, Math.ceil((date - Date.now()) / 1000))
      : undefined;
}

/**
 * An answer read whole: the response (its body used up), the body's text, and its `Retry-After` in
 * seconds (on a 429 behind a gate, the back-off's wait).
 */
type Exchanged = [response: Response, text: string, wait?: number];

/** {@link gatedFetch}'s work, answering the text beside the spent response (the core needs no second Response). */
async function exchange(
  fetcher: typeof fetch,
  input: string | Request,
  init: RequestInit,
  call: ApiCall,
  gate?: BackoffGate,
): Promise<Exchanged | ApiFailure> {
  const { endpoint } = call;
  const blocked = (endpoint && gate?.blockedFor(endpoint)) as number;
  if (blocked > 0) return { kind: 'http-error', status: 429, retryAfterSeconds: blocked };
  const signal = AbortSignal.timeout(call.timeoutMs);
  try {
    const headers = new Headers(init.headers);
    headers.set('clerk-api-version', CLERK_API_VERSION_HEADER);
    if (call.bearer) headers.set('authorization', `Bearer ${call.bearer}`);
    const response = await fetcher(input, { ...init, headers, signal });
    // An error body decides nothing (the status does): an unreadable one is no body.
    const text = await (response.ok ? response.text() : response.text().catch(() => ''));
    let wait = parseRetryAfter(response.headers.get('retry-after'));
    if (response.status === 429 && gate && endpoint) {
      wait = backoffSeconds(wait);
      gate.openFor(endpoint, wait);
      wait = gate.blockedFor(endpoint) || wait;
    }
    return [response, text, wait];
  } catch {
    return { kind: 'unreachable', cause: signal.aborted ? 'timeout' : 'network-error' };
  }
}

/**
 * The one gate in front of Clerk's APIs, for the core ({@link callClerkApi}) and `clerk-edge/api`
 * (openapi-fetch's `fetch`): refuses locally while `call.endpoint` is backing off in `gate`, adds
 * the Clerk-API-Version header and the bearer, and gives the whole exchange (headers and body) one
 * timeout. Answers the Response with its body already read, or a failure; never throws. On a 429 it
 * closes the endpoint in `gate` and the Response's `Retry-After` becomes the seconds it is closed for.
 *
 * @example
 * ```ts
 * const answer = await gatedFetch(fetch, url, { method: 'GET' }, { bearer: secretKey, timeoutMs: 5000 })
 * if (answer instanceof Response) console.info(answer.status)
 * ```
 */
export async function gatedFetch(
  fetcher: typeof fetch,
  input: string | Request,
  init: RequestInit,
  call: ApiCall,
  gate?: BackoffGate,
): Promise<Response | ApiFailure> {
  const exchanged = await exchange(fetcher, input, init, call, gate);
  if ('kind' in exchanged) return exchanged;
  const [response, text, wait] = exchanged;
  try {
    const answer = new Response(text || null, response);
    if (response.status === 429 && gate && call.endpoint) answer.headers.set('retry-after', `${wait}`);
    return answer;
  } catch {
    // A status a Response cannot be built with (outside 200-599): no usable answer.
    return { kind: 'unreachable', cause: 'network-error' };
  }
}

/**
 * A JSON call to Clerk's APIs behind the gate of {@link gatedFetch}, with the configuration's fetch
 * and the instance's back-off, its answer sorted into an {@link ApiResult}. Never throws: every
 * failure is a value (the core maps it to a reason with `apiRefusal`).
 *
 * @example
 * ```ts
 * const result = await callClerkApi(config, { method: 'GET', url, bearer: secretKey, timeoutMs: 5000 })
 * ```
 */
export async function callClerkApi<T>(config: ResolvedConfig, request: ApiRequest): Promise<ApiResult<T>> {
  const { body } = request;
  const exchanged = await exchange(
    config.fetch,
    request.url,
    {
      method: request.method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    },
    request,
    instanceBackoff(config),
  );
  if ('kind' in exchanged) return exchanged;
  const [{ status, ok }, text, wait] = exchanged;
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    if (ok) return { kind: 'unreachable', cause: 'malformed-response' };
  }
  return ok ? { kind: 'ok', data: data as T } : { kind: 'http-error', status, retryAfterSeconds: wait, body: data };
}

import { CLERK_API_VERSION_HEADER, type ResolvedConfig } from './config.js';

/**
 * The outcome of one Backend/Frontend API call, already sorted into what the caller must do.
 * Never carries the bearer or the request body. Internal.
 */
export type ApiResult<T> =
  | { kind: 'ok'; status: number; data: T }
  /** The API answered with a non-2xx status. */
  | { kind: 'http-error'; status: number; retryAfterSeconds: number | undefined }
  /** Network failure, timeout, or a 2xx whose body is not JSON. */
  | { kind: 'unreachable' };

export interface ApiRequest {
  method: 'GET' | 'POST';
  /** Absolute URL. */
  url: string;
  bearer?: string | undefined;
  body?: unknown;
  /** Extra headers (never Authorization or Cookie from the incoming request). */
  headers?: Record<string, string>;
  timeoutMs: number;
}

/** Builds a Backend API URL: `<apiUrl>/<apiVersion>/<path>`. */
export function backendApiUrl(config: ResolvedConfig, path: string): string {
  return `${config.apiUrl}/${config.apiVersion}/${path.replace(/^\/+/, '')}`;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * Calls a Clerk API with a timeout covering the whole exchange (headers and body). Never
 * throws: every failure is a value the caller maps to a reason with `apiRefusal`.
 */
export async function callClerkApi<T>(config: ResolvedConfig, request: ApiRequest): Promise<ApiResult<T>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  try {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'clerk-api-version': CLERK_API_VERSION_HEADER,
      ...request.headers,
    };
    if (request.bearer !== undefined) headers.authorization = `Bearer ${request.bearer}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const response = await config.fetch(request.url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: controller.signal,
    });
    if (!response.ok) {
      try {
        // Error bodies decide nothing (the status does, see `apiRefusal`): read them only to free the connection.
        await response.arrayBuffer();
      } catch {
        // Nothing to free.
      }
      return {
        kind: 'http-error',
        status: response.status,
        retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
      };
    }
    try {
      return { kind: 'ok', status: response.status, data: (await response.json()) as T };
    } catch {
      return { kind: 'unreachable' };
    }
  } catch {
    return { kind: 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

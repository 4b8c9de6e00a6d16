/**
 * The one place that decides where a request came from. `Host`, `X-Forwarded-*`, `X-Real-IP` and
 * `CF-Connecting-IP` are whatever the client sent unless a proxy in front of the app sets them, so
 * they are read only when the app says so (`trustProxyHeaders`).
 */

/** How a request's public origin and client IP are read. Internal (the resolved config is one). */
export interface OriginPolicy {
  /** Read proxy headers (`X-Forwarded-Host`/`-Proto`, `CF-Connecting-IP`, `X-Real-IP`, `X-Forwarded-For`). */
  trustProxyHeaders: boolean;
}

/** The first entry of a comma-separated request header, trimmed; undefined when absent or empty. */
function firstValue(request: Request, name: string): string | undefined {
  return request.headers.get(name)?.split(',')[0]?.trim() || undefined;
}

/**
 * The origin the browser used: the request URL's origin, or (with `trustProxyHeaders`) the one
 * the proxy reports in `X-Forwarded-Host` / `X-Forwarded-Proto`. A proxy value that is not a
 * host falls back to the request URL.
 *
 * @example
 * ```ts
 * const request = new Request('http://10.0.0.5:3000/x', { headers: { 'x-forwarded-host': 'app.example.com', 'x-forwarded-proto': 'https' } })
 * publicOrigin(request, { trustProxyHeaders: false }) // 'http://10.0.0.5:3000'
 * publicOrigin(request, { trustProxyHeaders: true }) // 'https://app.example.com'
 * ```
 */
export function publicOrigin(request: Request, policy: OriginPolicy): string {
  const url = new URL(request.url);
  if (!policy.trustProxyHeaders) return url.origin;
  const proto = firstValue(request, 'x-forwarded-proto')?.toLowerCase() as string;
  try {
    // A forwarded proto that is not http(s) (or none) keeps the request URL's.
    return new URL(
      `${/^https?$/.test(proto) ? `${proto}:` : url.protocol}//${firstValue(request, 'x-forwarded-host') ?? url.host}`,
    ).origin;
  } catch {
    return url.origin;
  }
}

/**
 * The client IP a trusted proxy reports (`CF-Connecting-IP`, `X-Real-IP`, then the first
 * `X-Forwarded-For` entry); undefined without `trustProxyHeaders` or when none is a plausible IP.
 *
 * @example
 * ```ts
 * const request = new Request('https://app.example.com/', { headers: { 'x-forwarded-for': '203.0.113.9, 10.0.0.1' } })
 * clientIp(request, { trustProxyHeaders: true }) // '203.0.113.9'
 * clientIp(request, { trustProxyHeaders: false }) // undefined
 * ```
 */
export function clientIp(request: Request, policy: OriginPolicy): string | undefined {
  if (!policy.trustProxyHeaders) return undefined;
  const header = (name: string) => request.headers.get(name)?.trim();
  const ip = header('cf-connecting-ip') || header('x-real-ip') || firstValue(request, 'x-forwarded-for');
  return ip && /^[0-9a-f:.]{2,45}$/i.test(ip) ? ip : undefined;
}

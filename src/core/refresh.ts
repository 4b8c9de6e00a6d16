import { decodeJwt } from 'jose';
import { backendApiUrl, callClerkApi } from './backend-api.js';
import type { ResolvedConfig } from './config.js';
import { parseCookies } from './credentials.js';
import type { AuthErrorReason } from './errors.js';
import { FLIGHT_GRACE_MS, sha256Hex, SingleFlight } from './store.js';

/** The result of a refresh call: new cookie directives, or why not. Internal. */
export type RefreshResult =
  | { ok: true; sessionToken: string; setCookies: string[] }
  | {
      ok: false;
      status: 'signed-out' | 'unavailable';
      reason: AuthErrorReason;
      retryAfterSeconds?: number | undefined;
    };

/** The only request headers the refresh endpoint gets: enough to place the request, nothing that authenticates it. */
const FORWARDED_HEADERS = [
  'host',
  'origin',
  'referer',
  'user-agent',
  'x-forwarded-host',
  'x-forwarded-proto',
  'sec-fetch-dest',
];

function originatingIp(headers: Headers): string | undefined {
  const direct = headers.get('cf-connecting-ip') ?? headers.get('x-real-ip');
  if (direct) return direct.trim();
  const forwarded = headers.get('x-forwarded-for');
  return forwarded ? forwarded.split(',')[0]!.trim() || undefined : undefined;
}

/** The origin the browser used, honouring a proxy's `x-forwarded-*` headers. */
export function requestOrigin(request: Request): string {
  const url = new URL(request.url);
  const host = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim() || url.host;
  const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() || url.protocol.replace(':', '');
  return `${proto}://${host}`;
}

/**
 * Refreshes expired cookie sessions through `POST /v1/sessions/{sid}/refresh` with
 * `format: "cookie"`. Concurrent refreshes of the same token pair share one call. Internal.
 */
export class SessionRefresher {
  readonly #config: ResolvedConfig;
  readonly #flight: SingleFlight<RefreshResult>;

  constructor(config: ResolvedConfig) {
    this.#config = config;
    this.#flight = new SingleFlight(config.machineTokens.timeoutMs + FLIGHT_GRACE_MS);
  }

  async refresh(request: Request, expiredToken: string, refreshToken: string): Promise<RefreshResult> {
    const secretKey = this.#config.secretKey;
    if (secretKey === undefined) return { ok: false, status: 'signed-out', reason: 'token-expired' };
    let sessionId: unknown;
    try {
      sessionId = decodeJwt(expiredToken).sid;
    } catch {
      return { ok: false, status: 'signed-out', reason: 'token-malformed' };
    }
    if (typeof sessionId !== 'string' || !/^[A-Za-z0-9_]+$/.test(sessionId))
      return { ok: false, status: 'signed-out', reason: 'token-invalid-claims' };

    const flightKey = await sha256Hex(`${expiredToken}\u0000${refreshToken}`);
    return this.#flight.run(flightKey, () =>
      this.#call(request, sessionId as string, expiredToken, refreshToken, secretKey),
    );
  }

  async #call(
    request: Request,
    sessionId: string,
    expiredToken: string,
    refreshToken: string,
    secretKey: string,
  ): Promise<RefreshResult> {
    const requestHeaders: Record<string, string[]> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = request.headers.get(name);
      if (value !== null) requestHeaders[name] = [value];
    }
    const ip = originatingIp(request.headers);
    const result = await callClerkApi<{ object?: unknown; cookies?: unknown }>(this.#config, {
      method: 'POST',
      url: backendApiUrl(this.#config, `sessions/${encodeURIComponent(sessionId)}/refresh`),
      bearer: secretKey,
      body: {
        expired_token: expiredToken,
        refresh_token: refreshToken,
        request_origin: requestOrigin(request),
        request_headers: requestHeaders,
        ...(ip ? { request_originating_ip: ip } : {}),
        format: 'cookie',
      },
      timeoutMs: this.#config.machineTokens.timeoutMs,
    });
    if (result.kind === 'unreachable') return { ok: false, status: 'unavailable', reason: 'backend-api-unavailable' };
    if (result.kind === 'http-error') {
      if (result.status === 401 || result.status === 400 || result.status === 404 || result.status === 422) {
        return { ok: false, status: 'signed-out', reason: 'refresh-rejected' };
      }
      if (result.status === 429)
        return {
          ok: false,
          status: 'unavailable',
          reason: 'rate-limited',
          retryAfterSeconds: result.retryAfterSeconds,
        };
      return {
        ok: false,
        status: 'unavailable',
        reason: 'backend-api-unavailable',
        retryAfterSeconds: result.retryAfterSeconds,
      };
    }
    const cookies = result.data?.cookies;
    if (!Array.isArray(cookies) || !cookies.every((cookie) => typeof cookie === 'string')) {
      return { ok: false, status: 'unavailable', reason: 'backend-api-unavailable' };
    }
    const sessionToken = findSessionCookie(cookies as string[]);
    if (!sessionToken) return { ok: false, status: 'unavailable', reason: 'backend-api-unavailable' };
    return { ok: true, sessionToken, setCookies: cookies as string[] };
  }
}

/** The new session token among `Set-Cookie` directives (`__session` or `__session_<suffix>`). */
function findSessionCookie(directives: string[]): string | undefined {
  for (const directive of directives) {
    const [pair] = directive.split(';');
    for (const [name, value] of parseCookies(pair ?? '')) {
      if ((name === '__session' || name.startsWith('__session_')) && value !== '') return value;
    }
  }
  return undefined;
}

import { decodeJwt } from 'jose';
import { backendApiUrl, callClerkApi } from './backend-api.js';
import { instanceBackoff } from './backoff.js';
import type { ResolvedConfig } from './config.js';
import { parseCookies } from './credentials.js';
import { clientIp, publicOrigin } from './origin.js';
import { apiRefusal, refused, unavailable, type Refusal } from './refusal.js';
import { sha256Hex } from './hash.js';
import { FLIGHT_GRACE_MS, SingleFlight } from './single-flight.js';

/** The result of a refresh call: new cookie directives, or why not. Internal. */
export type RefreshResult = { ok: true; sessionToken: string; setCookies: string[] } | Refusal;

/** The only request headers the refresh endpoint gets: enough to place the request, nothing that authenticates it. */
const FORWARDED_HEADERS = ['host', 'origin', 'referer', 'user-agent', 'sec-fetch-dest'];
/** Proxy headers, passed on only with `trustProxyHeaders`. */
const PROXY_HEADERS = ['x-forwarded-host', 'x-forwarded-proto'];

/** How long a refused refresh (same session, same refresh token) is answered from memory. */
export const REFRESH_REJECTION_TTL_MS = 5000;
const MAX_REMEMBERED_REJECTIONS = 1000;
/** The refresh endpoint in the instance's back-off: one gate for every session (Clerk limits per instance). */
const REFRESH_ENDPOINT = 'sessions/refresh';

/**
 * Refreshes expired cookie sessions through `POST /v1/sessions/{sid}/refresh` with
 * `format: "cookie"`. Concurrent refreshes of the same token pair share one call; a 429 closes the
 * endpoint in the instance's back-off (see {@link instanceBackoff}) until its wait has passed. Internal.
 */
export class SessionRefresher {
  readonly #config: ResolvedConfig;
  readonly #flight: SingleFlight<RefreshResult>;
  /** Refusals by session id and SHA-256 of the refresh token (this authenticator's instance only), until their expiry. */
  readonly #rejections = new Map<string, number>();

  constructor(config: ResolvedConfig) {
    this.#config = config;
    this.#flight = new SingleFlight(config.machineTokens.timeoutMs + FLIGHT_GRACE_MS);
  }

  #rejectedRecently(key: string): boolean {
    const until = this.#rejections.get(key);
    if (until === undefined) return false;
    if (until > this.#config.now()) return true;
    this.#rejections.delete(key);
    return false;
  }

  #rememberRejection(key: string): void {
    this.#rejections.delete(key);
    if (this.#rejections.size >= MAX_REMEMBERED_REJECTIONS) {
      const oldest = this.#rejections.keys().next().value;
      if (oldest !== undefined) this.#rejections.delete(oldest);
    }
    this.#rejections.set(key, this.#config.now() + REFRESH_REJECTION_TTL_MS);
  }

  async refresh(request: Request, expiredToken: string, refreshToken: string): Promise<RefreshResult> {
    const secretKey = this.#config.secretKey;
    if (secretKey === undefined) return refused('token-expired');
    let sessionId: unknown;
    try {
      sessionId = decodeJwt(expiredToken).sid;
    } catch {
      return refused('token-malformed');
    }
    if (typeof sessionId !== 'string' || !/^[A-Za-z0-9_]+$/.test(sessionId)) return refused('token-invalid-claims');

    const rejectionKey = `${sessionId}\u0000${await sha256Hex(refreshToken)}`;
    if (this.#rejectedRecently(rejectionKey)) return refused('refresh-rejected');
    const blocked = instanceBackoff(this.#config).blockedFor(REFRESH_ENDPOINT);
    if (blocked > 0) return unavailable('rate-limited', blocked);
    const flightKey = await sha256Hex(`${expiredToken}\u0000${refreshToken}`);
    const result = await this.#flight.run(flightKey, () =>
      this.#call(request, sessionId as string, expiredToken, refreshToken, secretKey),
    );
    if (!result.ok && result.reason === 'refresh-rejected') this.#rememberRejection(rejectionKey);
    return result;
  }

  async #call(
    request: Request,
    sessionId: string,
    expiredToken: string,
    refreshToken: string,
    secretKey: string,
  ): Promise<RefreshResult> {
    const requestHeaders: Record<string, string[]> = {};
    const names = this.#config.trustProxyHeaders ? [...FORWARDED_HEADERS, ...PROXY_HEADERS] : FORWARDED_HEADERS;
    for (const name of names) {
      const value = request.headers.get(name);
      if (value !== null) requestHeaders[name] = [value];
    }
    const ip = clientIp(request, this.#config);
    const result = await callClerkApi<{ object?: unknown; cookies?: unknown }>(this.#config, {
      method: 'POST',
      url: backendApiUrl(this.#config, `sessions/${encodeURIComponent(sessionId)}/refresh`),
      bearer: secretKey,
      body: {
        expired_token: expiredToken,
        refresh_token: refreshToken,
        request_origin: publicOrigin(request, this.#config),
        request_headers: requestHeaders,
        ...(ip ? { request_originating_ip: ip } : {}),
        format: 'cookie',
      },
      timeoutMs: this.#config.machineTokens.timeoutMs,
    });
    if (result.kind === 'http-error' && result.status === 429) {
      return unavailable(
        'rate-limited',
        instanceBackoff(this.#config).openFor(REFRESH_ENDPOINT, result.retryAfterSeconds),
      );
    }
    if (result.kind !== 'ok') return apiRefusal('session-refresh', result);
    const cookies = result.data?.cookies;
    if (!Array.isArray(cookies) || !cookies.every((cookie) => typeof cookie === 'string')) {
      return unavailable('backend-api-unavailable');
    }
    const sessionToken = findSessionCookie(cookies as string[]);
    if (!sessionToken) return unavailable('backend-api-unavailable');
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

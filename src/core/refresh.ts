import { backendApiUrl, callClerkApi } from './backend-api.js';
import type { ResolvedConfig } from './config.js';
import { directiveCookies, directivesOf } from './cookie-session.js';
import { clientIp, publicOrigin } from './origin.js';
import { apiRefusal, refused, unavailable, type Refusal } from './refusal.js';
import { sha256Hex } from './hash.js';
import { LruCache } from './lru.js';
import { FLIGHT_GRACE_MS, SingleFlight } from './single-flight.js';
import { unverifiedClaims } from './token-class.js';

/** The result of a refresh call: new cookie directives, or why not. Internal. */
export type RefreshResult = { ok: true; sessionToken: string; setCookies: string[] } | Refusal;

/**
 * The only request headers the refresh endpoint gets: enough to place the request, nothing that authenticates
 * it. The last two (proxy headers) are passed on only with `trustProxyHeaders`.
 */
const FORWARDED_HEADERS = [
  'host',
  'origin',
  'referer',
  'user-agent',
  'sec-fetch-dest',
  'x-forwarded-host',
  'x-forwarded-proto',
];

/** How long a refused refresh (same session, same refresh token) is answered from memory. */
export const REFRESH_REJECTION_TTL_MS = 5000;
/** Refreshes an expired cookie session (see {@link createSessionRefresher}). Internal. */
export type SessionRefresher = (request: Request, expiredToken: string, refreshToken: string) => Promise<RefreshResult>;

/**
 * Refreshes expired cookie sessions through `POST /v1/sessions/{sid}/refresh` with
 * `format: "cookie"`. Concurrent refreshes of the same session and refresh token share one call
 * (each caller's expired token was verified for that session); a refused pair is answered from memory for {@link REFRESH_REJECTION_TTL_MS}; a 429 closes the endpoint in the
 * instance's back-off (see `instanceBackoff`) until its wait has passed. Internal.
 *
 * @example
 * ```ts
 * const result = await createSessionRefresher(config)(request, expiredToken, refreshToken)
 * ```
 */
export function createSessionRefresher(config: ResolvedConfig): SessionRefresher {
  const { timeoutMs } = config.machineTokens;
  const flight = new SingleFlight<RefreshResult>(timeoutMs + FLIGHT_GRACE_MS);
  /**
   * Refusals by session id and SHA-256 of the refresh token (this authenticator's instance only), until their
   * expiry; the calls in flight by the same key.
   */
  const rejections = new LruCache<true>(1000, config.now);

  return async (request, expiredToken, refreshToken) => {
    const secretKey = config.secretKey;
    if (secretKey === undefined) return refused('token-expired');
    // The token passed every check but its expiry, so it decodes. Only an id's characters: the id becomes a
    // path segment of the call made with the secret key.
    const sessionId = unverifiedClaims(expiredToken)?.sid;
    if (typeof sessionId !== 'string' || !/^\w+$/.test(sessionId)) return refused('token-invalid-claims');

    const key = `${sessionId}\u0000${await sha256Hex(refreshToken)}`;
    if (rejections.get(key)) return refused('refresh-rejected');
    const result = await flight.run(key, async (): Promise<RefreshResult> => {
      const requestHeaders: Record<string, string[]> = {};
      for (const name of FORWARDED_HEADERS.slice(0, config.trustProxyHeaders ? 7 : 5)) {
        const value = request.headers.get(name);
        if (value !== null) requestHeaders[name] = [value];
      }
      const answer = await callClerkApi<{ cookies?: unknown }>(config, {
        method: 'POST',
        url: backendApiUrl(config, `sessions/${sessionId}/refresh`),
        bearer: secretKey,
        body: {
          expired_token: expiredToken,
          refresh_token: refreshToken,
          request_origin: publicOrigin(request, config),
          request_headers: requestHeaders,
          // Undefined (left out of the JSON) unless a trusted proxy reported it.
          request_originating_ip: clientIp(request, config),
          format: 'cookie',
        },
        timeoutMs,
        // The endpoint in the instance's back-off: one gate for every session (Clerk limits per instance).
        endpoint: 'POST /sessions/{session_id}/refresh',
      });
      if (answer.kind !== 'ok') return apiRefusal('session-refresh', answer);
      const cookies = directivesOf(answer.data?.cookies);
      // The new session token: the first `__session` or `__session_<suffix>` cookie.
      const sessionToken =
        cookies && [...directiveCookies(cookies)].find(([name]) => /^__session(_|$)/.test(name))?.[1];
      return sessionToken ? { ok: true, sessionToken, setCookies: cookies! } : unavailable('backend-api-unavailable');
    });
    if ((result as Refusal).reason === 'refresh-rejected') rejections.set(key, true, REFRESH_REJECTION_TTL_MS);
    return result;
  };
}

import type { ApiResult } from './backend-api.js';
import type { AuthErrorReason } from './errors.js';

/**
 * Why a step of the core refused: the one failure shape of key lookup, JWT verification,
 * machine-token verification and session refresh. `signed-out` judges the credential;
 * `unavailable` says Clerk (or our own configuration towards it) failed, never a sign-out.
 * Serialisable (machine verdicts keep it in a shared store). Internal.
 */
export interface Refusal {
  ok: false;
  status: 'signed-out' | 'unavailable';
  reason: AuthErrorReason;
  /** A human detail added before the reason's hint; never request data. */
  detail?: string | undefined;
  /** For `unavailable`: seconds to wait, when the cause says how long. */
  retryAfterSeconds?: number | undefined;
}

/** The credential itself was refused. */
export function refused(reason: AuthErrorReason, detail?: string): Refusal {
  return { ok: false, status: 'signed-out', reason, detail };
}

/** Clerk, or the configuration that reaches it, failed: the request is neither signed in nor out. */
export function unavailable(reason: AuthErrorReason, retryAfterSeconds?: number): Refusal {
  return { ok: false, status: 'unavailable', reason, retryAfterSeconds };
}

/** The Clerk endpoints the core calls. */
export type ClerkEndpoint = 'jwks' | 'machine-verify' | 'session-refresh' | 'handshake-payload';

/**
 * The refusal a failed call to `endpoint` means. The one rule: a status judges the credential we
 * sent on behalf of the request only where the endpoint is documented to judge it; a status
 * that refuses our own secret key is `secret-key-invalid`; 429 is `rate-limited`; anything
 * else (5xx, unexpected statuses, network failure, timeout, an unreadable body) is the
 * endpoint's infrastructure reason. Infrastructure reasons are `unavailable`, never a sign-out.
 *
 * | endpoint          | 400, 404, 422                 | 401                           | 403                           | 429                        | anything else                       |
 * | ----------------- | ----------------------------- | ----------------------------- | ----------------------------- | -------------------------- | ----------------------------------- |
 * | `jwks`            | unavailable `jwks-unavailable`| unavailable `secret-key-invalid` | unavailable `secret-key-invalid` | unavailable `rate-limited` | unavailable `jwks-unavailable`   |
 * | `machine-verify`  | signed-out `token-invalid`    | unavailable `secret-key-invalid` | unavailable `secret-key-invalid` | unavailable `rate-limited` | unavailable `backend-api-unavailable` |
 * | `session-refresh` | signed-out `refresh-rejected` | signed-out `refresh-rejected` | unavailable `backend-api-unavailable` | unavailable `rate-limited` | unavailable `backend-api-unavailable` |
 * | `handshake-payload` | signed-out `token-invalid` (the nonce) | unavailable `secret-key-invalid` | unavailable `secret-key-invalid` | unavailable `rate-limited` | unavailable `backend-api-unavailable` |
 *
 * The key set is public data, so JWKS has no credential to refuse. Clerk's refresh endpoint
 * answers 401 for a session or refresh token it no longer accepts (the secret key is checked
 * by the token verification that precedes every refresh), so there 401 refuses the session.
 * A refused handshake nonce (unknown, used, expired) signs nobody out: the request goes on with
 * its cookies (see handshake-payload.ts).
 *
 * An HTTP error passes on its `Retry-After` (on a 429 sent with an `endpoint`, the back-off's wait).
 *
 * @example
 * ```ts
 * const result = await callClerkApi(config, request)
 * if (result.kind !== 'ok') return apiRefusal('machine-verify', result)
 * ```
 */
export function apiRefusal(endpoint: ClerkEndpoint, result: Exclude<ApiResult<unknown>, { kind: 'ok' }>): Refusal {
  // An unreachable endpoint has no status: it falls through to the infrastructure reason.
  const { status, retryAfterSeconds } = result as { status?: number; retryAfterSeconds?: number };
  const refresh = endpoint === 'session-refresh';
  // The credential we sent: never for the public key set; 401 also judges the refresh token.
  if ((endpoint !== 'jwks' && [400, 404, 422].includes(status!)) || (refresh && status === 401))
    return refused(refresh ? 'refresh-rejected' : 'token-invalid');
  // Our own secret key (the refresh endpoint's key was checked by the token verification before it).
  if (!refresh && [401, 403].includes(status!)) return unavailable('secret-key-invalid');
  return unavailable(
    status === 429 ? 'rate-limited' : endpoint === 'jwks' ? 'jwks-unavailable' : 'backend-api-unavailable',
    retryAfterSeconds,
  );
}

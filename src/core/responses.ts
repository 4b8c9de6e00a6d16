import type { HasParams } from './claims.js';
import type { RequestState } from './state.js';

/** What a guard requires beyond being signed in. Checked fail-closed. */
export interface AuthRequirement {
  /** Session checks: role, permission, feature, plan, reverification (all must hold). */
  has?: HasParams;
  /** Machine-token scopes that must all be present. */
  scopes?: string[];
  /** Any other rule on the auth object. */
  predicate?: (auth: ReturnType<RequestState['toAuth']>) => boolean;
}

/** Whether a signed-in state meets a requirement. Anything unexpected (including a throwing predicate) denies. */
export function meetsRequirement(state: RequestState, requirement: AuthRequirement): boolean {
  try {
    const auth = state.toAuth();
    const { has, scopes, predicate } = requirement;
    return (
      state.status === 'signed-in' &&
      (has === undefined || auth.has(has)) &&
      (scopes === undefined || ('hasScope' in auth && scopes.every((scope) => auth.hasScope(scope)))) &&
      (predicate === undefined || predicate(auth) === true)
    );
  } catch {
    return false;
  }
}

/** Copies auth headers onto a response's headers: every `Set-Cookie` appended, the rest (debug headers) set. */
export function copyResponseHeaders(source: Headers, target: Headers): void {
  for (const cookie of source.getSetCookie()) target.append('set-cookie', cookie);
  source.forEach((value, name) => {
    if (name !== 'set-cookie') target.set(name, value);
  });
}

/**
 * A response carrying the auth headers (`Set-Cookie` from a refresh, debug headers), copied so
 * immutable responses (from `fetch`) work; returned unchanged when there is nothing to add or it
 * is a WebSocket upgrade.
 */
export function withAuthHeaders(response: Response, headers: Headers): Response {
  if (headers.keys().next().done || response.status === 101) return response;
  const copy = new Response(response.body, response);
  copyResponseHeaders(headers, copy.headers);
  return copy;
}

/** Copies the state's headers (debug headers, `Set-Cookie` from a refresh) onto a response's headers. */
export function copyStateHeaders(state: RequestState, target: Headers): void {
  copyResponseHeaders(state.headers, target);
}

/**
 * The response for a request that may not pass: 503 + Retry-After for `unavailable` (never a
 * sign-out), 401 + an RFC 6750 WWW-Authenticate challenge for signed-out, 403 when signed in but not
 * allowed (`forbidden`, by default whether the state is signed in: a signed-in state is never answered
 * 401). Body: `{ error, reason }`. Only the stable reason goes out, never request data. Shared by every
 * adapter so they answer alike. (States come from `notSignedIn`: an `unavailable` one always has its
 * `retryAfterSeconds`, a signed-out one its reason.)
 */
export function rejectionResponse(
  state: RequestState,
  { forbidden = state.status === 'signed-in' }: { forbidden?: boolean } = {},
): Response {
  const unavailable = !forbidden && state.status === 'unavailable';
  const reason = forbidden ? 'forbidden' : state.reason;
  const error = forbidden
    ? 'insufficient_scope'
    : reason === 'authorization-header-malformed'
      ? 'invalid_request'
      : 'invalid_token';
  const headers = new Headers(state.headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  headers.set('cache-control', 'no-store');
  headers.set(
    unavailable ? 'retry-after' : 'www-authenticate',
    unavailable
      ? `${state.retryAfterSeconds}`
      : `Bearer realm="clerk"${reason === 'token-missing' ? '' : `, error="${error}", error_description="${reason}"`}`,
  );
  return Response.json(
    { error: forbidden ? reason : unavailable ? 'unavailable' : 'unauthorized', reason },
    { status: forbidden ? 403 : unavailable ? 503 : 401, headers },
  );
}

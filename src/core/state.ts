import { signedOutAuthObject, type SessionAuthObject, type SignedOutAuthObject } from './claims.js';
import { hintFor, type AuthErrorReason } from './errors.js';
import type { MachineAuthObject } from './machine.js';
import type { TokenType } from './token-class.js';

/** Any auth object `toAuth()` can return. */
export type AuthObject = SessionAuthObject | MachineAuthObject | SignedOutAuthObject;

/** The four verdicts. `handshake` is reserved for browser page loads that need a Frontend API round trip. */
export type AuthStatus = 'signed-in' | 'signed-out' | 'handshake' | 'unavailable';

/**
 * The result of authenticating a request. Adapters translate it; they never re-decide.
 * It never contains the token, a key or a secret.
 */
export interface RequestState<A extends AuthObject = AuthObject> {
  status: AuthStatus;
  /** Why the request is not signed in; null when it is. */
  reason: AuthErrorReason | null;
  /** A human explanation with a fix hint; null when signed in. */
  message: string | null;
  /** The kind of token presented, when one was. */
  tokenType: TokenType | null;
  /** Headers for the response: `Set-Cookie` from a session refresh, debug headers. */
  headers: Headers;
  /** For `unavailable`: seconds the client should wait before retrying. */
  retryAfterSeconds: number | null;
  /** The auth object (signed-out object unless signed in). */
  toAuth(): A;
}

/** Default Retry-After for infrastructure failures. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

export function signedIn<A extends SessionAuthObject | MachineAuthObject>(auth: A, headers?: Headers): RequestState<A> {
  return signedInLazily(auth.tokenType, () => auth, headers);
}

/** A signed-in state whose auth object is built on the first `toAuth()` (once), not before. */
export function signedInLazily<A extends SessionAuthObject | MachineAuthObject>(
  tokenType: A['tokenType'],
  build: () => A,
  headers?: Headers,
): RequestState<A> {
  return requestState('signed-in', null, null, tokenType, headers, null, build);
}

export function notSignedIn(
  status: 'signed-out' | 'handshake' | 'unavailable',
  reason: AuthErrorReason,
  tokenType: TokenType | null,
  options: { detail?: string | undefined; headers?: Headers; retryAfterSeconds?: number | undefined } = {},
): RequestState<SignedOutAuthObject> {
  return requestState(
    status,
    reason,
    options.detail ? `${options.detail} ${hintFor(reason)}` : hintFor(reason),
    tokenType,
    options.headers,
    status === 'unavailable' ? (options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS) : null,
    signedOutAuthObject,
  );
}

/**
 * Every request state, as one literal. Its auth object is built on the first `toAuth()` (once):
 * `build` gets the token type, so the signed-out object needs no closure of its own.
 */
function requestState<A extends AuthObject>(
  status: AuthStatus,
  reason: AuthErrorReason | null,
  message: string | null,
  tokenType: TokenType | null,
  headers: Headers | undefined,
  retryAfterSeconds: number | null,
  build: (tokenType: TokenType | null) => A,
): RequestState<A> {
  let auth: A | undefined;
  return {
    status,
    reason,
    message,
    tokenType,
    headers: headers ?? new Headers(),
    retryAfterSeconds,
    // A method, not an arrow property: no per-request naming work in builds that keep names.
    toAuth() {
      auth ??= build(tokenType);
      return auth;
    },
  };
}

import type { ProtectedHeaderParameters } from 'jose';
import { sessionAuthObject, type SessionAuthObject, type SessionClaims } from './claims.js';
import type { ResolvedConfig } from './config.js';
import type { AuthErrorReason } from './errors.js';
import type { KeyStore } from './jwks.js';
import { machineAuthObject, type MachineAuthObject, type MachineTokenType, type MachineVerifier } from './machine.js';
import { MAX_TOKEN_BYTES, SESSION_TOKEN_CHECKS, verifyInstanceJwt } from './session.js';
import type { VerifiedSessionCache } from './session-cache.js';
import { notSignedIn, signedIn, signedInLazily, type RequestState } from './state.js';
import { classifyToken, type TokenClass, type TokenType } from './token-class.js';
import type { WaitUntil } from './wait-until.js';

/**
 * Turns one token into a verdict: the verified-session cache first, then classification, then a
 * session JWT, a machine JWT or an opaque machine token. Internal: `createClerkAuth` owns one.
 */
export interface TokenVerifier {
  /** A verdict the verified-session cache still holds for `token`, if any. */
  cached(token: string, waitUntil?: WaitUntil): SessionClaims | undefined;
  /**
   * A full verification of a session JWT as a request state; successes are remembered by the
   * verified-session cache (callers consult it first).
   */
  verifySession(
    token: string,
    waitUntil: WaitUntil | undefined,
    headers?: Headers,
    header?: ProtectedHeaderParameters,
  ): Promise<RequestState>;
  /** The state of verified session claims (`session-pending` when pending sessions count as signed out). */
  sessionState(claims: SessionClaims, headers?: Headers): RequestState;
  /**
   * A token presented in the Authorization header or to a verify* method. A verdict the
   * verified-session cache holds (a token already classified and verified as a session) is
   * settled at once. Not `async`, to add no await of its own: its callers (async, or catching) turn a
   * sync throw into a rejection.
   */
  verifyToken(token: string, accepted: readonly TokenType[], waitUntil?: WaitUntil): Promise<RequestState>;
}

type JwtClass = Extract<TokenClass, { header: unknown }>;
type MachineClass = Extract<TokenClass, { type: MachineTokenType }>;

/** A signed-out state, already settled. Internal. */
export const settledOut = (reason: AuthErrorReason, tokenType: TokenType | null) =>
  Promise.resolve(notSignedIn('signed-out', reason, tokenType));

/** The {@link TokenVerifier} of one authenticator. Internal. */
export function createTokenVerifier(
  config: ResolvedConfig,
  keys: KeyStore,
  machines: MachineVerifier,
  verified?: VerifiedSessionCache,
): TokenVerifier {
  const cached = (token: string, waitUntil?: WaitUntil) => verified?.get(token, keys, waitUntil);

  const sessionState = (claims: SessionClaims, headers?: Headers): RequestState =>
    config.treatPendingAsSignedOut && claims.sts === 'pending'
      ? notSignedIn('signed-out', 'session-pending', 'session_token', { headers })
      : signedInLazily<SessionAuthObject>('session_token', () => sessionAuthObject(claims), headers);

  const verifySession = async (
    token: string,
    waitUntil: WaitUntil | undefined,
    headers?: Headers,
    header?: ProtectedHeaderParameters,
  ): Promise<RequestState> => {
    const verdict = await verifyInstanceJwt(token, config, keys, SESSION_TOKEN_CHECKS, waitUntil, header);
    if (!verdict.ok) return notSignedIn(verdict.status, verdict.reason, 'session_token', { ...verdict, headers });
    // Successes are remembered.
    verified?.set(token, verdict);
    return sessionState(verdict.claims, headers);
  };

  const verifyMachine = async (
    token: string,
    tokenClass: MachineClass,
    waitUntil?: WaitUntil,
  ): Promise<RequestState> => {
    const { type } = tokenClass;
    // An opaque token has no header.
    const verdict = await machines.verify(token, type, tokenClass.format, waitUntil, (tokenClass as JwtClass).header);
    return verdict.ok
      ? signedIn<MachineAuthObject>(machineAuthObject(verdict.identity))
      : notSignedIn(verdict.status, verdict.reason, type, { retryAfterSeconds: verdict.retryAfterSeconds });
  };

  return {
    cached,
    sessionState,
    verifySession,
    verifyToken(token, accepted, waitUntil) {
      const claims = accepted.includes('session_token') ? cached(token, waitUntil) : undefined;
      if (claims) return Promise.resolve(sessionState(claims));
      if (token.length > MAX_TOKEN_BYTES) return settledOut('token-too-large', null);
      const tokenClass = classifyToken(token);
      if (tokenClass.type === 'unknown') return settledOut('token-malformed', null);
      if (!accepted.includes(tokenClass.type)) return settledOut('token-type-mismatch', tokenClass.type);
      // An M2M JWT without its `cat` header was classified by its `mch_` subject.
      return tokenClass.type === 'session_token'
        ? verifySession(token, waitUntil, undefined, tokenClass.header)
        : verifyMachine(token, tokenClass, waitUntil);
    },
  };
}

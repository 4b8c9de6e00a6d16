import type { ProtectedHeaderParameters } from 'jose';
import { sessionAuthObject, type SessionAuthObject, type SessionClaims } from './claims.js';
import type { ResolvedConfig } from './config.js';
import type { KeyStore } from './jwks.js';
import { machineAuthObject, type MachineAuthObject, type MachineTokenType, type MachineVerifier } from './machine.js';
import { MAX_TOKEN_BYTES, SESSION_TOKEN_CHECKS, verifyInstanceJwt, type JwtVerdict } from './session.js';
import type { VerifiedSessionCache } from './session-cache.js';
import { notSignedIn, signedIn, signedInLazily, type RequestState } from './state.js';
import { classifyToken, type TokenType } from './token-class.js';
import type { WaitUntil } from './wait-until.js';

/**
 * Turns one token into a verdict: the verified-session cache first, then classification, then a
 * session JWT, a machine JWT or an opaque machine token. Internal: `createClerkAuth` owns one.
 */
export class TokenVerifier {
  readonly #config: ResolvedConfig;
  readonly #keys: KeyStore;
  readonly #machines: MachineVerifier;
  readonly #verified: VerifiedSessionCache | undefined;

  constructor(config: ResolvedConfig, keys: KeyStore, machines: MachineVerifier, verified?: VerifiedSessionCache) {
    this.#config = config;
    this.#keys = keys;
    this.#machines = machines;
    this.#verified = verified;
  }

  /** A verdict the verified-session cache still holds for `token`, if any. */
  cached(token: string, waitUntil?: WaitUntil): SessionClaims | undefined {
    return this.#verified?.get(token, this.#keys, waitUntil);
  }

  /** A full verification of a session JWT; successes are remembered by the verified-session cache (callers consult it first). */
  async verifySessionJwt(
    token: string,
    waitUntil: WaitUntil | undefined,
    header?: ProtectedHeaderParameters,
  ): Promise<JwtVerdict<SessionClaims>> {
    return this.#remember(token, await this.#verifyJwt(token, waitUntil, header));
  }

  /** {@link verifySessionJwt} as a request state (one await fewer than calling it: this runs per fresh token). */
  async verifySession(
    token: string,
    waitUntil: WaitUntil | undefined,
    headers?: Headers,
    header?: ProtectedHeaderParameters,
  ): Promise<RequestState> {
    const verdict = this.#remember(token, await this.#verifyJwt(token, waitUntil, header));
    if (!verdict.ok)
      return notSignedIn(verdict.status, verdict.reason, 'session_token', {
        detail: verdict.detail,
        headers,
        retryAfterSeconds: verdict.retryAfterSeconds,
      });
    return this.sessionState(verdict.claims, headers);
  }

  #verifyJwt(token: string, waitUntil: WaitUntil | undefined, header?: ProtectedHeaderParameters) {
    return verifyInstanceJwt<SessionClaims>(token, this.#config, this.#keys, SESSION_TOKEN_CHECKS, waitUntil, header);
  }

  #remember(token: string, verdict: JwtVerdict<SessionClaims>): JwtVerdict<SessionClaims> {
    if (verdict.ok) this.#verified?.set(token, verdict.claims, verdict.kid);
    return verdict;
  }

  sessionState(claims: SessionClaims, headers?: Headers): RequestState {
    if (this.#config.treatPendingAsSignedOut && claims.sts === 'pending')
      return notSignedIn('signed-out', 'session-pending', 'session_token', { headers });
    return signedInLazily<SessionAuthObject>('session_token', () => sessionAuthObject(claims), headers);
  }

  async verifyMachine(
    token: string,
    type: MachineTokenType,
    format: 'jwt' | 'opaque',
    waitUntil?: WaitUntil,
    header?: ProtectedHeaderParameters,
  ): Promise<RequestState> {
    const verdict = await this.#machines.verify(token, type, format, waitUntil, header);
    if (!verdict.ok)
      return notSignedIn(verdict.status, verdict.reason, type, { retryAfterSeconds: verdict.retryAfterSeconds });
    return signedIn<MachineAuthObject>(machineAuthObject(verdict.identity));
  }

  /**
   * A token presented in the Authorization header or to a verify* method. A verdict the
   * verified-session cache holds (a token already classified and verified as a session) is
   * settled at once. Not `async`, to add no await of its own: its callers (async, or catching) turn a
   * sync throw into a rejection.
   */
  verifyToken(token: string, accepted: readonly TokenType[], waitUntil?: WaitUntil): Promise<RequestState> {
    const cached = accepted.includes('session_token') ? this.cached(token, waitUntil) : undefined;
    return cached ? Promise.resolve(this.sessionState(cached)) : this.#verifyUncached(token, accepted, waitUntil);
  }

  #verifyUncached(token: string, accepted: readonly TokenType[], waitUntil?: WaitUntil): Promise<RequestState> {
    if (token.length > MAX_TOKEN_BYTES) return Promise.resolve(notSignedIn('signed-out', 'token-too-large', null));
    const tokenClass = classifyToken(token);
    if (tokenClass.type === 'unknown') return Promise.resolve(notSignedIn('signed-out', 'token-malformed', null));
    if (!accepted.includes(tokenClass.type))
      return Promise.resolve(notSignedIn('signed-out', 'token-type-mismatch', tokenClass.type));
    if (tokenClass.type === 'session_token') {
      const state = this.verifySession(token, waitUntil, undefined, tokenClass.header);
      if (!accepted.includes('m2m_token')) return state;
      // An M2M JWT without its `cat` header shows itself by its `mch_` subject once verified.
      return state.then((verdict) =>
        verdict.reason === 'token-type-mismatch'
          ? this.verifyMachine(token, 'm2m_token', 'jwt', waitUntil, tokenClass.header)
          : verdict,
      );
    }
    return this.verifyMachine(
      token,
      tokenClass.type,
      tokenClass.format,
      waitUntil,
      'header' in tokenClass ? tokenClass.header : undefined,
    );
  }
}

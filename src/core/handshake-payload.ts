import { compactVerify } from 'jose';
import { backendApiUrl, callClerkApi } from './backend-api.js';
import type { ResolvedConfig } from './config.js';
import type { HandshakeInputs } from './handshake.js';
import { sha256Hex } from './hash.js';
import type { KeyStore } from './jwks.js';
import { LruCache } from './lru.js';
import { apiRefusal, type Refusal, unavailable } from './refusal.js';
import { headerRefused, MAX_TOKEN_BYTES, SESSION_TOKEN_CHECKS, untimely } from './session.js';
import { FLIGHT_GRACE_MS, SingleFlight } from './single-flight.js';
import { jsonRecord, unverifiedHeader } from './token-class.js';
import { directivesOf } from './cookie-session.js';
import type { WaitUntil } from './wait-until.js';

/**
 * What a handshake's return trip brought: its cookie directives; undefined for nothing usable (an
 * unknown, used or forged carrier: the request goes on with its cookies); or an `unavailable`
 * refusal (an infrastructure failure). Internal.
 */
export type HandshakePayload = string[] | Refusal | undefined;

/** Resolves the handshake carrier of a return trip (its nonce, else its legacy token). Internal. */
export type HandshakeResolver = (inputs: HandshakeInputs, waitUntil?: WaitUntil) => Promise<HandshakePayload>;

/** How long a nonce that was redeemed or refused is answered from memory (Clerk's nonces live 5 minutes). */
export const SPENT_NONCE_TTL_MS = 10 * 60 * 1000;
const MAX_SPENT_NONCES = 5000;

/**
 * Resolves handshake carriers: a nonce through the Backend API's `GET /v1/clients/handshake_payload`,
 * a legacy `__clerk_handshake` token by its signature. A nonce costs at most one Backend API call per
 * authenticator: concurrent requests with the same nonce share the call, and a nonce once redeemed or
 * refused is remembered (by its SHA-256, never the nonce itself) and not sent again. Internal.
 */
export function handshakeResolver(config: ResolvedConfig, keys: KeyStore): HandshakeResolver {
  const { timeoutMs } = config.machineTokens;
  const spent = new LruCache<true>(MAX_SPENT_NONCES, config.now);
  const flights = new SingleFlight<HandshakePayload>(timeoutMs + FLIGHT_GRACE_MS);

  return async ({ nonce, token }, waitUntil) => {
    // A nonce: the directives stored under it; each nonce reaches the Backend API at most once.
    if (nonce) {
      const key = await sha256Hex(nonce);
      const secretKey = config.secretKey;
      if (spent.get(key) || secretKey === undefined) return undefined;
      return flights.run(key, async () => {
        const result = await callClerkApi<{ directives?: unknown }>(config, {
          method: 'GET',
          url: backendApiUrl(config, `clients/handshake_payload?nonce=${encodeURIComponent(nonce)}`),
          bearer: secretKey,
          timeoutMs,
        });
        const payload =
          result.kind === 'ok'
            ? (directivesOf(result.data?.directives) ?? unavailable('backend-api-unavailable'))
            : apiRefusal('handshake-payload', result);
        // An array has no `status`: only an infrastructure failure is answered as it is, and not remembered.
        if ((payload as Refusal).status === 'unavailable') return payload;
        // Redeemed, or refused (unknown, used, expired: the request goes on with its cookies): never sent again.
        spent.set(key, true, SPENT_NONCE_TTL_MS);
        return Array.isArray(payload) ? payload : undefined;
      });
    }
    // A legacy handshake token: an instance key chosen by `kid`, an allowed `alg`, no `typ` or `JWT`, no `cat`
    // or the session category (a JWT-template token signed by the same key is refused), a valid signature,
    // timely (`exp`, `nbf`, `iat` with the clock skew, as a session token). Anything else is nothing usable.
    try {
      if ((token as string).length > MAX_TOKEN_BYTES) return undefined;
      const header = unverifiedHeader(token as string);
      // The header checks of a session token (algorithm allowlist, `typ`, `cat`, `kid`).
      if (!header || headerRefused(header, config, SESSION_TOKEN_CHECKS)) return undefined;
      const { alg, kid } = header;
      const lookup = await keys.getKey(kid, alg as string, waitUntil);
      if (!lookup.ok) return lookup.status === 'unavailable' ? lookup : undefined;
      const claims = jsonRecord(
        (await compactVerify(token as string, lookup.key, { algorithms: [alg as string] })).payload,
      );
      // `exp` is required, and the time checks are a session token's.
      return claims && Number.isFinite(claims.exp) && !untimely(claims, config)
        ? directivesOf(claims.handshake)
        : undefined;
    } catch {
      return undefined;
    }
  };
}

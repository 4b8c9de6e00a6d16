import { compactVerify, decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import { backendApiUrl, callClerkApi } from './backend-api.js';
import type { ResolvedConfig } from './config.js';
import type { AuthErrorReason } from './errors.js';
import type { KeyStore } from './jwks.js';
import type { WaitUntil } from './wait-until.js';
import { apiRefusal } from './refusal.js';
import { MAX_TOKEN_BYTES } from './session.js';
import { TOKEN_CATEGORY } from './token-class.js';

/**
 * What a handshake's return trip brought: cookie directives; nothing usable (an unknown, used or
 * forged carrier: the request goes on with its cookies); or an infrastructure failure. Internal.
 */
export type HandshakePayload =
  | { kind: 'directives'; directives: string[] }
  | { kind: 'none' }
  | { kind: 'unavailable'; reason: AuthErrorReason; retryAfterSeconds?: number | undefined };

/** How long a nonce that was redeemed or refused is answered from memory (Clerk's nonces live 5 minutes). */
export const SPENT_NONCE_TTL_MS = 10 * 60 * 1000;
const MAX_SPENT_NONCES = 5000;
const MAX_DIRECTIVES = 32;
const MAX_DIRECTIVE_LENGTH = 8192;

async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Directives as Set-Cookie values: strings without control characters, a bounded number of them. */
function directivesOf(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_DIRECTIVES) return undefined;
  const ok = value.every(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused.
    (item) => typeof item === 'string' && item.length <= MAX_DIRECTIVE_LENGTH && !/[\u0000-\u001f\u007f]/.test(item),
  );
  return ok ? (value as string[]) : undefined;
}

/**
 * Resolves handshake carriers: a nonce through the Backend API's `GET /v1/clients/handshake_payload`,
 * a legacy `__clerk_handshake` token by its signature. A nonce costs at most one Backend API call per
 * authenticator: concurrent requests with the same nonce share the call, and a nonce once redeemed or
 * refused is remembered (by its SHA-256, never the nonce itself) and not sent again. Internal.
 */
export class HandshakeResolver {
  readonly #config: ResolvedConfig;
  readonly #keys: KeyStore;
  readonly #spent = new Map<string, number>();
  readonly #pending = new Map<string, Promise<HandshakePayload>>();

  constructor(config: ResolvedConfig, keys: KeyStore) {
    this.#config = config;
    this.#keys = keys;
  }

  #isSpent(key: string): boolean {
    const until = this.#spent.get(key);
    if (until === undefined) return false;
    if (until > this.#config.now()) return true;
    this.#spent.delete(key);
    return false;
  }

  #spend(key: string): void {
    if (this.#spent.size >= MAX_SPENT_NONCES) {
      const oldest = this.#spent.keys().next().value;
      if (oldest !== undefined) this.#spent.delete(oldest);
    }
    this.#spent.set(key, this.#config.now() + SPENT_NONCE_TTL_MS);
  }

  /** The directives stored under a nonce; each nonce reaches the Backend API at most once. */
  async fromNonce(nonce: string): Promise<HandshakePayload> {
    const key = await sha256Hex(nonce);
    if (this.#isSpent(key)) return { kind: 'none' };
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = this.#fetch(nonce).then((payload) => {
        if (payload.kind !== 'unavailable') this.#spend(key);
        return payload;
      });
      this.#pending.set(key, pending);
      pending.finally(() => this.#pending.delete(key)).catch(() => undefined);
    }
    return pending;
  }

  async #fetch(nonce: string): Promise<HandshakePayload> {
    const secretKey = this.#config.secretKey;
    if (secretKey === undefined) return { kind: 'none' };
    const result = await callClerkApi<{ directives?: unknown }>(this.#config, {
      method: 'GET',
      url: backendApiUrl(this.#config, `clients/handshake_payload?nonce=${encodeURIComponent(nonce)}`),
      bearer: secretKey,
      timeoutMs: this.#config.machineTokens.timeoutMs,
    });
    if (result.kind !== 'ok') {
      const refusal = apiRefusal('handshake-payload', result);
      if (refusal.status === 'signed-out') return { kind: 'none' };
      return { kind: 'unavailable', reason: refusal.reason, retryAfterSeconds: refusal.retryAfterSeconds };
    }
    const directives = directivesOf(result.data?.directives);
    if (!directives) return { kind: 'unavailable', reason: 'backend-api-unavailable' };
    return { kind: 'directives', directives };
  }

  /**
   * The directives of a legacy handshake token: an instance key chosen by `kid`, an allowed `alg`,
   * no `typ` or `JWT`, no `cat` or the session category (a JWT-template token signed by the same key
   * is refused), a valid signature, not expired. Anything else is `none`.
   */
  async fromToken(token: string, waitUntil?: WaitUntil): Promise<HandshakePayload> {
    if (token.length > MAX_TOKEN_BYTES) return { kind: 'none' };
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return { kind: 'none' };
    }
    const { alg, typ, cat, kid } = header as ProtectedHeaderParameters & { cat?: unknown };
    if (typeof alg !== 'string' || !(this.#config.algorithms as string[]).includes(alg)) return { kind: 'none' };
    if (typ !== undefined && (typeof typ !== 'string' || typ.toLowerCase() !== 'jwt')) return { kind: 'none' };
    if (cat !== undefined && cat !== TOKEN_CATEGORY.session) return { kind: 'none' };
    if (kid !== undefined && (typeof kid !== 'string' || kid === '')) return { kind: 'none' };
    const lookup = await this.#keys.getKey(kid, alg, waitUntil);
    if (!lookup.ok) {
      return lookup.status === 'unavailable' ? { kind: 'unavailable', reason: lookup.reason } : { kind: 'none' };
    }
    let payload: { handshake?: unknown; exp?: unknown };
    try {
      const verified = await compactVerify(token, lookup.key, { algorithms: [alg] });
      payload = JSON.parse(new TextDecoder().decode(verified.payload)) as typeof payload;
    } catch {
      return { kind: 'none' };
    }
    const skewSeconds = this.#config.clockSkewInMs / 1000;
    if (typeof payload?.exp === 'number' && payload.exp <= this.#config.now() / 1000 - skewSeconds) {
      return { kind: 'none' };
    }
    const directives = directivesOf(payload?.handshake);
    return directives ? { kind: 'directives', directives } : { kind: 'none' };
  }
}

import { base64url } from 'jose';
import { sessionAuthObject, signedOutAuthObject, type SessionClaims } from '../core/claims.js';
import type { ResolvedConfig } from '../core/config.js';
import { extractCredentials } from '../core/credentials.js';
import type { AuthErrorReason } from '../core/errors.js';
import type { ClerkAuth } from '../core/authenticate.js';
import { ClerkConfigurationError } from '../core/errors.js';
import {
  machineAuthObject,
  machineIdentityOf,
  type MachineAuthObject,
  type MachineIdentity,
  type MachineTokenType,
} from '../core/machine.js';
import { restoredVerdict } from '../core/request-auth.js';
import type { AuthObject, AuthStatus, RequestState } from '../core/state.js';
import { sha256Hex } from '../core/hash.js';
import { TOKEN_TYPES, type TokenType } from '../core/token-class.js';

/**
 * How the middleware hands its verdict to route handlers and server components: two request
 * headers the middleware sets (after stripping any copies the client sent).
 *
 * `x-clerk-edge-auth` is base64url(JSON) of the status, reason, token type, the verified
 * identity (session claims or machine identity), SHA-256 of the credential the request carries
 * and an expiry (never later than the token's own `exp`). `x-clerk-edge-auth-signature` is
 * base64url(HMAC-SHA256) over a version label and that value, with a key derived by HKDF from the
 * secret key and the verification configuration (see {@link forwardingScope}), so only an app
 * that would itself accept the token accepts the state. Neither holds a token or a key.
 */
export const FORWARDED_AUTH_HEADER = 'x-clerk-edge-auth';
export const FORWARDED_SIGNATURE_HEADER = 'x-clerk-edge-auth-signature';
/** Every request header with this prefix is ours: the middleware drops client-sent ones. */
export const FORWARDED_HEADER_PREFIX = 'x-clerk-edge-';
/** Default lifetime of a forwarded state. The handler reads it right after the middleware; minutes are plenty. */
export const DEFAULT_FORWARDED_TTL_SECONDS = 60;

const VERSION = 2;
const SIGNING_LABEL = 'clerk-edge/next forwarded-auth v2';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface ForwardedPayload {
  v: typeof VERSION;
  /** status */
  s: AuthStatus;
  /** reason */
  r: AuthErrorReason | null;
  /** token type */
  t: TokenType | null;
  /** session claims (signed-in session) */
  c?: SessionClaims;
  /** machine identity (signed-in machine token) */
  m?: MachineIdentity;
  /** SHA-256 (hex) of the credential the forwarded request carries; hash of '' when none */
  h: string;
  /** expiry, milliseconds since the epoch */
  e: number;
}

/** A forwarded state that verified: what `auth()` in a route handler gets. */
export interface ForwardedAuth {
  status: AuthStatus;
  reason: AuthErrorReason | null;
  tokenType: TokenType | null;
  auth: AuthObject;
}

/** What signs and checks forwarded state: the secret key and the canonical verification configuration. */
export interface ForwardingSecret {
  secretKey: string;
  /** {@link forwardingScope} of the configuration; also carries the machine secret key, if any. */
  scope: string;
  machineSecretKey?: string | undefined;
}

const sorted = (values: readonly string[] | undefined): string[] | null => (values ? [...values].sort() : null);

/**
 * The verification configuration as one canonical string: everything that decides whether a
 * token is accepted (instance, issuer, authorized parties and the missing-`azp` policy,
 * audience, algorithms, pinned key, clock skew, pending-session policy). Two apps of the same
 * instance whose configurations differ derive different keys, so one never accepts a state
 * the other signed for a token it would itself refuse. Holds no secret.
 */
export function forwardingScope(config: ResolvedConfig): string {
  return JSON.stringify({
    apiUrl: config.apiUrl,
    apiVersion: config.apiVersion,
    publishableKey: config.publishableKey ?? null,
    frontendApiUrl: config.frontendApiUrl ?? null,
    issuers: sorted(config.issuers),
    authorizedParties: sorted(config.authorizedParties),
    missingAuthorizedParty: config.missingAuthorizedParty,
    audience: sorted(config.audience),
    algorithms: sorted(config.algorithms),
    jwtKey: config.jwtKey ?? null,
    clockSkewInMs: config.clockSkewInMs,
    treatPendingAsSignedOut: config.treatPendingAsSignedOut,
  });
}

/** The signing material of a resolved configuration. */
export function forwardingSecret(config: ResolvedConfig & { secretKey: string }): ForwardingSecret {
  return { secretKey: config.secretKey, machineSecretKey: config.machineSecretKey, scope: forwardingScope(config) };
}

/** Why each side needs the secret key, for the error that names it. */
const SECRET_KEY_NEEDED = {
  clerkMiddleware: {
    message:
      'clerkMiddleware signs the auth state it forwards to route handlers with a key derived from the secret key, and none is configured.',
    hint: 'Set CLERK_SECRET_KEY (or pass secretKey).',
  },
  'auth()': {
    message:
      'auth() checks the signature of the state clerkMiddleware forwards with a key derived from the secret key, and none is configured.',
    hint: 'Set CLERK_SECRET_KEY for the server (the same value the middleware uses).',
  },
} as const;

/**
 * The signing material of an authenticator, for the side that signs (`clerkMiddleware`) or checks
 * (`auth()`) forwarded state. Without a secret key it throws a {@link ClerkConfigurationError}
 * (`option: 'secretKey'`, missing) saying why that side needs it.
 */
export function requireForwardingSecret(clerk: ClerkAuth, side: keyof typeof SECRET_KEY_NEEDED): ForwardingSecret {
  const { config } = clerk;
  const secretKey = config.secretKey;
  if (secretKey === undefined) {
    const { message, hint } = SECRET_KEY_NEEDED[side];
    throw new ClerkConfigurationError('secretKey', message, hint, true);
  }
  return forwardingSecret({ ...config, secretKey });
}

// Derived keys are kept per secret and scope for the life of the isolate; deriving costs a few WebCrypto calls.
const signingKeys = new Map<string, Promise<CryptoKey>>();

/**
 * The HMAC key for forwarded state: HKDF-SHA256 with the secret keys as input keying material and
 * the label plus the verification scope as `info`, so the raw secret is never the MAC key, the
 * derived key serves no other purpose, and another configuration yields another key.
 */
export function forwardingKey(secret: ForwardingSecret): Promise<CryptoKey> {
  const material = `${secret.secretKey}\n${secret.machineSecretKey ?? ''}`;
  const cacheKey = `${material}\n${secret.scope}`;
  let key = signingKeys.get(cacheKey);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(material), 'HKDF', false, ['deriveKey']).then((base) =>
      crypto.subtle.deriveKey(
        {
          name: 'HKDF',
          hash: 'SHA-256',
          salt: encoder.encode('clerk-edge'),
          info: encoder.encode(`${SIGNING_LABEL}\n${secret.scope}`),
        },
        base,
        { name: 'HMAC', hash: 'SHA-256', length: 256 },
        false,
        ['sign', 'verify'],
      ),
    );
    key.catch(() => signingKeys.delete(cacheKey));
    if (signingKeys.size >= 8) signingKeys.clear();
    signingKeys.set(cacheKey, key);
  }
  return key;
}

/**
 * SHA-256 (hex) of the credential these request headers carry, found exactly as the core finds
 * it (bearer first, then the session cookie). Binds a forwarded state to its request: replaying
 * captured headers with another credential, or none, does not verify.
 */
export async function credentialHash(headers: Headers, cookieSuffix: string | undefined): Promise<string> {
  const credentials = extractCredentials(headers, cookieSuffix);
  const credential = credentials.bearerMalformed ? '' : (credentials.bearerToken ?? credentials.sessionCookie ?? '');
  return sha256Hex(credential);
}

function signingInput(value: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${SIGNING_LABEL}.${value}`);
}

/** The token's own `exp` in milliseconds, when the verified identity carries one. */
function tokenExpiryMs(payload: ForwardedPayload): number | undefined {
  const exp = payload.c ? payload.c.exp : payload.m?.claims?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}

/**
 * Serialises and signs a request state for the forwarded request headers. It expires after
 * `ttlSeconds` or at the token's `exp`, whichever comes first. Returns the two header values.
 */
export async function signForwardedState(
  state: RequestState,
  options: ForwardingSecret & { credentialHash: string; now: number; ttlSeconds: number },
): Promise<{ [FORWARDED_AUTH_HEADER]: string; [FORWARDED_SIGNATURE_HEADER]: string }> {
  const payload: ForwardedPayload = {
    v: VERSION,
    s: state.status,
    r: state.reason,
    t: state.tokenType,
    h: options.credentialHash,
    e: options.now + options.ttlSeconds * 1000,
  };
  if (state.status === 'signed-in') {
    const auth = state.toAuth();
    if (auth.tokenType === 'session_token' && auth.isAuthenticated) payload.c = auth.sessionClaims;
    else if (auth.isAuthenticated) payload.m = machineIdentityOf(auth as MachineAuthObject);
  }
  payload.e = Math.min(payload.e, tokenExpiryMs(payload) ?? payload.e);
  const value = base64url.encode(encoder.encode(JSON.stringify(payload)));
  const key = await forwardingKey(options);
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, signingInput(value)));
  return { [FORWARDED_AUTH_HEADER]: value, [FORWARDED_SIGNATURE_HEADER]: base64url.encode(signature) };
}

const STATUSES: readonly AuthStatus[] = ['signed-in', 'signed-out', 'handshake', 'unavailable'];
const MACHINE_TYPES: readonly MachineTokenType[] = ['api_key', 'm2m_token', 'oauth_token'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rebuilds the auth object from a verified payload. Anything unexpected is signed out. */
function authFromPayload(payload: ForwardedPayload): AuthObject {
  if (payload.s === 'signed-in') {
    if (
      payload.t === 'session_token' &&
      isObject(payload.c) &&
      typeof payload.c.sub === 'string' &&
      payload.c.sub !== ''
    ) {
      return sessionAuthObject(payload.c);
    }
    const m = payload.m;
    if (
      payload.t !== null &&
      (MACHINE_TYPES as readonly string[]).includes(payload.t) &&
      isObject(m) &&
      m.tokenType === payload.t
    ) {
      if (typeof m.id === 'string' && typeof m.subject === 'string' && Array.isArray(m.scopes)) {
        return machineAuthObject({
          ...m,
          scopes: m.scopes.filter((scope): scope is string => typeof scope === 'string'),
        });
      }
    }
  }
  return signedOutAuthObject(payload.t);
}

function decodeBase64url(value: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(value)) return undefined;
  try {
    return new Uint8Array(base64url.decode(value));
  } catch {
    return undefined;
  }
}

/**
 * Reads the forwarded state from request headers. Returns undefined when it is missing, its
 * signature does not verify with this configuration's key (compared in constant time by
 * `crypto.subtle.verify`), it has expired (or its token has), or it was made for another
 * credential than the one these headers carry: the caller treats all of those as signed out.
 */
export async function readForwardedState(
  headers: Headers,
  options: ForwardingSecret & { cookieSuffix: string | undefined; now: number },
): Promise<ForwardedAuth | undefined> {
  const value = headers.get(FORWARDED_AUTH_HEADER);
  const signatureValue = headers.get(FORWARDED_SIGNATURE_HEADER);
  if (value === null || signatureValue === null || value.length > 64 * 1024) return undefined;
  const signature = decodeBase64url(signatureValue);
  if (signature === undefined || signature.length !== 32) return undefined;
  const key = await forwardingKey(options);
  if (!(await crypto.subtle.verify('HMAC', key, signature, signingInput(value)))) return undefined;

  let payload: ForwardedPayload;
  try {
    const bytes = decodeBase64url(value);
    if (bytes === undefined) return undefined;
    payload = JSON.parse(decoder.decode(bytes)) as ForwardedPayload;
  } catch {
    return undefined;
  }
  if (!isObject(payload) || payload.v !== VERSION || !STATUSES.includes(payload.s)) return undefined;
  if (typeof payload.e !== 'number' || !(payload.e > options.now)) return undefined;
  const tokenExpiry = tokenExpiryMs(payload);
  if (tokenExpiry !== undefined && !(tokenExpiry > options.now)) return undefined;
  if (payload.t !== null && !(TOKEN_TYPES as readonly string[]).includes(payload.t)) return undefined;
  if (typeof payload.h !== 'string' || payload.h !== (await credentialHash(headers, options.cookieSuffix)))
    return undefined;
  return restoredVerdict({
    status: payload.s,
    reason: payload.r ?? null,
    tokenType: payload.t,
    auth: authFromPayload(payload),
  });
}

/**
 * Stable, kebab-case reasons for every verdict that is not "signed in", as a runtime list (the
 * README table is checked against it).
 *
 * Callers `switch` on these; they never change meaning between releases. Messages that go with
 * them are for humans and never contain a token, a key or a secret.
 */
export const AUTH_ERROR_REASONS = [
  // No usable credential
  'token-missing',
  'authorization-header-malformed',
  'client-uat-missing',
  'session-token-missing',
  'session-token-outdated',
  // Token shape
  'token-malformed',
  'token-too-large',
  'token-type-mismatch',
  'token-invalid-type',
  'token-invalid-algorithm',
  'token-unsupported-critical-header',
  // Keys
  'jwk-kid-missing',
  'jwk-kid-mismatch',
  'jwk-alg-mismatch',
  'jwt-key-missing',
  // Signature and claims
  'token-invalid-signature',
  'token-expired',
  'token-not-active-yet',
  'token-iat-in-the-future',
  'token-invalid-claims',
  'token-invalid-issuer',
  'token-invalid-audience',
  'token-invalid-authorized-parties',
  'session-pending',
  // Machine tokens
  'token-invalid',
  'token-revoked',
  'machine-secret-key-missing',
  // Session refresh
  'refresh-non-get-request',
  'refresh-rejected',
  // Handshake (browser page loads)
  'dev-browser-missing',
  'dev-browser-sync',
  'handshake-loop',
  // Infrastructure (status `unavailable`)
  'jwks-unavailable',
  'backend-api-unavailable',
  'secret-key-invalid',
  'rate-limited',
] as const;

/** One of {@link AUTH_ERROR_REASONS}. */
export type AuthErrorReason = (typeof AUTH_ERROR_REASONS)[number];

/**
 * What went wrong, in a few words, with the knob that fixes it where there is one. Shown in
 * messages; never includes request data. The README's reason table explains each at length.
 */
const HINTS: Record<AuthErrorReason, string> = {
  'token-missing': 'No __session cookie or Bearer token.',
  'authorization-header-malformed': 'Send "Authorization: Bearer <token>".',
  'client-uat-missing': '__client_uat is 0 or missing: signed out.',
  'session-token-missing': '__client_uat > 0 but no __session cookie.',
  'session-token-outdated': 'Token older than __client_uat; refresh it.',
  'token-malformed': 'The token is not a compact JWS.',
  'token-too-large': 'Tokens over 16 KB are refused.',
  'token-type-mismatch': 'Token type not in acceptsToken.',
  'token-invalid-type': 'Header typ must be absent or JWT.',
  'token-invalid-algorithm': 'alg is not in the algorithms option.',
  'token-unsupported-critical-header': 'A crit header is not understood.',
  'jwk-kid-missing': 'The token header has no kid.',
  'jwk-kid-mismatch': 'No instance key has this kid; check the keys.',
  'jwk-alg-mismatch': 'The key for kid does not fit alg.',
  'jwt-key-missing': 'JWTs need CLERK_SECRET_KEY or CLERK_JWT_KEY.',
  'token-invalid-signature': 'The signature does not match the key.',
  'token-expired': 'The token expired; fetch a new one.',
  'token-not-active-yet': 'nbf is in the future; see clockSkewInMs.',
  'token-iat-in-the-future': 'iat is in the future; see clockSkewInMs.',
  'token-invalid-claims': 'A claim is missing or of the wrong type.',
  'token-invalid-issuer': 'iss is not this instance; see issuer.',
  'token-invalid-audience': 'aud does not match the audience option.',
  'token-invalid-authorized-parties': 'azp is not in authorizedParties.',
  'session-pending': 'Session pending; see treatPendingAsSignedOut.',
  'token-invalid': 'The token is not valid for this instance.',
  'token-revoked': 'The token was revoked.',
  'machine-secret-key-missing': 'Set CLERK_SECRET_KEY or CLERK_MACHINE_SECRET_KEY.',
  'refresh-non-get-request': 'Sessions refresh on GET requests only.',
  'refresh-rejected': 'The session refresh was refused; sign in.',
  'dev-browser-missing': 'No dev-browser token; handshake gets one.',
  'dev-browser-sync': 'New dev-browser token; handshake syncs it.',
  'handshake-loop': 'Handshakes loop; check keys, clock and proxy.',
  'jwks-unavailable': 'Keys unreachable and none cached; retry.',
  'backend-api-unavailable': 'The Backend API failed; retry later.',
  'secret-key-invalid': 'The Backend API refused CLERK_SECRET_KEY.',
  'rate-limited': 'Rate-limited; retry after Retry-After.',
};

/**
 * The fix hint for a reason: a sentence safe to show to developers (it never contains request data).
 *
 * @example
 * ```ts
 * const state = await clerk.authenticateRequest(request)
 * if (state.reason) console.info(state.reason, hintFor(state.reason))
 * ```
 */
export function hintFor(reason: AuthErrorReason): string {
  return HINTS[reason];
}

/** The stable codes of the errors clerk-edge throws. */
export type ClerkEdgeErrorCode =
  /** A required option is missing (it may still come from a per-request environment). */
  | 'configuration-missing'
  /** An option is malformed. */
  | 'configuration-invalid'
  /** An adapter helper ran on a request its middleware did not see. */
  | 'middleware-missing'
  /** Next's `auth.protect()` ended the middleware with a response (caught by `clerkMiddleware`). */
  | 'protect-rejected'
  /** `clerk-edge/api`: the Backend API answered with an error (see `ClerkApiError.errors`). */
  | 'api-response-error'
  /** `clerk-edge/api`: 429, or the back-off it opened (see `retryAfterSeconds`). */
  | 'api-rate-limited'
  /** `clerk-edge/api`: the Backend API could not be reached. */
  | 'api-network-error'
  /** `clerk-edge/api`: the call did not finish in `timeoutMs`. */
  | 'api-timeout'
  /** `clerk-edge/api`: a success status with a body that is not the expected JSON. */
  | 'api-malformed-response'
  /** `clerk-edge/api`: a path parameter is empty, a dot segment or holds a `/`; nothing was sent. */
  | 'api-invalid-path-parameter'
  /** An adapter's client was read without the `clerkClient` option that provides it. */
  | 'client-not-configured'
  /** `getToken()` of an auth object no adapter bound to a request. */
  | 'get-token-unbound'
  /** `getToken({ template })`: the failures of `ClerkTokenError` (see `ClerkTokenErrorCode`). */
  | 'template-token-not-found'
  | 'secret-key-invalid'
  | 'secret-key-missing'
  | 'rate-limited'
  | 'backend-api-unavailable';

/**
 * Base class of every error clerk-edge throws. Tell kinds apart by `code`, not by class.
 */
export class ClerkEdgeError extends Error {
  /** Stable machine-readable code. */
  readonly code: ClerkEdgeErrorCode;
  /** How to fix it. */
  readonly hint: string;
  constructor(code: ClerkEdgeErrorCode, message: string, hint: string) {
    super(`${message} ${hint}`.trim());
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
  }
}

/**
 * Thrown when clerk-edge is created with options it cannot work with (missing or malformed keys,
 * unsupported algorithms). Names the option and the environment variable to set.
 *
 * @example
 * ```ts
 * try { createClerkAuth({ secretKey: 'oops' }) }
 * catch (error) { if (error instanceof ClerkConfigurationError) console.error(error.message) }
 * ```
 */
export class ClerkConfigurationError extends ClerkEdgeError {
  /** The option at fault (`secretKey`, `publishableKey`, ...). */
  readonly option: string;
  /** True when something is missing (it may still come from a per-request environment), false when it is malformed. */
  readonly missing: boolean;
  constructor(option: string, message: string, hint: string, missing = false) {
    super(missing ? 'configuration-missing' : 'configuration-invalid', message, hint);
    this.option = option;
    this.missing = missing;
  }
}

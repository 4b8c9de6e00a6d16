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
 * The fix for the reasons a setting or a request change fixes, in a few words (the reason names what
 * went wrong). Never includes request data. Every other reason points to the README's reason table,
 * which explains each at length: so do the reasons that already name their setting
 * (`token-invalid-issuer`, `token-invalid-audience`, `token-invalid-authorized-parties`,
 * `token-invalid-algorithm`, `secret-key-invalid`).
 */
const FIXES: Partial<Record<AuthErrorReason, string>> = {
  'token-missing': 'send a __session cookie or Bearer token',
  'authorization-header-malformed': 'send one Bearer token',
  'token-type-mismatch': 'see acceptsToken',
  'jwt-key-missing': 'set CLERK_SECRET_KEY or CLERK_JWT_KEY',
  'token-not-active-yet': 'see clockSkewInMs',
  'token-iat-in-the-future': 'see clockSkewInMs',
  'session-pending': 'see treatPendingAsSignedOut',
  'machine-secret-key-missing': 'set CLERK_SECRET_KEY or CLERK_MACHINE_SECRET_KEY',
  'handshake-loop': 'check keys, clock and proxy',
};

/**
 * The fix hint for a reason, `<reason>: <fix>.`: a sentence safe to show to developers (it never
 * contains request data). Reasons no setting fixes say where the README explains them.
 *
 * @example
 * ```ts
 * hintFor('token-not-active-yet') // 'token-not-active-yet: see clockSkewInMs.'
 * hintFor('token-expired') // 'token-expired: see the README reason table.'
 * ```
 */
export function hintFor(reason: AuthErrorReason): string {
  return `${reason}: ${FIXES[reason] ?? 'see the README reason table'}.`;
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
  declare readonly code: ClerkEdgeErrorCode;
  /** How to fix it. */
  declare readonly hint: string;
  constructor(code: ClerkEdgeErrorCode, message: string, hint: string) {
    super(`${message} ${hint}`.trim());
    // A literal: minifiers rename classes, so `new.target.name` would read `N` in a bundled Worker.
    this.name = 'ClerkEdgeError';
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
  declare readonly option: string;
  /** True when something is missing (it may still come from a per-request environment), false when it is malformed. */
  declare readonly missing: boolean;
  constructor(option: string, message: string, hint: string, missing = false) {
    super(`configuration-${missing ? 'missing' : 'invalid'}`, message, hint);
    this.name = 'ClerkConfigurationError';
    this.option = option;
    this.missing = missing;
  }
}

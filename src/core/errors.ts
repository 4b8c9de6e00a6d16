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

/** How to fix each kind of rejection. Shown in messages; never includes request data. */
const HINTS: Record<AuthErrorReason, string> = {
  'token-missing': 'Send a session token in the __session cookie or an Authorization: Bearer header.',
  'authorization-header-malformed': 'Use exactly "Authorization: Bearer <token>".',
  'client-uat-missing':
    'The browser has a __session cookie but __client_uat is missing or 0, which means it signed out. Sign in again.',
  'session-token-missing':
    'The browser is signed in (__client_uat > 0) but sent no __session cookie. Load a page so Clerk can refresh it.',
  'session-token-outdated':
    'The session token predates the latest sign-in state change (__client_uat). Refresh the session.',
  'token-malformed': 'The token is not a well-formed compact JWS.',
  'token-too-large': 'Tokens larger than 16 KB are refused before any verification.',
  'token-type-mismatch': 'This route does not accept this kind of token; check acceptsToken.',
  'token-invalid-type': 'Session tokens must have no "typ" header or "typ": "JWT".',
  'token-invalid-algorithm': 'The token algorithm is not in the allowlist (option `algorithms`, default RS256).',
  'token-unsupported-critical-header':
    'The token marks a header parameter as critical ("crit") that is not understood.',
  'jwk-kid-missing': 'The token header has no "kid", so no instance key can be chosen.',
  'jwk-kid-mismatch':
    'No key of this Clerk instance has the token\'s "kid". Check that the token comes from the instance configured by CLERK_SECRET_KEY / CLERK_PUBLISHABLE_KEY.',
  'jwk-alg-mismatch': 'The key chosen by "kid" is not of the type the token algorithm needs.',
  'jwt-key-missing':
    'Only CLERK_MACHINE_SECRET_KEY is configured, so JWTs cannot be verified. Set CLERK_SECRET_KEY, CLERK_JWT_KEY or CLERK_PUBLISHABLE_KEY.',
  'token-invalid-signature':
    'The signature does not match the instance key. The token was altered or signed by someone else.',
  'token-expired': "The token has expired. Clerk's frontend refreshes session tokens every minute; fetch a new one.",
  'token-not-active-yet': 'The token "nbf" is in the future. Check the server clock or raise clockSkewInMs.',
  'token-iat-in-the-future': 'The token "iat" is in the future. Check the server clock or raise clockSkewInMs.',
  'token-invalid-claims':
    'A required claim is missing or has the wrong type ("sub" must be a non-empty string, "exp" a number).',
  'token-invalid-issuer':
    'The token "iss" is not this instance\'s Frontend API. Check CLERK_PUBLISHABLE_KEY or the `issuer` option.',
  'token-invalid-audience': 'The token "aud" does not match the `audience` option.',
  'token-invalid-authorized-parties':
    'The token "azp" (the origin that requested it) is not in authorizedParties / CLERK_AUTHORIZED_PARTIES.',
  'session-pending':
    'The session is pending (the user has tasks to complete). Set treatPendingAsSignedOut: false to accept it.',
  'token-invalid': 'The token is not valid for this instance.',
  'token-revoked': 'The token was revoked.',
  'machine-secret-key-missing': 'Verifying machine tokens needs CLERK_SECRET_KEY or CLERK_MACHINE_SECRET_KEY.',
  'refresh-non-get-request': 'Sessions are only refreshed on GET requests; retry after the page refreshes the token.',
  'refresh-rejected': 'The Backend API refused to refresh the session; the user must sign in again.',
  'dev-browser-missing':
    'A development instance needs the dev-browser token (__clerk_db_jwt); the page load goes through the handshake to get one.',
  'dev-browser-sync':
    'A Clerk redirect brought a new dev-browser token (__clerk_db_jwt in the URL); the handshake syncs the session with it.',
  'handshake-loop':
    'Three handshakes in a row did not settle the session. Check that CLERK_SECRET_KEY and CLERK_PUBLISHABLE_KEY belong to the same instance, the server clock, and any proxy in front of the app.',
  'jwks-unavailable': 'The instance keys could not be fetched and none are cached. Retry later.',
  'backend-api-unavailable': 'The Clerk Backend API could not be reached or answered with an error. Retry later.',
  'secret-key-invalid':
    'The Backend API rejected the secret key. Check CLERK_SECRET_KEY (and CLERK_MACHINE_SECRET_KEY).',
  'rate-limited': 'The Backend API rate-limited this instance. Retry after the Retry-After interval.',
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

import type { JWK, JWTHeaderParameters, JWTPayload } from 'jose';

import type { FaultSpec } from './faults.js';
import type { InstanceType } from './publishable-key.js';
import type { ClerkEmulatorRoute } from './routes.js';
import type { EmulatorWebhooks } from './webhooks.js';
import type { ClerkResourceRoute, ResourceStore } from './resources/index.js';
import type {
  ClerkApiKeyJSON,
  ClerkM2MTokenJSON,
  ClerkOAuthAccessTokenJSON,
  ClerkSessionJSON,
  ClerkSessionStatus,
} from './types.js';

// The public shape of the emulator: its options and the object createClerkEmulator resolves to.

/** Clerk's `cat` header values, which mark what a JWT is for. */
export const TOKEN_CATEGORY = {
  session: 'cl_B7d4PD111AAA',
  jwtTemplate: 'cl_B7d4PD222AAA',
  m2m: 'cl_B7d4PD333AAA',
} as const;

/** Options for {@link createClerkEmulator}. */
export interface ClerkEmulatorOptions {
  /** Port to listen on, on 127.0.0.1 only. Default 0: a free port chosen by the OS. */
  port?: number;
  /** `test` (default) makes `pk_test_`/`sk_test_` keys, `live` makes `pk_live_`/`sk_live_` keys. */
  instanceType?: InstanceType;
  /** Lifetime of session tokens and JWT-template tokens, in seconds. Default 60, like Clerk. */
  sessionTokenTtlSeconds?: number;
  /** Same as `sessionTokenTtlSeconds` (set one): a browser test can let tokens expire in seconds. */
  sessionTokenLifetimeSeconds?: number;
  /** Clock in milliseconds since the epoch, used for every timestamp and expiry flag. Default `Date.now`. */
  now?: () => number;
  /** The instance secret key BAPI requests must carry as `Authorization: Bearer`. Default `sk_test_` + random. */
  secretKey?: string;
  /** The machine secret key (also accepted by the `m2m_tokens` routes). Default `ak_` + random. */
  machineSecretKey?: string;
}

/** Options for {@link ClerkEmulator.createSession}. */
export interface CreateSessionOptions {
  /** The user (`sub`). Default: a new random `user_...` id. */
  userId?: string;
  /** Active organization; when set, tokens carry organization claims. */
  orgId?: string;
  /** Organization role, with or without the `org:` prefix (v2 `rol` drops it, v1 `org_role` keeps it). Default `org:member`. */
  orgRole?: string;
  orgSlug?: string;
  /**
   * Organization permissions as `org:<feature>:<permission>`. In v2 claims they become `o.per`/`o.fpm`;
   * features they mention that are missing from `features` are added to `fea` as `o:<feature>`.
   */
  orgPermissions?: string[];
  /**
   * Features as `scope:name` (`o:reports`, `u:dashboard`), emitted comma-separated as `fea` (v2 only).
   * Org-scoped ones are dropped when no organization is active, as Clerk does.
   */
  features?: string[];
  /** Plans as `scope:name` (`o:pro`, `u:free`), emitted comma-separated as `pla` (v2 only). */
  plans?: string[];
  /** Impersonation actor, emitted as the `act` claim and the session's `actor`. */
  actor?: { sub: string } & Record<string, unknown>;
  /** Session status (default `active`); also the tokens' `sts`. Tokens are only minted for `active` and `pending`. */
  status?: ClerkSessionStatus;
  /** The `azp` claim (the browser origin); omitted by default, as for tokens minted through BAPI. */
  azp?: string;
  /** `2` (default): `v: 2` claims with the `o` object; `1`: `org_id`/`org_role`/`org_slug`/`org_permissions`. */
  claimsVersion?: 1 | 2;
  /**
   * Minutes since the first and second factor were verified when the session is created
   * (`-1`: no second factor). Default `[0, -1]`. Ages grow with the clock, so `fva` in later
   * tokens reflects elapsed time.
   */
  factorVerificationAge?: [number, number];
}

/** Options for {@link ClerkEmulator.createSessionToken}. */
export interface CreateSessionTokenOptions {
  /**
   * Mint a JWT-template token instead of a session token: header `cat: cl_B7d4PD222AAA`, claims
   * `iss`, `sub`, `sid`, `iat`, `nbf`, `exp`, `jti` and `tpl` (the template name), no session claims.
   */
  template?: string;
  /** Lifetime in seconds; default `sessionTokenTtlSeconds`. */
  expiresInSeconds?: number;
  /** `iat` in seconds since the epoch; default: now (from the emulator's clock). */
  issuedAt?: number;
  /** Claims merged over the generated ones (they win), e.g. a wrong `iss` or custom claims. */
  extraClaims?: JWTPayload;
}

/** Options for {@link ClerkEmulator.createApiKey}. */
export interface CreateApiKeyOptions {
  /** Owner: `user_...`, `org_...` or `mch_...`. Default: a new random `user_...` id. */
  subject?: string;
  /** Default `test_api_key`. */
  name?: string;
  description?: string;
  scopes?: string[];
  claims?: Record<string, unknown> | null;
  createdBy?: string;
  /** Default: never expires. */
  secondsUntilExpiration?: number;
}

/** Options for {@link ClerkEmulator.createM2MToken}. */
export interface CreateM2MTokenOptions {
  /** The machine the token belongs to (`subject`/`sub`). Default: the emulator's {@link ClerkEmulator.machineId}. */
  machineId?: string;
  /** Machines this token may call (`mch_...` ids). Default none. */
  scopes?: string[];
  claims?: Record<string, unknown> | null;
  /** `opaque` (default): an `mt_` secret verified through BAPI; `jwt`: an RS256 JWT verified with the JWKS. */
  format?: 'opaque' | 'jwt';
  /** Default 3600. */
  secondsUntilExpiration?: number;
}

/** Options for {@link ClerkEmulator.createOAuthToken}. */
export interface CreateOAuthTokenOptions {
  /** The user the token acts for. Default: a new random `user_...` id. */
  userId?: string;
  /** The OAuth application's client id. Default: a new random one. */
  clientId?: string;
  scopes?: string[];
  /** `opaque` (default): an `oat_` secret verified through BAPI; `jwt`: an RFC 9068 `at+jwt` access token. */
  format?: 'opaque' | 'jwt';
  /** `aud` of JWT-format tokens. Default: the client id. */
  audience?: string | string[];
  /** Default 3600. */
  secondsUntilExpiration?: number;
}

/** Options for {@link ClerkEmulator.signToken}. */
export interface SignTokenOptions {
  /** The payload, used verbatim. */
  claims: JWTPayload;
  /** Header fields merged over `{ alg, kid: <current kid>, typ: 'JWT' }`. */
  header?: Partial<JWTHeaderParameters> & Record<string, unknown>;
  /**
   * `current` (default): the instance's signing key; `foreign`: a key pair the instance does not
   * know (the header still names the current `kid`); or any key jose can sign with.
   */
  key?: 'current' | 'foreign' | CryptoKey | Uint8Array;
  /** Default `RS256`; `none` makes an unsecured JWT. */
  alg?: string;
}

/** One request the emulator received. */
export interface EmulatorRequest {
  /** The route it matched, or `null` when it matched none (answered 404). */
  route: ClerkEmulatorRoute | ClerkResourceRoute | null;
  method: string;
  /** URL path without the query string. */
  path: string;
  /** Query parameters (the first value of each). */
  query: Record<string, string>;
  /** Request headers, names lowercased. */
  headers: Record<string, string>;
  /** The parsed JSON body; the raw text if it was not JSON; `undefined` if empty. */
  body: unknown;
}

/** A running Clerk emulator. See {@link createClerkEmulator}. */
export interface ClerkEmulator {
  /** Backend API base URL, `http://127.0.0.1:<port>`; pass it as `apiUrl`. */
  readonly url: string;
  /**
   * Frontend API URL, `http://127.0.0.1:<port>` (the same server): JWKS, `GET /v1/client/handshake`,
   * `POST /v1/dev_browser` and the test-only `/__emulator/sign-in` and `/__emulator/sign-out`. Serve the
   * app on `localhost` so the browser keeps the app's cookies and the Frontend API's `__client` apart.
   */
  readonly frontendApiUrl: string;
  readonly instanceType: InstanceType;
  readonly secretKey: string;
  readonly machineSecretKey: string;
  /** The machine `machineSecretKey` belongs to (`mch_...`). */
  readonly machineId: string;
  /** `pk_test_`/`pk_live_` + base64(`127.0.0.1:<port>$`). */
  readonly publishableKey: string;
  /** `https://127.0.0.1:<port>`: the Frontend API host of the publishable key, and every token's `iss`. */
  readonly issuer: string;
  /** Suffix of this instance's cookie names (`__session_<suffix>`, `__client_uat_<suffix>`, `__refresh_<suffix>`). */
  readonly cookieSuffix: string;
  /** `kid` of the key new tokens are signed with. */
  readonly kid: string;
  /** Every request received since start or the last {@link ClerkEmulator.resetCounts}, oldest first. */
  readonly requests: readonly EmulatorRequest[];

  /**
   * The public JWKS currently served (newest key first).
   *
   * @example
   * ```ts
   * const jwks = createLocalJWKSet(emulator.jwks());
   * await jwtVerify(token, jwks);
   * ```
   */
  jwks(): { keys: JWK[] };

  /**
   * Creates a session (returned as the spec's Session object) and its refresh token.
   *
   * @example
   * ```ts
   * const { session, refreshToken } = await emulator.createSession({
   *   userId: 'user_123',
   *   orgId: 'org_123',
   *   orgRole: 'org:admin',
   *   orgPermissions: ['org:reports:read'],
   * });
   * ```
   */
  createSession(options?: CreateSessionOptions): Promise<{ session: ClerkSessionJSON; refreshToken: string }>;

  /**
   * Mints a session token (or a JWT-template token) for an `active` or `pending` session, exactly as
   * `POST /v1/sessions/{id}/tokens` does. Throws for unknown or ended sessions.
   *
   * @example
   * ```ts
   * const { session } = await emulator.createSession();
   * const token = await emulator.createSessionToken(session.id);
   * await fetch(appUrl, { headers: { Authorization: `Bearer ${token}` } });
   * ```
   */
  createSessionToken(sessionId: string, options?: CreateSessionTokenOptions): Promise<string>;

  /**
   * Marks a session `revoked`: it gets no new tokens and cannot be refreshed.
   *
   * @example
   * ```ts
   * emulator.revokeSession(session.id);
   * ```
   */
  revokeSession(sessionId: string): ClerkSessionJSON;

  /**
   * Creates an API key; returns the spec's API key object plus its `secret` (`ak_...`).
   *
   * @example
   * ```ts
   * const { secret } = await emulator.createApiKey({ subject: 'user_123', scopes: ['read'] });
   * await fetch(appUrl, { headers: { Authorization: `Bearer ${secret}` } });
   * ```
   */
  createApiKey(options?: CreateApiKeyOptions): Promise<ClerkApiKeyJSON & { secret: string }>;

  /**
   * Revokes an API key: verification still answers 200, with `revoked: true`.
   *
   * @example
   * ```ts
   * emulator.revokeApiKey(apiKey.id);
   * ```
   */
  revokeApiKey(id: string, reason?: string): ClerkApiKeyJSON;

  /**
   * Creates an M2M token; returns the spec's M2M token object with `token` (`mt_...`, or a JWT with `format: 'jwt'`).
   *
   * @example
   * ```ts
   * const { token } = await emulator.createM2MToken({ format: 'jwt', scopes: ['mch_...'] });
   * ```
   */
  createM2MToken(options?: CreateM2MTokenOptions): Promise<ClerkM2MTokenJSON & { token: string }>;

  /**
   * Revokes an M2M token (verification answers 200 with `revoked: true`).
   *
   * @example
   * ```ts
   * emulator.revokeM2MToken(m2m.id);
   * ```
   */
  revokeM2MToken(id: string, reason?: string): ClerkM2MTokenJSON;

  /**
   * Creates an OAuth access token; returns the spec's verify object plus `token` (`oat_...`, or an `at+jwt` JWT).
   *
   * @example
   * ```ts
   * const { token } = await emulator.createOAuthToken({ userId: 'user_123', scopes: ['profile'] });
   * ```
   */
  createOAuthToken(options?: CreateOAuthTokenOptions): Promise<ClerkOAuthAccessTokenJSON & { token: string }>;

  /**
   * Revokes an OAuth access token (verification answers 200 with `revoked: true`).
   *
   * @example
   * ```ts
   * emulator.revokeOAuthToken(oauth.id);
   * ```
   */
  revokeOAuthToken(id: string, reason?: string): ClerkOAuthAccessTokenJSON;

  /**
   * Generates a new RS256 signing key and returns its `kid`. With `keepPrevious` (default true)
   * the JWKS serves the new and the previous key; otherwise only the new one.
   *
   * @example
   * ```ts
   * const newKid = await emulator.rotateKeys({ keepPrevious: false });
   * ```
   */
  rotateKeys(options?: { keepPrevious?: boolean }): Promise<string>;

  /**
   * Signs arbitrary claims, with the instance key or a foreign one, for tampered-token tests.
   *
   * @example
   * ```ts
   * const forged = await emulator.signToken({ key: 'foreign', claims: { sub: 'user_123', exp: 9999999999 } });
   * const hmac = await emulator.signToken({ alg: 'HS256', key: new TextEncoder().encode('secret'), claims: {} });
   * ```
   */
  signToken(options: SignTokenOptions): Promise<string>;

  /**
   * Arms a fault on a route (replacing any fault already there).
   *
   * @example
   * ```ts
   * emulator.fault('GET /v1/jwks', { status: 503, times: 1 });
   * emulator.fault('POST /v1/api_keys/verify', { status: 429, headers: { 'Retry-After': '2' } });
   * emulator.fault('GET /v1/jwks', { drop: true });
   * ```
   */
  fault(route: ClerkEmulatorRoute | ClerkResourceRoute, spec: FaultSpec): void;

  /**
   * Clears the fault on one route, or all faults.
   *
   * @example
   * ```ts
   * emulator.clearFaults();
   * ```
   */
  clearFaults(route?: ClerkEmulatorRoute | ClerkResourceRoute): void;

  /**
   * How many requests a route received since start or the last {@link ClerkEmulator.resetCounts}.
   *
   * @example
   * ```ts
   * expect(emulator.requestCount('GET /v1/jwks')).toBe(1);
   * ```
   */
  requestCount(route: ClerkEmulatorRoute | ClerkResourceRoute): number;

  /**
   * The users, organizations, memberships, invitations and JWT templates behind the resource routes
   * (`/v1/users`, `/v1/organizations`, ...), with `onChange` for Clerk's webhook event types.
   *
   * @example
   * ```ts
   * emulator.resources.onChange((event) => console.info(event.type));
   * ```
   */
  readonly resources: ResourceStore;

  /**
   * Forgets recorded requests.
   *
   * @example
   * ```ts
   * emulator.resetCounts();
   * ```
   */
  resetCounts(): void;

  /**
   * Signs browsers out on the Frontend API (their sessions end), as `/__emulator/sign-out` does; the
   * next handshake of those browsers clears the app's cookies. Returns how many were signed in.
   *
   * @example
   * ```ts
   * emulator.signOutBrowserClients({ userId: 'user_123' });
   * ```
   */
  signOutBrowserClients(options?: { userId?: string }): number;

  /**
   * Signed webhook deliveries (Svix format) of the emulator's state changes to registered endpoints.
   *
   * @example
   * ```ts
   * const { secret } = emulator.webhooks.addEndpoint('http://127.0.0.1:3000/webhooks/clerk');
   * await emulator.createSession({ userId: 'user_123' });
   * await emulator.webhooks.settled();
   * expect(emulator.webhooks.deliveries()[0]?.status).toBe('delivered');
   * ```
   */
  readonly webhooks: EmulatorWebhooks;

  /**
   * Stops the server and closes every connection. Safe to call twice.
   *
   * @example
   * ```ts
   * afterAll(() => emulator.close());
   * ```
   */
  close(): Promise<void>;
}

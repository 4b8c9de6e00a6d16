import { serve } from '@hono/node-server';
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import type { JWK, JWTPayload } from 'jose';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  authenticationInvalid,
  badRequest,
  clerkErrors,
  defaultErrorBody,
  formParamInvalid,
  formParamMissing,
  formParamUnknown,
  resourceNotFound,
} from './errors.js';
import { TOKEN_CATEGORY } from './emulator-types.js';
import type {
  ClerkEmulator,
  ClerkEmulatorOptions,
  CreateApiKeyOptions,
  CreateM2MTokenOptions,
  CreateOAuthTokenOptions,
  CreateSessionOptions,
  CreateSessionTokenOptions,
  EmulatorRequest,
} from './emulator-types.js';
import { FaultTable } from './faults.js';
import { clerkId, randomBase62, randomHex } from './ids.js';
import { signJwt } from './keys.js';
import { cookieSuffix, createPublishableKey } from './publishable-key.js';
import type { InstanceType } from './publishable-key.js';
import { CLERK_EMULATOR_ROUTES } from './routes.js';
import { ResourceStore, createResourceApp, organizationClaimsFor } from './resources/index.js';
import type { ClerkResourceRoute } from './resources/index.js';
import type { ClerkEmulatorRoute } from './routes.js';
import { NOT_BEFORE_LEEWAY_SECONDS, buildSessionClaims, encodeOrgPermissions } from './session-claims.js';
import type { ClerkApiKeyJSON, ClerkM2MTokenJSON, ClerkOAuthAccessTokenJSON, ClerkSessionJSON } from './types.js';

interface InstanceKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

interface SessionRecord {
  json: ClerkSessionJSON;
  refreshToken: string;
  orgRole: string | undefined;
  orgSlug: string | undefined;
  orgPermissions: string[] | undefined;
  features: string[] | undefined;
  plans: string[] | undefined;
  azp: string | undefined;
  claimsVersion: 1 | 2;
  firstFactorAt: number;
  secondFactorAt: number | null;
}

/** Lifecycle fields every machine credential shares. Timestamps are milliseconds. */
interface MachineState {
  revoked: boolean;
  revocationReason: string | null;
  expiration: number | null;
  lastUsedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

interface ApiKeyRecord extends MachineState {
  id: string;
  secret: string;
  type: string;
  subject: string;
  name: string;
  description: string | null;
  claims: unknown;
  scopes: string[];
  createdBy: string | null;
}

interface M2MRecord extends MachineState {
  id: string;
  token: string;
  format: 'opaque' | 'jwt';
  subject: string;
  claims: unknown;
  scopes: string[];
}

interface OAuthRecord extends MachineState {
  id: string;
  token: string;
  format: 'opaque' | 'jwt';
  clientId: string;
  subject: string;
  scopes: string[];
}

type Bearer = 'secret' | 'machine' | 'none';

type RouteAuth = 'secret' | 'secret-or-machine' | 'public';

interface RouteHandler {
  auth: RouteAuth;
  /** Allowed body fields, for routes whose spec request schema has `additionalProperties: false`. */
  params?: readonly string[];
  handle: (ctx: RouteContext) => Response | Promise<Response>;
}

interface RouteContext {
  c: Context<{ Bindings: HttpBindings }>;
  body: Record<string, unknown>;
  param(name: string): string;
}

const SESSION_LIFETIME_MS = 7 * 24 * 3600 * 1000;
const SESSION_ABANDON_MS = 30 * 24 * 3600 * 1000;
const DEFAULT_MACHINE_TOKEN_TTL_SECONDS = 3600;
const TOKEN_EXPIRES_MIN = 30;
const TOKEN_EXPIRES_MAX = 315_360_000;

async function generateInstanceKey(): Promise<InstanceKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const kid = clerkId('ins');
  const { kty, n, e } = await exportJWK(publicKey);
  return { kid, privateKey, publicJwk: { kid, alg: 'RS256', use: 'sig', kty, n, e } };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

function parseBearer(header: string | undefined): string | undefined {
  const match = /^bearer ([^\s]+)$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Starts a local Clerk emulator: a Backend API and the Frontend API's JWKS endpoint on 127.0.0.1,
 * with real RS256 signing, sessions, machine tokens, key rotation and fault injection. Its
 * responses follow the schemas of Clerk's Backend API spec (2025-11-10).
 *
 * Routes (each Backend API route also answers without the `/v1` prefix): `GET /v1/jwks`,
 * `GET /.well-known/jwks.json` (no auth), `POST /v1/sessions`, `GET /v1/sessions/:session_id`,
 * `POST /v1/sessions/:session_id/{revoke,tokens,tokens/:template_name,refresh}`,
 * `POST /v1/api_keys`, `POST /v1/api_keys/verify`, `POST /v1/api_keys/:apiKeyID/revoke`,
 * `POST /v1/m2m_tokens`, `POST /v1/m2m_tokens/verify`, `POST /v1/m2m_tokens/:m2m_token_id/revoke`
 * (these three also accept the machine secret key), `POST /v1/oauth_applications/access_tokens/verify`.
 * Backend API routes require `Authorization: Bearer <secretKey>` and answer 401 in the spec's
 * ClerkErrors shape otherwise; unknown routes and ids answer 404 in the same shape.
 *
 * @example
 * ```ts
 * import { createClerkEmulator } from 'clerk-edge/testing';
 *
 * const emulator = await createClerkEmulator();
 * const { session } = await emulator.createSession({ userId: 'user_123' });
 * const token = await emulator.createSessionToken(session.id);
 * // configure the middleware with emulator.secretKey, emulator.publishableKey, apiUrl: emulator.url
 * await emulator.close();
 * ```
 */
export async function createClerkEmulator(options: ClerkEmulatorOptions = {}): Promise<ClerkEmulator> {
  const now = options.now ?? Date.now;
  const instanceType: InstanceType = options.instanceType ?? 'test';
  const ttlSeconds = options.sessionTokenTtlSeconds ?? 60;
  const secretKey = options.secretKey ?? `sk_${instanceType}_${randomBase62(40)}`;
  const machineSecretKey = options.machineSecretKey ?? `ak_${randomHex(32)}`;
  const machineId = clerkId('mch');
  const nowSeconds = () => Math.floor(now() / 1000);

  let keys: InstanceKey[] = [await generateInstanceKey()];
  let foreignKey: CryptoKey | undefined;
  const currentKey = (): InstanceKey => keys[0] as InstanceKey;
  const jwks = () => ({ keys: keys.map((key) => ({ ...key.publicJwk })) });

  const sessions = new Map<string, SessionRecord>();
  const apiKeys = new Map<string, ApiKeyRecord>();
  const apiKeysBySecret = new Map<string, ApiKeyRecord>();
  const m2mTokens = new Map<string, M2MRecord>();
  const m2mByToken = new Map<string, M2MRecord>();
  const oauthTokens = new Map<string, OAuthRecord>();
  const oauthByToken = new Map<string, OAuthRecord>();
  const faults = new FaultTable();
  let requests: EmulatorRequest[] = [];
  const pendingDelays = new AbortController();

  // Filled in once the server listens (the publishable key encodes the port).
  let url = '';
  let issuer = '';
  let publishableKey = '';
  let suffix = '';

  const isExpired = (expiration: number | null) => expiration !== null && now() >= expiration;

  const sign = (claims: JWTPayload, header: Record<string, unknown>) => {
    const key = currentKey();
    return signJwt(claims, { alg: 'RS256', kid: key.kid, typ: 'JWT', ...header }, key.privateKey);
  };

  // ---- sessions ----

  function createSessionRecord(opts: CreateSessionOptions): SessionRecord {
    // Fail at creation, not at the first token, when permissions cannot be encoded as v2 claims.
    if ((opts.claimsVersion ?? 2) === 2 && opts.orgPermissions)
      encodeOrgPermissions(opts.orgPermissions, opts.features ?? []);
    const createdAt = now();
    const [firstAge, secondAge] = opts.factorVerificationAge ?? [0, -1];
    const status = opts.status ?? 'active';
    const json: ClerkSessionJSON = {
      object: 'session',
      id: clerkId('sess'),
      user_id: opts.userId ?? clerkId('user'),
      client_id: clerkId('client'),
      actor: opts.actor ? { ...opts.actor } : null,
      status,
      last_active_organization_id: opts.orgId ?? null,
      last_active_at: createdAt,
      latest_activity: null,
      expire_at: createdAt + SESSION_LIFETIME_MS,
      abandon_at: createdAt + SESSION_ABANDON_MS,
      updated_at: createdAt,
      created_at: createdAt,
      tasks: status === 'pending' ? [{ key: 'choose-organization' }] : null,
    };
    const record: SessionRecord = {
      json,
      refreshToken: randomBase62(48),
      orgRole: opts.orgRole,
      orgSlug: opts.orgSlug,
      orgPermissions: opts.orgPermissions ? [...opts.orgPermissions] : undefined,
      features: opts.features ? [...opts.features] : undefined,
      plans: opts.plans ? [...opts.plans] : undefined,
      azp: opts.azp,
      claimsVersion: opts.claimsVersion ?? 2,
      firstFactorAt: createdAt - firstAge * 60_000,
      secondFactorAt: secondAge < 0 ? null : createdAt - secondAge * 60_000,
    };
    sessions.set(json.id, record);
    return record;
  }

  const canMint = (record: SessionRecord) => record.json.status === 'active' || record.json.status === 'pending';

  async function mintSessionToken(record: SessionRecord, opts: CreateSessionTokenOptions = {}): Promise<string> {
    const iat = opts.issuedAt ?? nowSeconds();
    const exp = iat + (opts.expiresInSeconds ?? ttlSeconds);
    const { json } = record;
    if (opts.template !== undefined) {
      const claims: JWTPayload = {
        ...(record.azp !== undefined ? { azp: record.azp } : {}),
        exp,
        iat,
        iss: issuer,
        jti: randomHex(20),
        nbf: iat - NOT_BEFORE_LEEWAY_SECONDS,
        sid: json.id,
        sub: json.user_id,
        tpl: opts.template,
        ...opts.extraClaims,
      };
      return sign(claims, { cat: TOKEN_CATEGORY.jwtTemplate });
    }
    const minutesSince = (at: number) => Math.max(0, Math.floor((iat * 1000 - at) / 60_000));
    const claims = buildSessionClaims({
      issuer,
      userId: json.user_id,
      sessionId: json.id,
      status: json.status,
      iat,
      exp,
      azp: record.azp,
      actor: json.actor,
      fva: [
        minutesSince(record.firstFactorAt),
        record.secondFactorAt === null ? -1 : minutesSince(record.secondFactorAt),
      ],
      orgId: json.last_active_organization_id,
      orgRole: record.orgRole,
      orgSlug: record.orgSlug,
      orgPermissions: record.orgPermissions,
      features: record.features,
      plans: record.plans,
      claimsVersion: record.claimsVersion,
    });
    return sign({ ...claims, ...opts.extraClaims }, { cat: TOKEN_CATEGORY.session });
  }

  function revokeSessionRecord(record: SessionRecord): ClerkSessionJSON {
    record.json.status = 'revoked';
    record.json.updated_at = now();
    return { ...record.json };
  }

  /** Why `token` is not a session token this instance signed for `sessionId`, or undefined if it is. Expiry is not checked. */
  async function rejectExpiredToken(token: string, record: SessionRecord): Promise<string | undefined> {
    try {
      if (decodeProtectedHeader(token).cat !== TOKEN_CATEGORY.session) return 'expired_token is not a session token.';
      await compactVerify(token, createLocalJWKSet(jwks()), { algorithms: ['RS256'] });
      const payload = decodeJwt(token);
      if (payload.sid !== record.json.id || payload.sub !== record.json.user_id) {
        return 'expired_token belongs to another session.';
      }
      return undefined;
    } catch {
      return 'expired_token is not a valid session token of this instance.';
    }
  }

  async function refreshCookies(jwt: string, requestOrigin: string, record: SessionRecord): Promise<string[]> {
    const secure = requestOrigin.startsWith('https:') ? '; Secure' : '';
    const clientUat = Math.floor(record.json.created_at / 1000);
    const session = `${jwt}; Path=/; SameSite=Lax${secure}`;
    const uat = `${clientUat}; Path=/; Max-Age=315360000; SameSite=Lax${secure}`;
    return [
      `__session=${session}`,
      `__session_${suffix}=${session}`,
      `__client_uat=${uat}`,
      `__client_uat_${suffix}=${uat}`,
    ];
  }

  // ---- machine tokens ----

  const machineFields = (r: MachineState) => ({
    revoked: r.revoked,
    revocation_reason: r.revocationReason,
    expired: isExpired(r.expiration),
    expiration: r.expiration,
  });

  const apiKeyJson = (r: ApiKeyRecord): ClerkApiKeyJSON => ({
    object: 'api_key',
    id: r.id,
    type: r.type,
    subject: r.subject,
    name: r.name,
    description: r.description,
    claims: r.claims,
    scopes: [...r.scopes],
    ...machineFields(r),
    created_by: r.createdBy,
    last_used_at: r.lastUsedAt,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  });

  const m2mJson = (r: M2MRecord): ClerkM2MTokenJSON => ({
    object: 'machine_to_machine_token',
    id: r.id,
    subject: r.subject,
    claims: r.claims,
    scopes: [...r.scopes],
    ...machineFields(r),
    last_used_at: r.lastUsedAt,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  });

  const oauthJson = (r: OAuthRecord): ClerkOAuthAccessTokenJSON => ({
    object: 'clerk_idp_oauth_access_token',
    id: r.id,
    client_id: r.clientId,
    subject: r.subject,
    scopes: [...r.scopes],
    ...machineFields(r),
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  });

  const expirationFrom = (seconds: number | null | undefined, createdAt: number) =>
    seconds === undefined || seconds === null ? null : createdAt + seconds * 1000;

  function createApiKeyRecord(opts: CreateApiKeyOptions & { type?: string }): ApiKeyRecord {
    const createdAt = now();
    const record: ApiKeyRecord = {
      id: `ak_${randomHex(32)}`,
      secret: `ak_${randomBase62(40)}`,
      type: opts.type ?? 'api_key',
      subject: opts.subject ?? clerkId('user'),
      name: opts.name ?? 'test_api_key',
      description: opts.description ?? null,
      claims: opts.claims ?? null,
      scopes: [...(opts.scopes ?? [])],
      createdBy: opts.createdBy ?? null,
      revoked: false,
      revocationReason: null,
      expiration: expirationFrom(opts.secondsUntilExpiration, createdAt),
      lastUsedAt: null,
      createdAt,
      updatedAt: createdAt,
    };
    apiKeys.set(record.id, record);
    apiKeysBySecret.set(record.secret, record);
    return record;
  }

  async function createM2MRecord(opts: CreateM2MTokenOptions): Promise<M2MRecord> {
    const createdAt = now();
    const seconds = opts.secondsUntilExpiration ?? DEFAULT_MACHINE_TOKEN_TTL_SECONDS;
    const record: M2MRecord = {
      id: `mt_${randomHex(32)}`,
      token: '',
      format: opts.format ?? 'opaque',
      subject: opts.machineId ?? machineId,
      claims: opts.claims ?? null,
      scopes: [...(opts.scopes ?? [])],
      revoked: false,
      revocationReason: null,
      expiration: createdAt + seconds * 1000,
      lastUsedAt: null,
      createdAt,
      updatedAt: createdAt,
    };
    if (record.format === 'jwt') {
      const iat = Math.floor(createdAt / 1000);
      record.token = await sign(
        {
          ...(isObject(record.claims) ? record.claims : {}),
          ...(record.scopes.length > 0 ? { scopes: record.scopes.join(' ') } : {}),
          iss: issuer,
          sub: record.subject,
          iat,
          nbf: iat - NOT_BEFORE_LEEWAY_SECONDS,
          exp: iat + seconds,
          jti: record.id,
        },
        { cat: TOKEN_CATEGORY.m2m },
      );
    } else {
      record.token = `mt_${randomBase62(40)}`;
    }
    m2mTokens.set(record.id, record);
    m2mByToken.set(record.token, record);
    return record;
  }

  async function createOAuthRecord(opts: CreateOAuthTokenOptions): Promise<OAuthRecord> {
    const createdAt = now();
    const seconds = opts.secondsUntilExpiration ?? DEFAULT_MACHINE_TOKEN_TTL_SECONDS;
    const record: OAuthRecord = {
      id: `oat_${randomHex(32)}`,
      token: '',
      format: opts.format ?? 'opaque',
      clientId: opts.clientId ?? randomBase62(16),
      subject: opts.userId ?? clerkId('user'),
      scopes: [...(opts.scopes ?? [])],
      revoked: false,
      revocationReason: null,
      expiration: createdAt + seconds * 1000,
      lastUsedAt: null,
      createdAt,
      updatedAt: createdAt,
    };
    if (record.format === 'jwt') {
      const iat = Math.floor(createdAt / 1000);
      record.token = await sign(
        {
          iss: issuer,
          sub: record.subject,
          aud: opts.audience ?? record.clientId,
          client_id: record.clientId,
          scope: record.scopes.join(' '),
          jti: record.id,
          exp: iat + seconds,
          iat,
        },
        { typ: 'at+jwt' },
      );
    } else {
      record.token = `oat_${randomBase62(40)}`;
    }
    oauthTokens.set(record.id, record);
    oauthByToken.set(record.token, record);
    return record;
  }

  function revokeMachine(record: MachineState, reason: string | null | undefined) {
    record.revoked = true;
    record.revocationReason = reason ?? null;
    record.updatedAt = now();
  }

  function lookup<T>(map: Map<string, T>, id: string, what: string): T {
    const record = map.get(id);
    if (!record) throw new Error(`Clerk emulator: no ${what} with id ${id}.`);
    return record;
  }

  // ---- HTTP ----

  const json = (c: RouteContext['c'], body: unknown, status = 200) =>
    c.json(body as object, status as ContentfulStatusCode);

  const notFound = (c: RouteContext['c'], what: string) =>
    json(c, resourceNotFound(`No ${what} was found with the given identifier.`), 404);

  /** Reads an optional `expires_in_seconds` the way the spec bounds it; a Response means it was invalid. */
  function expiresIn(ctx: RouteContext): number | undefined | Response {
    const value = ctx.body.expires_in_seconds;
    if (value === undefined || value === null) return undefined;
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < TOKEN_EXPIRES_MIN ||
      value > TOKEN_EXPIRES_MAX
    ) {
      return json(
        ctx.c,
        formParamInvalid(
          'expires_in_seconds',
          `must be an integer between ${TOKEN_EXPIRES_MIN} and ${TOKEN_EXPIRES_MAX}.`,
        ),
        422,
      );
    }
    return value;
  }

  async function mintFromRoute(ctx: RouteContext, template: string | undefined): Promise<Response> {
    const record = sessions.get(ctx.param('session_id'));
    if (!record || !canMint(record)) return notFound(ctx.c, 'active session');
    const ttl = expiresIn(ctx);
    if (ttl instanceof Response) return ttl;
    const jwt = await mintSessionToken(record, {
      ...(template !== undefined ? { template } : {}),
      ...(ttl !== undefined ? { expiresInSeconds: ttl } : {}),
    });
    return json(ctx.c, { object: 'token', jwt });
  }

  const handlers: Record<ClerkEmulatorRoute, RouteHandler> = {
    'GET /v1/jwks': { auth: 'secret', handle: (ctx) => json(ctx.c, jwks()) },
    'GET /.well-known/jwks.json': { auth: 'public', handle: (ctx) => json(ctx.c, jwks()) },

    'POST /v1/sessions': {
      auth: 'secret',
      handle: (ctx) => {
        const { user_id: userId, active_organization_id: orgId } = ctx.body;
        if (typeof userId !== 'string' || userId === '') return json(ctx.c, formParamMissing('user_id'), 422);
        if (orgId !== undefined && orgId !== null && typeof orgId !== 'string') {
          return json(ctx.c, formParamInvalid('active_organization_id', 'must be a string.'), 422);
        }
        const org = typeof orgId === 'string' ? { orgId, ...organizationClaimsFor(resources, userId, orgId) } : {};
        const record = createSessionRecord({ userId, ...org });
        return json(ctx.c, record.json);
      },
    },
    'GET /v1/sessions/:session_id': {
      auth: 'secret',
      handle: (ctx) => {
        const record = sessions.get(ctx.param('session_id'));
        return record ? json(ctx.c, record.json) : notFound(ctx.c, 'session');
      },
    },
    'POST /v1/sessions/:session_id/revoke': {
      auth: 'secret',
      handle: (ctx) => {
        const record = sessions.get(ctx.param('session_id'));
        return record ? json(ctx.c, revokeSessionRecord(record)) : notFound(ctx.c, 'session');
      },
    },
    'POST /v1/sessions/:session_id/tokens': { auth: 'secret', handle: (ctx) => mintFromRoute(ctx, undefined) },
    'POST /v1/sessions/:session_id/tokens/:template_name': {
      auth: 'secret',
      handle: (ctx) => mintFromRoute(ctx, ctx.param('template_name')),
    },
    'POST /v1/sessions/:session_id/refresh': {
      auth: 'secret',
      params: [
        'expired_token',
        'refresh_token',
        'request_origin',
        'request_headers',
        'format',
        'request_originating_ip',
      ],
      handle: async (ctx) => {
        const { expired_token: expiredToken, refresh_token: refreshToken, request_origin: origin, format } = ctx.body;
        for (const [name, value] of [
          ['expired_token', expiredToken],
          ['refresh_token', refreshToken],
          ['request_origin', origin],
        ] as const) {
          if (typeof value !== 'string' || value === '') return json(ctx.c, formParamMissing(name), 400);
        }
        if (format !== undefined && format !== null && format !== 'token' && format !== 'cookie') {
          return json(ctx.c, formParamInvalid('format', 'must be one of: token, cookie.'), 400);
        }
        const unauthorized = (why: string) =>
          json(ctx.c, authenticationInvalid(`Cannot refresh the session: ${why}`), 401);
        const record = sessions.get(ctx.param('session_id'));
        if (!record) return unauthorized('the session does not exist.');
        const rejected = await rejectExpiredToken(expiredToken as string, record);
        if (rejected) return unauthorized(rejected);
        if (refreshToken !== record.refreshToken) return unauthorized('refresh_token is not valid for this session.');
        if (!canMint(record)) return unauthorized(`the session is ${record.json.status}.`);
        record.json.last_active_at = now();
        const jwt = await mintSessionToken(record);
        if (format === 'cookie') {
          return json(ctx.c, { object: 'cookies', cookies: await refreshCookies(jwt, origin as string, record) });
        }
        return json(ctx.c, { object: 'token', jwt });
      },
    },

    'POST /v1/api_keys': {
      auth: 'secret',
      params: ['type', 'name', 'description', 'subject', 'claims', 'scopes', 'created_by', 'seconds_until_expiration'],
      handle: (ctx) => {
        const b = ctx.body;
        if (typeof b.name !== 'string' || b.name === '') return json(ctx.c, formParamMissing('name'), 400);
        if (typeof b.subject !== 'string' || b.subject === '') return json(ctx.c, formParamMissing('subject'), 400);
        if (b.scopes !== undefined && !isStringArray(b.scopes))
          return json(ctx.c, formParamInvalid('scopes', 'must be an array of strings.'), 400);
        const seconds = b.seconds_until_expiration;
        if (seconds !== undefined && seconds !== null && (typeof seconds !== 'number' || !(seconds > 0))) {
          return json(ctx.c, formParamInvalid('seconds_until_expiration', 'must be a positive number.'), 400);
        }
        const record = createApiKeyRecord({
          name: b.name,
          subject: b.subject,
          ...(typeof b.type === 'string' ? { type: b.type } : {}),
          ...(typeof b.description === 'string' ? { description: b.description } : {}),
          ...(isStringArray(b.scopes) ? { scopes: b.scopes } : {}),
          ...(isObject(b.claims) ? { claims: b.claims } : {}),
          ...(typeof b.created_by === 'string' ? { createdBy: b.created_by } : {}),
          ...(typeof seconds === 'number' ? { secondsUntilExpiration: seconds } : {}),
        });
        return json(ctx.c, { ...apiKeyJson(record), secret: record.secret });
      },
    },
    'POST /v1/api_keys/verify': {
      auth: 'secret',
      params: ['secret'],
      handle: (ctx) => {
        const { secret } = ctx.body;
        if (typeof secret !== 'string' || secret === '') return json(ctx.c, formParamMissing('secret'), 400);
        const record = apiKeysBySecret.get(secret);
        if (!record) return notFound(ctx.c, 'API key');
        record.lastUsedAt = now();
        return json(ctx.c, apiKeyJson(record));
      },
    },
    'POST /v1/api_keys/:apiKeyID/revoke': {
      auth: 'secret',
      params: ['revocation_reason'],
      handle: (ctx) => {
        const record = apiKeys.get(ctx.param('apiKeyID'));
        if (!record) return notFound(ctx.c, 'API key');
        const reason = ctx.body.revocation_reason;
        revokeMachine(record, typeof reason === 'string' ? reason : null);
        return json(ctx.c, apiKeyJson(record));
      },
    },

    'POST /v1/m2m_tokens': {
      auth: 'secret-or-machine',
      params: ['token_format', 'seconds_until_expiration', 'claims', 'min_remaining_ttl_seconds'],
      handle: async (ctx) => {
        const b = ctx.body;
        const format = b.token_format ?? 'opaque';
        if (format !== 'opaque' && format !== 'jwt')
          return json(ctx.c, formParamInvalid('token_format', 'must be one of: opaque, jwt.'), 400);
        const seconds = b.seconds_until_expiration;
        if (seconds !== undefined && seconds !== null && (typeof seconds !== 'number' || !(seconds > 0))) {
          return json(ctx.c, formParamInvalid('seconds_until_expiration', 'must be a positive number.'), 400);
        }
        const claims = isObject(b.claims) ? b.claims : null;
        const minRemaining = b.min_remaining_ttl_seconds;
        if (minRemaining !== undefined && minRemaining !== null) {
          if (typeof minRemaining !== 'number' || !Number.isInteger(minRemaining) || minRemaining < 0) {
            return json(ctx.c, formParamInvalid('min_remaining_ttl_seconds', 'must be a non-negative integer.'), 400);
          }
          if (minRemaining >= (typeof seconds === 'number' ? seconds : DEFAULT_MACHINE_TOKEN_TTL_SECONDS)) {
            return json(ctx.c, badRequest('min_remaining_ttl_seconds must be less than the token lifetime.'), 400);
          }
          // Server-side reuse (opaque only): a live token of this machine with the same claims and scopes.
          const reusable =
            format === 'opaque'
              ? [...m2mTokens.values()].find(
                  (r) =>
                    r.format === 'opaque' &&
                    r.subject === machineId &&
                    !r.revoked &&
                    r.scopes.length === 0 &&
                    r.expiration !== null &&
                    r.expiration - now() >= minRemaining * 1000 &&
                    JSON.stringify(r.claims) === JSON.stringify(claims),
                )
              : undefined;
          if (reusable) return json(ctx.c, { ...m2mJson(reusable), token: reusable.token }, 201);
        }
        const record = await createM2MRecord({
          format,
          ...(typeof seconds === 'number' ? { secondsUntilExpiration: seconds } : {}),
          claims,
        });
        return json(ctx.c, { ...m2mJson(record), token: record.token }, 201);
      },
    },
    'POST /v1/m2m_tokens/verify': {
      auth: 'secret-or-machine',
      params: ['token'],
      handle: (ctx) => {
        const { token } = ctx.body;
        if (typeof token !== 'string' || token === '') return json(ctx.c, formParamMissing('token'), 400);
        const record = m2mByToken.get(token);
        if (!record) return notFound(ctx.c, 'M2M token');
        record.lastUsedAt = now();
        return json(ctx.c, m2mJson(record));
      },
    },
    'POST /v1/m2m_tokens/:m2m_token_id/revoke': {
      auth: 'secret-or-machine',
      params: ['revocation_reason'],
      handle: (ctx) => {
        const record = m2mTokens.get(ctx.param('m2m_token_id'));
        if (!record) return notFound(ctx.c, 'M2M token');
        if (record.format === 'jwt')
          return json(ctx.c, badRequest('JWT-format M2M tokens are stateless and cannot be revoked.'), 400);
        const reason = ctx.body.revocation_reason;
        revokeMachine(record, typeof reason === 'string' ? reason : null);
        return json(ctx.c, m2mJson(record));
      },
    },

    'POST /v1/oauth_applications/access_tokens/verify': {
      auth: 'secret',
      handle: (ctx) => {
        const token = ctx.body.access_token ?? ctx.body.secret;
        if (typeof token !== 'string' || token === '') return json(ctx.c, formParamMissing('access_token'), 400);
        const record = oauthByToken.get(token);
        if (!record) return notFound(ctx.c, 'OAuth access token');
        // The spec's second 200 shape: an expired JWT access token is reported as inactive.
        if (record.format === 'jwt' && isExpired(record.expiration)) return json(ctx.c, { active: false });
        return json(ctx.c, oauthJson(record));
      },
    },
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (pendingDelays.signal.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      pendingDelays.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });

  /** The answer a fault dictates, or undefined when the request should be handled normally (after any delay). */
  async function applyFault(
    route: ClerkEmulatorRoute | ClerkResourceRoute,
    c: RouteContext['c'],
  ): Promise<Response | undefined> {
    const fault = faults.take(route);
    if (!fault) return undefined;
    if (fault.delayMs !== undefined && fault.delayMs > 0) await sleep(fault.delayMs);
    if (fault.drop) {
      c.env?.incoming?.socket?.destroy();
      // Nothing reaches the client; this Response only completes the handler.
      return new Response(null, { status: 500 });
    }
    const headers = { ...fault.headers };
    if (fault.malformed) {
      return new Response('{"object": "token", "jwt": ', {
        status: fault.status ?? 200,
        headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      });
    }
    if (fault.status !== undefined) {
      const body = fault.body === undefined ? defaultErrorBody(fault.status) : fault.body;
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
      return new Response(text, { status: fault.status, headers: { 'content-type': type, ...headers } });
    }
    return undefined;
  }

  function bearerOf(c: RouteContext['c']): Bearer {
    const token = parseBearer(c.req.header('authorization'));
    if (token === undefined) return 'none';
    if (token === secretKey) return 'secret';
    if (token === machineSecretKey) return 'machine';
    return 'none';
  }

  /** The body as JSON; text that is not JSON is kept (for the request log) but marked invalid. */
  async function readBody(c: RouteContext['c']): Promise<{ parsed: unknown; valid: boolean }> {
    const raw = await c.req.text();
    if (raw.trim() === '') return { parsed: undefined, valid: true };
    try {
      return { parsed: JSON.parse(raw) as unknown, valid: true };
    } catch {
      return { parsed: raw, valid: false };
    }
  }

  const app = new Hono<{ Bindings: HttpBindings }>();

  for (const route of CLERK_EMULATOR_ROUTES) {
    const [method, pattern] = route.split(' ') as [string, string];
    const paths = pattern.startsWith('/v1/') ? [pattern, pattern.slice(3)] : [pattern];
    const { auth, params, handle } = handlers[route];
    app.on(method, paths, async (c) => {
      const body = await readBody(c);
      requests.push({
        route,
        method: c.req.method,
        path: c.req.path,
        headers: Object.fromEntries(c.req.raw.headers),
        body: body.parsed,
      });
      const faulted = await applyFault(route, c);
      if (faulted) return faulted;
      const bearer = bearerOf(c);
      if (auth === 'secret' && bearer !== 'secret') return json(c, authenticationInvalid(), 401);
      if (auth === 'secret-or-machine' && bearer === 'none') {
        const message =
          'Unable to authenticate the request, you need to supply an active secret key or machine secret key.';
        return json(c, authenticationInvalid(message), 401);
      }
      if (!body.valid || (body.parsed !== undefined && !isObject(body.parsed))) {
        return json(
          c,
          clerkErrors('malformed_request', 'Malformed request', 'The request body must be a JSON object.'),
          400,
        );
      }
      const unknown = params && Object.keys(body.parsed ?? {}).find((name) => !params.includes(name));
      if (unknown !== undefined) return json(c, formParamUnknown(unknown), 400);
      return handle({
        c,
        body: (body.parsed as Record<string, unknown> | undefined) ?? {},
        param: (name) => c.req.param(name) ?? '',
      });
    });
  }

  const resources = new ResourceStore();
  const resourceApp = createResourceApp({
    store: resources,
    now,
    secretKey,
    sessions: () => [...sessions.values()].map((record) => record.json),
    before: (route, c, body) => {
      requests.push({
        route,
        method: c.req.method,
        path: c.req.path,
        headers: Object.fromEntries(c.req.raw.headers),
        body,
      });
      return applyFault(route, c as RouteContext['c']);
    },
  });
  app.route('/v1', resourceApp.app);

  app.notFound(async (c) => {
    const body = await readBody(c);
    requests.push({
      route: null,
      method: c.req.method,
      path: c.req.path,
      headers: Object.fromEntries(c.req.raw.headers),
      body: body.parsed,
    });
    return c.json(resourceNotFound(`No route matches ${c.req.method} ${c.req.path}.`), 404);
  });

  app.onError((error, c) =>
    c.json(
      clerkErrors(
        'internal_clerk_error',
        'Oops, an unexpected error occurred',
        `Clerk emulator error: ${error.message}`,
      ),
      500,
    ),
  );

  const server = await new Promise<Server>((resolve, reject) => {
    const started = serve(
      { fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1', overrideGlobalObjects: false },
      () => resolve(started as Server),
    ) as Server;
    started.once('error', reject);
  });

  const port = (server.address() as AddressInfo).port;
  const host = `127.0.0.1:${port}`;
  url = `http://${host}`;
  issuer = `https://${host}`;
  publishableKey = createPublishableKey(host, instanceType);
  suffix = await cookieSuffix(publishableKey);

  let closing: Promise<void> | undefined;

  return {
    url,
    frontendApiUrl: url,
    instanceType,
    secretKey,
    machineSecretKey,
    machineId,
    publishableKey,
    issuer,
    cookieSuffix: suffix,
    get kid() {
      return currentKey().kid;
    },
    get requests() {
      return requests;
    },
    resources,
    jwks,

    async createSession(opts = {}) {
      // A stored member's role and slug are the defaults; explicit options win.
      const stored = opts.userId && opts.orgId ? organizationClaimsFor(resources, opts.userId, opts.orgId) : undefined;
      const record = createSessionRecord({ ...stored, ...opts });
      return { session: { ...record.json }, refreshToken: record.refreshToken };
    },
    async createSessionToken(sessionId, opts = {}) {
      const record = lookup(sessions, sessionId, 'session');
      if (!canMint(record)) {
        throw new Error(
          `Clerk emulator: session ${sessionId} is ${record.json.status}; tokens are only minted for active or pending sessions.`,
        );
      }
      return mintSessionToken(record, opts);
    },
    revokeSession(sessionId) {
      return revokeSessionRecord(lookup(sessions, sessionId, 'session'));
    },

    async createApiKey(opts = {}) {
      const record = createApiKeyRecord(opts);
      return { ...apiKeyJson(record), secret: record.secret };
    },
    revokeApiKey(id, reason) {
      const record = lookup(apiKeys, id, 'API key');
      revokeMachine(record, reason);
      return apiKeyJson(record);
    },
    async createM2MToken(opts = {}) {
      const record = await createM2MRecord(opts);
      return { ...m2mJson(record), token: record.token };
    },
    revokeM2MToken(id, reason) {
      const record = lookup(m2mTokens, id, 'M2M token');
      revokeMachine(record, reason);
      return m2mJson(record);
    },
    async createOAuthToken(opts = {}) {
      const record = await createOAuthRecord(opts);
      return { ...oauthJson(record), token: record.token };
    },
    revokeOAuthToken(id, reason) {
      const record = lookup(oauthTokens, id, 'OAuth access token');
      revokeMachine(record, reason);
      return oauthJson(record);
    },

    async rotateKeys(opts = {}) {
      const next = await generateInstanceKey();
      keys = opts.keepPrevious === false ? [next] : [next, currentKey()];
      return next.kid;
    },
    async signToken(opts) {
      const alg = opts.alg ?? 'RS256';
      let key: CryptoKey | Uint8Array;
      if (opts.key === undefined || opts.key === 'current') key = currentKey().privateKey;
      else if (opts.key === 'foreign') {
        foreignKey ??= (await generateKeyPair('RS256', { modulusLength: 2048 })).privateKey;
        key = foreignKey;
      } else key = opts.key;
      return signJwt(opts.claims, { alg, kid: currentKey().kid, typ: 'JWT', ...opts.header }, key);
    },

    fault(route, spec) {
      faults.set(route, spec);
    },
    clearFaults(route) {
      faults.clear(route);
    },
    requestCount(route) {
      return requests.filter((request) => request.route === route).length;
    },
    resetCounts() {
      requests = [];
    },

    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        pendingDelays.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

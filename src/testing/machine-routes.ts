import { badRequest, formParamInvalid, formParamMissing } from './errors.js';
import {
  DEFAULT_MACHINE_TOKEN_TTL_SECONDS,
  createApiKeyRecord,
  createM2MRecord,
  isExpired,
  isObject,
  revokeMachine,
} from './machine-tokens.js';
import type { MachineKind, MachineState } from './machine-tokens.js';
import { json, notFound } from './router.js';
import type { RouteAuth, RouteContext, RouteHandler, RouteTable } from './router.js';
import type { EmulatorState } from './state.js';

// Backend API routes for machine credentials. Verify and revoke are one route maker each, for every kind.

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

interface VerifyRoute<R> {
  auth: RouteAuth;
  /** Body fields that may carry the secret, first one wins; the first is named when all are missing. */
  fields: readonly [string, ...string[]];
  /** Whether the body may hold only `fields` (the spec's `additionalProperties: false`). */
  strict: boolean;
  /** The 200 body for a found record; default the kind's JSON. */
  present?: (record: R) => unknown;
}

/** `POST /<kind>/verify`: finds the record by the secret the caller presents and marks it used. */
function verifyRoute<R extends MachineState, J>(
  state: EmulatorState,
  kind: MachineKind<R, J>,
  options: VerifyRoute<R>,
): RouteHandler {
  return {
    auth: options.auth,
    ...(options.strict ? { params: options.fields } : {}),
    handle: (ctx) => {
      const secret = options.fields
        .map((field) => ctx.body[field])
        .find((value) => value !== undefined && value !== null);
      if (typeof secret !== 'string' || secret === '') return json(ctx.c, formParamMissing(options.fields[0]), 400);
      const record = kind.bySecret.get(secret);
      if (!record) return notFound(ctx.c, kind.what);
      record.lastUsedAt = state.now();
      return json(ctx.c, options.present ? options.present(record) : kind.toJson(record));
    },
  };
}

/** `POST /<kind>/{id}/revoke`: revokes with the body's `revocation_reason`, unless `refuse` names why not. */
function revokeRoute<R extends MachineState, J>(
  state: EmulatorState,
  kind: MachineKind<R, J>,
  options: { auth: RouteAuth; idParam: string; refuse?: (record: R) => string | undefined },
): RouteHandler {
  return {
    auth: options.auth,
    params: ['revocation_reason'],
    handle: (ctx) => {
      const record = kind.byId.get(ctx.param(options.idParam));
      if (!record) return notFound(ctx.c, kind.what);
      const refused = options.refuse?.(record);
      if (refused !== undefined) return json(ctx.c, badRequest(refused), 400);
      const reason = ctx.body.revocation_reason;
      revokeMachine(state, record, typeof reason === 'string' ? reason : null);
      return json(ctx.c, kind.toJson(record));
    },
  };
}

/** A positive `seconds_until_expiration`, or the 400 answer when it is present and not one. */
function secondsUntilExpiration(ctx: RouteContext): number | undefined | Response {
  const seconds = ctx.body.seconds_until_expiration;
  if (seconds === undefined || seconds === null) return undefined;
  if (typeof seconds === 'number' && seconds > 0) return seconds;
  return json(ctx.c, formParamInvalid('seconds_until_expiration', 'must be a positive number.'), 400);
}

function createApiKey(state: EmulatorState, ctx: RouteContext): Response {
  const b = ctx.body;
  if (typeof b.name !== 'string' || b.name === '') return json(ctx.c, formParamMissing('name'), 400);
  if (typeof b.subject !== 'string' || b.subject === '') return json(ctx.c, formParamMissing('subject'), 400);
  if (b.scopes !== undefined && !isStringArray(b.scopes))
    return json(ctx.c, formParamInvalid('scopes', 'must be an array of strings.'), 400);
  const seconds = secondsUntilExpiration(ctx);
  if (seconds instanceof Response) return seconds;
  const record = createApiKeyRecord(state, {
    name: b.name,
    subject: b.subject,
    ...(typeof b.type === 'string' ? { type: b.type } : {}),
    ...(typeof b.description === 'string' ? { description: b.description } : {}),
    ...(isStringArray(b.scopes) ? { scopes: b.scopes } : {}),
    ...(isObject(b.claims) ? { claims: b.claims } : {}),
    ...(typeof b.created_by === 'string' ? { createdBy: b.created_by } : {}),
    ...(seconds !== undefined ? { secondsUntilExpiration: seconds } : {}),
  });
  return json(ctx.c, { ...state.machines.apiKeys.toJson(record), secret: record.secret });
}

async function createM2MToken(state: EmulatorState, ctx: RouteContext): Promise<Response> {
  const b = ctx.body;
  const format = b.token_format ?? 'opaque';
  if (format !== 'opaque' && format !== 'jwt')
    return json(ctx.c, formParamInvalid('token_format', 'must be one of: opaque, jwt.'), 400);
  const seconds = secondsUntilExpiration(ctx);
  if (seconds instanceof Response) return seconds;
  const claims = isObject(b.claims) ? b.claims : null;
  const minRemaining = b.min_remaining_ttl_seconds;
  const kind = state.machines.m2m;
  if (minRemaining !== undefined && minRemaining !== null) {
    if (typeof minRemaining !== 'number' || !Number.isInteger(minRemaining) || minRemaining < 0) {
      return json(ctx.c, formParamInvalid('min_remaining_ttl_seconds', 'must be a non-negative integer.'), 400);
    }
    if (minRemaining >= (seconds ?? DEFAULT_MACHINE_TOKEN_TTL_SECONDS)) {
      return json(ctx.c, badRequest('min_remaining_ttl_seconds must be less than the token lifetime.'), 400);
    }
    // Server-side reuse (opaque only): a live token of this machine with the same claims and scopes.
    const reusable =
      format === 'opaque'
        ? [...kind.byId.values()].find(
            (r) =>
              r.format === 'opaque' &&
              r.subject === state.machineId &&
              !r.revoked &&
              r.scopes.length === 0 &&
              r.expiration !== null &&
              r.expiration - state.now() >= minRemaining * 1000 &&
              JSON.stringify(r.claims) === JSON.stringify(claims),
          )
        : undefined;
    if (reusable) return json(ctx.c, { ...kind.toJson(reusable), token: reusable.secret }, 201);
  }
  const record = await createM2MRecord(state, {
    format,
    ...(seconds !== undefined ? { secondsUntilExpiration: seconds } : {}),
    claims,
  });
  return json(ctx.c, { ...kind.toJson(record), token: record.secret }, 201);
}

export function machineRoutes(state: EmulatorState): RouteTable {
  const { apiKeys, m2m, oauth } = state.machines;
  return {
    'POST /v1/api_keys': {
      auth: 'secret',
      params: ['type', 'name', 'description', 'subject', 'claims', 'scopes', 'created_by', 'seconds_until_expiration'],
      handle: (ctx) => createApiKey(state, ctx),
    },
    'POST /v1/api_keys/verify': verifyRoute(state, apiKeys, { auth: 'secret', fields: ['secret'], strict: true }),
    'POST /v1/api_keys/:apiKeyID/revoke': revokeRoute(state, apiKeys, { auth: 'secret', idParam: 'apiKeyID' }),

    'POST /v1/m2m_tokens': {
      auth: 'secret-or-machine',
      params: ['token_format', 'seconds_until_expiration', 'claims', 'min_remaining_ttl_seconds'],
      handle: (ctx) => createM2MToken(state, ctx),
    },
    'POST /v1/m2m_tokens/verify': verifyRoute(state, m2m, {
      auth: 'secret-or-machine',
      fields: ['token'],
      strict: true,
    }),
    'POST /v1/m2m_tokens/:m2m_token_id/revoke': revokeRoute(state, m2m, {
      auth: 'secret-or-machine',
      idParam: 'm2m_token_id',
      refuse: (r) => (r.format === 'jwt' ? 'JWT-format M2M tokens are stateless and cannot be revoked.' : undefined),
    }),

    'POST /v1/oauth_applications/access_tokens/verify': verifyRoute(state, oauth, {
      auth: 'secret',
      fields: ['access_token', 'secret'],
      strict: false,
      // The spec's second 200 shape: an expired JWT access token is reported as inactive.
      present: (r) => (r.format === 'jwt' && isExpired(state, r) ? { active: false } : oauth.toJson(r)),
    }),
  };
}

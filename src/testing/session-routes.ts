import type { JwtTemplateRecord } from './resources/store.js';
import { authenticationInvalid, formParamInvalid, formParamMissing } from './errors.js';
import { json, notFound } from './router.js';
import type { RouteContext, RouteTable } from './router.js';
import {
  canMint,
  createSessionRecord,
  mintSessionToken,
  refreshCookies,
  rejectExpiredToken,
  revokeSessionRecord,
} from './sessions.js';
import type { EmulatorState } from './state.js';
import { organizationClaimsFor } from './resources/index.js';

// Backend API routes for keys and sessions: JWKS, create/read/revoke sessions, mint and refresh tokens.

const TOKEN_EXPIRES_MIN = 30;
const TOKEN_EXPIRES_MAX = 315_360_000;

/** Reads an optional `expires_in_seconds` the way the spec bounds it; a Response means it was invalid. */
function expiresIn(ctx: RouteContext): number | undefined | Response {
  const value = ctx.body.expires_in_seconds;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < TOKEN_EXPIRES_MIN || value > TOKEN_EXPIRES_MAX) {
    const detail = `must be an integer between ${TOKEN_EXPIRES_MIN} and ${TOKEN_EXPIRES_MAX}.`;
    return json(ctx.c, formParamInvalid('expires_in_seconds', detail), 422);
  }
  return value;
}

function storedTemplate(state: EmulatorState, name: string): JwtTemplateRecord | undefined {
  for (const template of state.resources.jwtTemplates.values()) if (template.name === name) return template;
  return undefined;
}

async function mintFromRoute(state: EmulatorState, ctx: RouteContext, template: string | undefined) {
  const record = state.sessions.get(ctx.param('session_id'));
  if (!record || !canMint(record)) return notFound(ctx.c, 'active session');
  const ttl = expiresIn(ctx);
  if (ttl instanceof Response) return ttl;
  // A JWT template stored through the jwtTemplates group gives its claims and lifetime; others mint plain template tokens.
  const stored = template === undefined ? undefined : storedTemplate(state, template);
  const lifetime = ttl ?? stored?.lifetime;
  const jwt = await mintSessionToken(state, record, {
    ...(template !== undefined ? { template } : {}),
    ...(lifetime !== undefined ? { expiresInSeconds: lifetime } : {}),
    ...(stored ? { extraClaims: stored.claims } : {}),
  });
  return json(ctx.c, { object: 'token', jwt });
}

/** `POST /sessions/{id}/refresh`: a new token for an expired one of this session, given its refresh token. */
async function refresh(state: EmulatorState, ctx: RouteContext): Promise<Response> {
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
  const unauthorized = (why: string) => json(ctx.c, authenticationInvalid(`Cannot refresh the session: ${why}`), 401);
  const record = state.sessions.get(ctx.param('session_id'));
  if (!record) return unauthorized('the session does not exist.');
  const rejected = await rejectExpiredToken(state, expiredToken as string, record);
  if (rejected) return unauthorized(rejected);
  if (refreshToken !== record.refreshToken) return unauthorized('refresh_token is not valid for this session.');
  if (!canMint(record)) return unauthorized(`the session is ${record.json.status}.`);
  record.json.last_active_at = state.now();
  const jwt = await mintSessionToken(state, record);
  if (format === 'cookie') {
    return json(ctx.c, { object: 'cookies', cookies: refreshCookies(state, jwt, origin as string, record) });
  }
  return json(ctx.c, { object: 'token', jwt });
}

export function sessionRoutes(state: EmulatorState): RouteTable {
  return {
    'GET /v1/jwks': { auth: 'secret', handle: (ctx) => json(ctx.c, state.keys.jwks()) },
    'GET /.well-known/jwks.json': { auth: 'public', handle: (ctx) => json(ctx.c, state.keys.jwks()) },

    'POST /v1/sessions': {
      auth: 'secret',
      handle: (ctx) => {
        const { user_id: userId, active_organization_id: orgId } = ctx.body;
        if (typeof userId !== 'string' || userId === '') return json(ctx.c, formParamMissing('user_id'), 422);
        if (orgId !== undefined && orgId !== null && typeof orgId !== 'string') {
          return json(ctx.c, formParamInvalid('active_organization_id', 'must be a string.'), 422);
        }
        const org =
          typeof orgId === 'string' ? { orgId, ...organizationClaimsFor(state.resources, userId, orgId) } : {};
        const record = createSessionRecord(state, { userId, ...org });
        return json(ctx.c, record.json);
      },
    },
    'GET /v1/sessions/:session_id': {
      auth: 'secret',
      handle: (ctx) => {
        const record = state.sessions.get(ctx.param('session_id'));
        return record ? json(ctx.c, record.json) : notFound(ctx.c, 'session');
      },
    },
    'POST /v1/sessions/:session_id/revoke': {
      auth: 'secret',
      handle: (ctx) => {
        const record = state.sessions.get(ctx.param('session_id'));
        return record ? json(ctx.c, revokeSessionRecord(state, record)) : notFound(ctx.c, 'session');
      },
    },
    'POST /v1/sessions/:session_id/tokens': { auth: 'secret', handle: (ctx) => mintFromRoute(state, ctx, undefined) },
    'POST /v1/sessions/:session_id/tokens/:template_name': {
      auth: 'secret',
      handle: (ctx) => mintFromRoute(state, ctx, ctx.param('template_name')),
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
      handle: (ctx) => refresh(state, ctx),
    },
  };
}

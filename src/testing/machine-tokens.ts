import { TOKEN_CATEGORY } from './emulator-types.js';
import type { CreateApiKeyOptions, CreateM2MTokenOptions, CreateOAuthTokenOptions } from './emulator-types.js';
import { clerkId, randomBase62, randomHex } from './ids.js';
import { NOT_BEFORE_LEEWAY_SECONDS } from './session-claims.js';
import type { EmulatorState } from './state.js';
import type { ClerkApiKeyJSON, ClerkM2MTokenJSON, ClerkOAuthAccessTokenJSON } from './types.js';

// Machine credentials (API keys, M2M tokens, OAuth access tokens): one lifecycle, three JSON shapes.

/** Lifecycle fields every machine credential shares. Timestamps are milliseconds. */
export interface MachineState {
  id: string;
  /** What the caller presents: the API key secret or the token. */
  secret: string;
  revoked: boolean;
  revocationReason: string | null;
  expiration: number | null;
  lastUsedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface ApiKeyRecord extends MachineState {
  type: string;
  subject: string;
  name: string;
  description: string | null;
  claims: unknown;
  scopes: string[];
  createdBy: string | null;
}

export interface M2MRecord extends MachineState {
  format: 'opaque' | 'jwt';
  subject: string;
  claims: unknown;
  scopes: string[];
}

export interface OAuthRecord extends MachineState {
  format: 'opaque' | 'jwt';
  clientId: string;
  subject: string;
  scopes: string[];
}

/** One kind of machine credential: where its records live and how Clerk shows them. */
export interface MachineKind<R extends MachineState, J> {
  /** Name used in not-found messages, e.g. `API key`. */
  readonly what: string;
  readonly byId: Map<string, R>;
  readonly bySecret: Map<string, R>;
  toJson(record: R): J;
}

export interface MachineKinds {
  apiKeys: MachineKind<ApiKeyRecord, ClerkApiKeyJSON>;
  m2m: MachineKind<M2MRecord, ClerkM2MTokenJSON>;
  oauth: MachineKind<OAuthRecord, ClerkOAuthAccessTokenJSON>;
}

export const DEFAULT_MACHINE_TOKEN_TTL_SECONDS = 3600;

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The three machine kinds of one instance; `now` decides the `expired` flag at the time a record is shown. */
export function machineKinds(now: () => number): MachineKinds {
  const lifecycle = (r: MachineState) => ({
    revoked: r.revoked,
    revocation_reason: r.revocationReason,
    expired: r.expiration !== null && now() >= r.expiration,
    expiration: r.expiration,
  });
  const kind = <R extends MachineState, J>(what: string, toJson: (r: R) => J): MachineKind<R, J> => ({
    what,
    byId: new Map(),
    bySecret: new Map(),
    toJson,
  });
  return {
    apiKeys: kind('API key', (r: ApiKeyRecord) => ({
      object: 'api_key',
      id: r.id,
      type: r.type,
      subject: r.subject,
      name: r.name,
      description: r.description,
      claims: r.claims,
      scopes: [...r.scopes],
      ...lifecycle(r),
      created_by: r.createdBy,
      last_used_at: r.lastUsedAt,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
    })),
    m2m: kind('M2M token', (r: M2MRecord) => ({
      object: 'machine_to_machine_token',
      id: r.id,
      subject: r.subject,
      claims: r.claims,
      scopes: [...r.scopes],
      ...lifecycle(r),
      last_used_at: r.lastUsedAt,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
    })),
    oauth: kind('OAuth access token', (r: OAuthRecord) => ({
      object: 'clerk_idp_oauth_access_token',
      id: r.id,
      client_id: r.clientId,
      subject: r.subject,
      scopes: [...r.scopes],
      ...lifecycle(r),
      created_at: r.createdAt,
      updated_at: r.updatedAt,
    })),
  };
}

/** Whether a record's expiration has passed. */
export const isExpired = (state: EmulatorState, record: MachineState) =>
  record.expiration !== null && state.now() >= record.expiration;

function store<R extends MachineState>(kind: MachineKind<R, unknown>, record: R): R {
  kind.byId.set(record.id, record);
  kind.bySecret.set(record.secret, record);
  return record;
}

const freshLifecycle = (createdAt: number, expiration: number | null) => ({
  revoked: false,
  revocationReason: null,
  expiration,
  lastUsedAt: null,
  createdAt,
  updatedAt: createdAt,
});

export function createApiKeyRecord(state: EmulatorState, opts: CreateApiKeyOptions & { type?: string }) {
  const createdAt = state.now();
  const seconds = opts.secondsUntilExpiration;
  return store(state.machines.apiKeys, {
    id: `ak_${randomHex(32)}`,
    secret: `ak_${randomBase62(40)}`,
    type: opts.type ?? 'api_key',
    subject: opts.subject ?? clerkId('user'),
    name: opts.name ?? 'test_api_key',
    description: opts.description ?? null,
    claims: opts.claims ?? null,
    scopes: [...(opts.scopes ?? [])],
    createdBy: opts.createdBy ?? null,
    ...freshLifecycle(createdAt, seconds === undefined || seconds === null ? null : createdAt + seconds * 1000),
  });
}

export async function createM2MRecord(state: EmulatorState, opts: CreateM2MTokenOptions): Promise<M2MRecord> {
  const createdAt = state.now();
  const seconds = opts.secondsUntilExpiration ?? DEFAULT_MACHINE_TOKEN_TTL_SECONDS;
  const id = `mt_${randomHex(32)}`;
  const format = opts.format ?? 'opaque';
  const subject = opts.machineId ?? state.machineId;
  const claims = opts.claims ?? null;
  const scopes = [...(opts.scopes ?? [])];
  let secret = `mt_${randomBase62(40)}`;
  if (format === 'jwt') {
    const iat = Math.floor(createdAt / 1000);
    const payload = {
      ...(isObject(claims) ? claims : {}),
      ...(scopes.length > 0 ? { scopes: scopes.join(' ') } : {}),
      iss: state.site.issuer,
      sub: subject,
      iat,
      nbf: iat - NOT_BEFORE_LEEWAY_SECONDS,
      exp: iat + seconds,
      jti: id,
    };
    secret = await state.keys.sign(payload, { cat: TOKEN_CATEGORY.m2m });
  }
  const lifecycle = freshLifecycle(createdAt, createdAt + seconds * 1000);
  return store(state.machines.m2m, { id, secret, format, subject, claims, scopes, ...lifecycle });
}

export async function createOAuthRecord(state: EmulatorState, opts: CreateOAuthTokenOptions): Promise<OAuthRecord> {
  const createdAt = state.now();
  const seconds = opts.secondsUntilExpiration ?? DEFAULT_MACHINE_TOKEN_TTL_SECONDS;
  const id = `oat_${randomHex(32)}`;
  const format = opts.format ?? 'opaque';
  const clientId = opts.clientId ?? randomBase62(16);
  const subject = opts.userId ?? clerkId('user');
  const scopes = [...(opts.scopes ?? [])];
  let secret = `oat_${randomBase62(40)}`;
  if (format === 'jwt') {
    const iat = Math.floor(createdAt / 1000);
    const payload = {
      iss: state.site.issuer,
      sub: subject,
      aud: opts.audience ?? clientId,
      client_id: clientId,
      scope: scopes.join(' '),
      jti: id,
      exp: iat + seconds,
      iat,
    };
    secret = await state.keys.sign(payload, { typ: 'at+jwt' });
  }
  const lifecycle = freshLifecycle(createdAt, createdAt + seconds * 1000);
  return store(state.machines.oauth, { id, secret, format, clientId, subject, scopes, ...lifecycle });
}

export function revokeMachine(state: EmulatorState, record: MachineState, reason: string | null | undefined): void {
  record.revoked = true;
  record.revocationReason = reason ?? null;
  record.updatedAt = state.now();
}

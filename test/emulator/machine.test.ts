import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createClerkEmulator } from '../../src/testing/index.js';
import type { ClerkEmulator } from '../../src/testing/index.js';
import { bapi, obj } from './http.js';
import { expectMatchesComponent, expectMatchesSpec } from './spec-schema.js';

const START = Date.UTC(2025, 5, 1, 12, 0, 0);
let clock = START;
let emulator: ClerkEmulator;

beforeAll(async () => {
  emulator = await createClerkEmulator({ now: () => clock });
});
afterAll(() => emulator.close());

const USER = 'user_2xhFjEI5X2qWRvtV13BzSj8H6Dk';
const OTHER_MACHINE = 'mch_2yGkLpQ7Y3rXSwtU24CzTk9I7Em';

async function later<T>(ms: number, run: () => Promise<T>): Promise<T> {
  clock += ms;
  try {
    return await run();
  } finally {
    clock = START;
  }
}

const verifyJwt = (token: string, typ?: string) =>
  jwtVerify(token, createLocalJWKSet(emulator.jwks()), { currentDate: new Date(clock), ...(typ ? { typ } : {}) });

describe('API keys', () => {
  it('creates a key over HTTP and verifies its secret', async () => {
    const created = await bapi(emulator, 'POST', '/v1/api_keys', {
      body: {
        name: 'billing-service',
        subject: USER,
        scopes: ['read', 'write'],
        claims: { team: 'billing' },
        description: 'for tests',
      },
    });
    expect(created.status).toBe(200);
    expectMatchesSpec('POST', '/v1/api_keys', 200, created.body);
    const key = obj(created.body);
    expect(key).toMatchObject({
      object: 'api_key',
      type: 'api_key',
      subject: USER,
      name: 'billing-service',
      description: 'for tests',
      scopes: ['read', 'write'],
      claims: { team: 'billing' },
      revoked: false,
      expired: false,
      expiration: null,
      created_at: START,
    });
    expect(key.secret).toMatch(/^ak_[A-Za-z0-9]+$/);
    expect(key.id).toMatch(/^ak_[0-9a-f]{32}$/);

    const verified = await bapi(emulator, 'POST', '/v1/api_keys/verify', { body: { secret: key.secret } });
    expect(verified.status).toBe(200);
    expectMatchesSpec('POST', '/v1/api_keys/verify', 200, verified.body);
    const { secret: _secret, ...withoutSecret } = key;
    expect(verified.body).toEqual({ ...withoutSecret, last_used_at: START });
  });

  it('reports revoked keys with 200 and revoked: true', async () => {
    const key = await emulator.createApiKey({ subject: USER });
    const revoked = await bapi(emulator, 'POST', `/v1/api_keys/${key.id}/revoke`, {
      body: { revocation_reason: 'leaked' },
    });
    expect(revoked.status).toBe(200);
    expectMatchesSpec('POST', '/v1/api_keys/:apiKeyID/revoke', 200, revoked.body);
    expect(obj(revoked.body)).toMatchObject({ id: key.id, revoked: true, revocation_reason: 'leaked' });

    const verified = await bapi(emulator, 'POST', '/v1/api_keys/verify', { body: { secret: key.secret } });
    expect(verified.status).toBe(200);
    expect(obj(verified.body)).toMatchObject({ revoked: true, expired: false });

    const other = await emulator.createApiKey();
    expect(emulator.revokeApiKey(other.id)).toMatchObject({ revoked: true, revocation_reason: null });
  });

  it('computes expired from the emulator clock', async () => {
    const key = await emulator.createApiKey({ secondsUntilExpiration: 60 });
    expect(key.expiration).toBe(START + 60_000);
    const before = await bapi(emulator, 'POST', '/v1/api_keys/verify', { body: { secret: key.secret } });
    expect(obj(before.body).expired).toBe(false);
    const after = await later(60_000, () =>
      bapi(emulator, 'POST', '/v1/api_keys/verify', { body: { secret: key.secret } }),
    );
    expect(after.status).toBe(200);
    expect(obj(after.body).expired).toBe(true);
  });

  it('answers 404 for unknown secrets and ids, 400 for missing parameters', async () => {
    const unknown = await bapi(emulator, 'POST', '/v1/api_keys/verify', { body: { secret: 'ak_unknown' } });
    expect(unknown.status).toBe(404);
    expectMatchesSpec('POST', '/v1/api_keys/verify', 404, unknown.body);
    const unknownRevoke = await bapi(emulator, 'POST', `/v1/api_keys/ak_${'0'.repeat(32)}/revoke`, { body: {} });
    expect(unknownRevoke.status).toBe(404);
    expectMatchesSpec('POST', '/v1/api_keys/:apiKeyID/revoke', 404, unknownRevoke.body);

    const missing = await bapi(emulator, 'POST', '/v1/api_keys/verify', { body: {} });
    expect(missing.status).toBe(400);
    expectMatchesSpec('POST', '/v1/api_keys/verify', 400, missing.body);
    const noName = await bapi(emulator, 'POST', '/v1/api_keys', { body: { subject: USER } });
    expect(noName.status).toBe(400);
    expectMatchesSpec('POST', '/v1/api_keys', 400, noName.body);
    const malformed = await bapi(emulator, 'POST', '/v1/api_keys/verify', { body: '{"secret":' });
    expect(malformed.status).toBe(400);
    expectMatchesComponent('ClerkErrors', malformed.body);
  });

  it('requires the secret key (not the machine secret key)', async () => {
    const key = await emulator.createApiKey();
    for (const bearer of [null, 'sk_test_wrong', emulator.machineSecretKey]) {
      const res = await bapi(emulator, 'POST', '/v1/api_keys/verify', { bearer, body: { secret: key.secret } });
      expect(res.status).toBe(401);
      expectMatchesComponent('ClerkErrors', res.body);
      expect(obj(res.body).errors[0].code).toBe('authentication_invalid');
    }
    expect(
      (await bapi(emulator, 'POST', '/v1/api_keys', { bearer: null, body: { name: 'x', subject: USER } })).status,
    ).toBe(401);
    expect((await bapi(emulator, 'POST', `/v1/api_keys/${key.id}/revoke`, { bearer: null, body: {} })).status).toBe(
      401,
    );
  });
});

describe('M2M tokens', () => {
  it('creates an opaque token as the machine and verifies it with either key', async () => {
    const created = await bapi(emulator, 'POST', '/v1/m2m_tokens', {
      bearer: emulator.machineSecretKey,
      body: { seconds_until_expiration: 120, claims: { job: 'sync' } },
    });
    expect(created.status).toBe(201);
    expectMatchesSpec('POST', '/v1/m2m_tokens', 201, created.body);
    const m2m = obj(created.body);
    expect(m2m).toMatchObject({
      object: 'machine_to_machine_token',
      subject: emulator.machineId,
      claims: { job: 'sync' },
      scopes: [],
      revoked: false,
      expired: false,
      expiration: START + 120_000,
    });
    expect(m2m.token).toMatch(/^mt_[A-Za-z0-9]+$/);
    expect(m2m.id).toMatch(/^mt_[0-9a-f]{32}$/);

    for (const bearer of [emulator.machineSecretKey, emulator.secretKey]) {
      const verified = await bapi(emulator, 'POST', '/v1/m2m_tokens/verify', { bearer, body: { token: m2m.token } });
      expect(verified.status).toBe(200);
      expectMatchesSpec('POST', '/v1/m2m_tokens/verify', 200, verified.body);
      const { token: _token, ...withoutToken } = m2m;
      expect(verified.body).toEqual({ ...withoutToken, last_used_at: START });
    }

    const bySecretKey = await bapi(emulator, 'POST', '/v1/m2m_tokens', { body: {} });
    expect(bySecretKey.status).toBe(201);
    expect(obj(bySecretKey.body).subject).toBe(emulator.machineId);
  });

  it('mints JWT-format tokens signed with the instance key', async () => {
    const created = await bapi(emulator, 'POST', '/v1/m2m_tokens', {
      bearer: emulator.machineSecretKey,
      body: { token_format: 'jwt', seconds_until_expiration: 300 },
    });
    expect(created.status).toBe(201);
    expectMatchesSpec('POST', '/v1/m2m_tokens', 201, created.body);
    const m2m = obj(created.body);
    const { payload, protectedHeader } = await verifyJwt(m2m.token);
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: emulator.kid, typ: 'JWT', cat: 'cl_B7d4PD333AAA' });
    const iat = Math.floor(START / 1000);
    expect(payload).toEqual({
      iss: emulator.issuer,
      sub: emulator.machineId,
      iat,
      nbf: iat - 10,
      exp: iat + 300,
      jti: m2m.id,
    });

    const scoped = await emulator.createM2MToken({
      format: 'jwt',
      scopes: [OTHER_MACHINE, emulator.machineId],
      claims: { region: 'eu' },
    });
    expect((await verifyJwt(scoped.token)).payload).toMatchObject({
      scopes: `${OTHER_MACHINE} ${emulator.machineId}`,
      region: 'eu',
      jti: scoped.id,
    });
    expect(scoped.scopes).toEqual([OTHER_MACHINE, emulator.machineId]);
  });

  it('revokes opaque tokens, not JWT ones', async () => {
    const opaque = await emulator.createM2MToken();
    const revoked = await bapi(emulator, 'POST', `/v1/m2m_tokens/${opaque.id}/revoke`, {
      bearer: emulator.machineSecretKey,
      body: { revocation_reason: 'rotated' },
    });
    expect(revoked.status).toBe(200);
    expectMatchesSpec('POST', '/v1/m2m_tokens/:m2m_token_id/revoke', 200, revoked.body);
    expect(obj(revoked.body)).toMatchObject({ revoked: true, revocation_reason: 'rotated' });
    const verified = await bapi(emulator, 'POST', '/v1/m2m_tokens/verify', { body: { token: opaque.token } });
    expect(obj(verified.body).revoked).toBe(true);

    const jwt = await emulator.createM2MToken({ format: 'jwt' });
    const refused = await bapi(emulator, 'POST', `/v1/m2m_tokens/${jwt.id}/revoke`, { body: {} });
    expect(refused.status).toBe(400);
    expectMatchesSpec('POST', '/v1/m2m_tokens/:m2m_token_id/revoke', 400, refused.body);

    const other = await emulator.createM2MToken({ machineId: OTHER_MACHINE });
    expect(emulator.revokeM2MToken(other.id, 'done')).toMatchObject({
      subject: OTHER_MACHINE,
      revoked: true,
      revocation_reason: 'done',
    });
  });

  it('reuses a live opaque token when min_remaining_ttl_seconds allows it', async () => {
    const body = { seconds_until_expiration: 600, min_remaining_ttl_seconds: 300, claims: { pool: 'reuse' } };
    const first = obj(
      (await bapi(emulator, 'POST', '/v1/m2m_tokens', { bearer: emulator.machineSecretKey, body })).body,
    );
    const again = await bapi(emulator, 'POST', '/v1/m2m_tokens', { bearer: emulator.machineSecretKey, body });
    expect(again.status).toBe(201);
    expect(obj(again.body).id).toBe(first.id);
    const differentClaims = obj(
      (await bapi(emulator, 'POST', '/v1/m2m_tokens', { body: { ...body, claims: { pool: 'other' } } })).body,
    );
    expect(differentClaims.id).not.toBe(first.id);
    const tooLittleLeft = await later(301_000, () => bapi(emulator, 'POST', '/v1/m2m_tokens', { body }));
    expect(obj(tooLittleLeft.body).id).not.toBe(first.id);
    const invalid = await bapi(emulator, 'POST', '/v1/m2m_tokens', {
      body: { seconds_until_expiration: 60, min_remaining_ttl_seconds: 60 },
    });
    expect(invalid.status).toBe(400);
    expectMatchesSpec('POST', '/v1/m2m_tokens', 400, invalid.body);
  });

  it('rejects body parameters the spec does not allow', async () => {
    const res = await bapi(emulator, 'POST', '/v1/m2m_tokens', { body: { scopes: [OTHER_MACHINE] } });
    expect(res.status).toBe(400);
    expectMatchesSpec('POST', '/v1/m2m_tokens', 400, res.body);
    expect(obj(res.body).errors[0]).toMatchObject({ code: 'form_param_unknown', meta: { param_name: 'scopes' } });
    const verify = await bapi(emulator, 'POST', '/v1/api_keys/verify', { body: { secret: 'ak_x', extra: 1 } });
    expect(verify.status).toBe(400);
  });

  it('computes expired from the emulator clock', async () => {
    const m2m = await emulator.createM2MToken({ secondsUntilExpiration: 30 });
    const res = await later(30_000, () =>
      bapi(emulator, 'POST', '/v1/m2m_tokens/verify', { body: { token: m2m.token } }),
    );
    expect(res.status).toBe(200);
    expect(obj(res.body)).toMatchObject({ expired: true, revoked: false });
  });

  it('answers 404 for unknown tokens, 400 for a missing token and 401 without a key', async () => {
    const unknown = await bapi(emulator, 'POST', '/v1/m2m_tokens/verify', { body: { token: 'mt_unknown' } });
    expect(unknown.status).toBe(404);
    expectMatchesSpec('POST', '/v1/m2m_tokens/verify', 404, unknown.body);
    const unknownRevoke = await bapi(emulator, 'POST', `/v1/m2m_tokens/mt_${'0'.repeat(32)}/revoke`, { body: {} });
    expect(unknownRevoke.status).toBe(404);
    expectMatchesSpec('POST', '/v1/m2m_tokens/:m2m_token_id/revoke', 404, unknownRevoke.body);
    const missing = await bapi(emulator, 'POST', '/v1/m2m_tokens/verify', { body: {} });
    expect(missing.status).toBe(400);
    expectMatchesSpec('POST', '/v1/m2m_tokens/verify', 400, missing.body);
    const badFormat = await bapi(emulator, 'POST', '/v1/m2m_tokens', { body: { token_format: 'paseto' } });
    expect(badFormat.status).toBe(400);
    expectMatchesSpec('POST', '/v1/m2m_tokens', 400, badFormat.body);

    const m2m = await emulator.createM2MToken();
    for (const [path, body] of [
      ['/v1/m2m_tokens/verify', { token: m2m.token }],
      ['/v1/m2m_tokens', {}],
      [`/v1/m2m_tokens/${m2m.id}/revoke`, {}],
    ] as const) {
      for (const bearer of [null, 'ak_wrong']) {
        const res = await bapi(emulator, 'POST', path, { bearer, body });
        expect(res.status).toBe(401);
        expectMatchesComponent('ClerkErrors', res.body);
      }
    }
  });
});

describe('OAuth access tokens', () => {
  it('verifies opaque tokens with access_token (and the deprecated secret)', async () => {
    const oauth = await emulator.createOAuthToken({
      userId: USER,
      clientId: 'client_abc',
      scopes: ['profile', 'email'],
    });
    expect(oauth.token).toMatch(/^oat_[A-Za-z0-9]+$/);
    expect(oauth.id).toMatch(/^oat_[0-9a-f]{32}$/);
    for (const body of [{ access_token: oauth.token }, { secret: oauth.token }]) {
      const res = await bapi(emulator, 'POST', '/v1/oauth_applications/access_tokens/verify', { body });
      expect(res.status).toBe(200);
      expectMatchesSpec('POST', '/v1/oauth_applications/access_tokens/verify', 200, res.body);
      expect(res.body).toEqual({
        object: 'clerk_idp_oauth_access_token',
        id: oauth.id,
        client_id: 'client_abc',
        subject: USER,
        scopes: ['profile', 'email'],
        revoked: false,
        revocation_reason: null,
        expired: false,
        expiration: START + 3_600_000,
        created_at: START,
        updated_at: START,
      });
    }
  });

  it('reports revoked and expired opaque tokens in the object', async () => {
    const oauth = await emulator.createOAuthToken({ secondsUntilExpiration: 10 });
    emulator.revokeOAuthToken(oauth.id, 'user signed out');
    const res = await later(10_000, () =>
      bapi(emulator, 'POST', '/v1/oauth_applications/access_tokens/verify', { body: { access_token: oauth.token } }),
    );
    expect(res.status).toBe(200);
    expectMatchesSpec('POST', '/v1/oauth_applications/access_tokens/verify', 200, res.body);
    expect(obj(res.body)).toMatchObject({ revoked: true, revocation_reason: 'user signed out', expired: true });
  });

  it('mints RFC 9068 JWT access tokens and reports expired ones as inactive', async () => {
    const oauth = await emulator.createOAuthToken({
      format: 'jwt',
      userId: USER,
      clientId: 'client_jwt',
      scopes: ['read', 'write'],
      secondsUntilExpiration: 600,
    });
    expect(decodeProtectedHeader(oauth.token)).toEqual({ alg: 'RS256', kid: emulator.kid, typ: 'at+jwt' });
    const { payload } = await verifyJwt(oauth.token, 'at+jwt');
    const iat = Math.floor(START / 1000);
    expect(payload).toEqual({
      iss: emulator.issuer,
      sub: USER,
      aud: 'client_jwt',
      client_id: 'client_jwt',
      scope: 'read write',
      jti: oauth.id,
      exp: iat + 600,
      iat,
    });

    const active = await bapi(emulator, 'POST', '/v1/oauth_applications/access_tokens/verify', {
      body: { access_token: oauth.token },
    });
    expect(obj(active.body)).toMatchObject({ id: oauth.id, expired: false });
    const expired = await later(600_000, () =>
      bapi(emulator, 'POST', '/v1/oauth_applications/access_tokens/verify', { body: { access_token: oauth.token } }),
    );
    expect(expired.status).toBe(200);
    expectMatchesSpec('POST', '/v1/oauth_applications/access_tokens/verify', 200, expired.body);
    expect(expired.body).toEqual({ active: false });

    const withAudience = await emulator.createOAuthToken({ format: 'jwt', audience: ['https://api.example'] });
    expect((await verifyJwt(withAudience.token, 'at+jwt')).payload.aud).toEqual(['https://api.example']);
  });

  it('answers 404 for unknown tokens, 400 without a token, 401 without the secret key', async () => {
    const unknown = await bapi(emulator, 'POST', '/v1/oauth_applications/access_tokens/verify', {
      body: { access_token: 'oat_unknown' },
    });
    expect(unknown.status).toBe(404);
    expectMatchesSpec('POST', '/v1/oauth_applications/access_tokens/verify', 404, unknown.body);
    const missing = await bapi(emulator, 'POST', '/v1/oauth_applications/access_tokens/verify', { body: {} });
    expect(missing.status).toBe(400);
    expectMatchesSpec('POST', '/v1/oauth_applications/access_tokens/verify', 400, missing.body);
    const oauth = await emulator.createOAuthToken();
    for (const bearer of [null, emulator.machineSecretKey]) {
      const res = await bapi(emulator, 'POST', '/v1/oauth_applications/access_tokens/verify', {
        bearer,
        body: { access_token: oauth.token },
      });
      expect(res.status).toBe(401);
      expectMatchesComponent('ClerkErrors', res.body);
    }
  });

  it('throws on programmatic revocation of unknown ids', () => {
    expect(() => emulator.revokeOAuthToken('oat_missing')).toThrow(/no OAuth access token/);
    expect(() => emulator.revokeM2MToken('mt_missing')).toThrow(/no M2M token/);
    expect(() => emulator.revokeApiKey('ak_missing')).toThrow(/no API key/);
    expect(() => emulator.revokeSession('sess_missing')).toThrow(/no session/);
  });
});

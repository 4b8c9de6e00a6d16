import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createClerkEmulator } from '../../src/testing/index.js';
import type { ClerkEmulator } from '../../src/testing/index.js';
import { bapi, obj } from './http.js';
import { expectMatchesSpec } from './spec-schema.js';

const START = Date.UTC(2025, 5, 1, 12, 0, 0);
let clock = START;
let emulator: ClerkEmulator;

beforeAll(async () => {
  emulator = await createClerkEmulator({ now: () => clock });
});
afterAll(() => emulator.close());

const at = () => new Date(clock);
const verify = (token: string) => jwtVerify(token, createLocalJWKSet(emulator.jwks()), { currentDate: at() });

describe('instance identity', () => {
  it('encodes its own 127.0.0.1 host in the publishable key and uses it as https issuer', () => {
    const { port } = new URL(emulator.url);
    expect(emulator.url).toBe(`http://127.0.0.1:${port}`);
    expect(emulator.frontendApiUrl).toBe(emulator.url);
    expect(emulator.publishableKey).toBe(`pk_test_${btoa(`127.0.0.1:${port}$`)}`);
    expect(atob(emulator.publishableKey.split('_')[2] ?? '')).toBe(`127.0.0.1:${port}$`);
    expect(emulator.issuer).toBe(`https://127.0.0.1:${port}`);
    expect(emulator.secretKey).toMatch(/^sk_test_[A-Za-z0-9]+$/);
    expect(emulator.machineSecretKey).toMatch(/^ak_[0-9a-f]+$/);
    expect(emulator.machineId).toMatch(/^mch_\w{27}$/);
    expect(emulator.cookieSuffix).toMatch(/^[A-Za-z0-9_-]{8}$/);
  });

  it('makes live keys and accepts given secrets', async () => {
    const live = await createClerkEmulator({
      instanceType: 'live',
      secretKey: 'sk_live_given',
      machineSecretKey: 'ak_given',
      sessionTokenTtlSeconds: 300,
    });
    try {
      const { session } = await live.createSession();
      const payload = decodeJwt(await live.createSessionToken(session.id));
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
      expect(live.publishableKey.startsWith('pk_live_')).toBe(true);
      expect(live.secretKey).toBe('sk_live_given');
      expect(live.machineSecretKey).toBe('ak_given');
      expect((await bapi(live, 'GET', '/v1/jwks', { bearer: 'sk_live_given' })).status).toBe(200);
    } finally {
      await live.close();
    }
  });
});

describe('JWKS routes', () => {
  it('serves the public keys on GET /v1/jwks and the legacy /jwks with the secret key', async () => {
    for (const path of ['/v1/jwks', '/jwks']) {
      const res = await bapi(emulator, 'GET', path);
      expect(res.status).toBe(200);
      expectMatchesSpec('GET', '/v1/jwks', 200, res.body);
      expect(res.body).toEqual(emulator.jwks());
      const [key] = obj(res.body).keys;
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(key).toMatchObject({ kid: emulator.kid, alg: 'RS256', use: 'sig', kty: 'RSA', e: 'AQAB' });
      expect(key.kid).toMatch(/^ins_\w{27}$/);
    }
  });

  it('serves the same keys on the Frontend API without authentication', async () => {
    const res = await bapi(emulator, 'GET', '/.well-known/jwks.json', { bearer: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(emulator.jwks());
  });

  it('answers 401 in the ClerkErrors shape without, or with a wrong, secret key', async () => {
    for (const bearer of [null, 'sk_test_wrong', emulator.machineSecretKey]) {
      const res = await bapi(emulator, 'GET', '/v1/jwks', { bearer });
      expect(res.status).toBe(401);
      expectMatchesSpec('GET', '/v1/sessions/:session_id', 401, res.body);
      expect(obj(res.body).errors[0].code).toBe('authentication_invalid');
    }
    const basic = await bapi(emulator, 'GET', '/v1/jwks', {
      bearer: null,
      headers: { authorization: `Basic ${emulator.secretKey}` },
    });
    expect(basic.status).toBe(401);
  });
});

describe('sessions over HTTP', () => {
  it('creates, retrieves and revokes a session', async () => {
    const created = await bapi(emulator, 'POST', '/v1/sessions', {
      body: { user_id: 'user_abc', active_organization_id: 'org_abc' },
    });
    expect(created.status).toBe(200);
    expectMatchesSpec('POST', '/v1/sessions', 200, created.body);
    const session = obj(created.body);
    expect(session).toMatchObject({
      object: 'session',
      user_id: 'user_abc',
      status: 'active',
      last_active_organization_id: 'org_abc',
      created_at: clock,
      updated_at: clock,
      actor: null,
    });
    expect(session.id).toMatch(/^sess_\w{27}$/);

    const fetched = await bapi(emulator, 'GET', `/v1/sessions/${session.id}`);
    expect(fetched.status).toBe(200);
    expectMatchesSpec('GET', '/v1/sessions/:session_id', 200, fetched.body);
    expect(fetched.body).toEqual(session);

    const legacy = await bapi(emulator, 'GET', `/sessions/${session.id}`);
    expect(legacy.body).toEqual(session);

    const revoked = await bapi(emulator, 'POST', `/v1/sessions/${session.id}/revoke`);
    expect(revoked.status).toBe(200);
    expectMatchesSpec('POST', '/v1/sessions/:session_id/revoke', 200, revoked.body);
    expect(obj(revoked.body).status).toBe('revoked');

    const token = await bapi(emulator, 'POST', `/v1/sessions/${session.id}/tokens`);
    expect(token.status).toBe(404);
    expectMatchesSpec('POST', '/v1/sessions/:session_id/tokens', 404, token.body);
    await expect(emulator.createSessionToken(session.id)).rejects.toThrow(/revoked/);
  });

  it('requires user_id', async () => {
    const res = await bapi(emulator, 'POST', '/v1/sessions', { body: {} });
    expect(res.status).toBe(422);
    expectMatchesSpec('POST', '/v1/sessions', 422, res.body);
    expect(obj(res.body).errors[0]).toMatchObject({ code: 'form_param_missing', meta: { param_name: 'user_id' } });
  });

  it('answers 404 for unknown sessions', async () => {
    for (const [method, path] of [
      ['GET', '/v1/sessions/sess_missing'],
      ['POST', '/v1/sessions/sess_missing/revoke'],
      ['POST', '/v1/sessions/sess_missing/tokens'],
      ['POST', '/v1/sessions/sess_missing/tokens/tpl'],
    ] as const) {
      const res = await bapi(emulator, method, path);
      expect(res.status).toBe(404);
      expectMatchesSpec(method, path, 404, res.body);
      expect(obj(res.body).errors[0].code).toBe('resource_not_found');
    }
  });

  it('requires the secret key on session routes', async () => {
    const { session } = await emulator.createSession();
    for (const [method, path] of [
      ['POST', '/v1/sessions'],
      ['GET', `/v1/sessions/${session.id}`],
      ['POST', `/v1/sessions/${session.id}/revoke`],
      ['POST', `/v1/sessions/${session.id}/tokens`],
      ['POST', `/v1/sessions/${session.id}/tokens/tpl`],
      ['POST', `/v1/sessions/${session.id}/refresh`],
    ] as const) {
      const res = await bapi(emulator, method, path, {
        bearer: 'sk_test_nope',
        ...(method === 'POST' ? { body: { user_id: 'user_1' } } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(401);
      expectMatchesSpec(method, path, 401, res.body);
    }
    expect(obj((await bapi(emulator, 'GET', `/v1/sessions/${session.id}`)).body).status).toBe('active');
  });
});

describe('session tokens', () => {
  it('mints over HTTP a token the JWKS verifies, with Clerk headers and default claims', async () => {
    const { session } = await emulator.createSession({ userId: 'user_tok' });
    const res = await bapi(emulator, 'POST', `/v1/sessions/${session.id}/tokens`);
    expect(res.status).toBe(200);
    expectMatchesSpec('POST', '/v1/sessions/:session_id/tokens', 200, res.body);
    const { object, jwt } = obj(res.body);
    expect(object).toBe('token');

    const iat = Math.floor(clock / 1000);
    const { payload, protectedHeader } = await verify(jwt);
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: emulator.kid, typ: 'JWT', cat: 'cl_B7d4PD111AAA' });
    expect(payload).toEqual({
      exp: iat + 60,
      fva: [0, -1],
      iat,
      iss: emulator.issuer,
      nbf: iat - 10,
      sid: session.id,
      sts: 'active',
      sub: 'user_tok',
      v: 2,
    });
  });

  it('verifies through the Frontend API JWKS with a remote key set', async () => {
    const { session } = await emulator.createSession();
    const token = await emulator.createSessionToken(session.id);
    const jwks = createRemoteJWKSet(new URL(`${emulator.frontendApiUrl}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(token, jwks, { currentDate: at(), issuer: emulator.issuer });
    expect(payload.sid).toBe(session.id);
  });

  it('honours expires_in_seconds and rejects values outside the spec bounds', async () => {
    const { session } = await emulator.createSession();
    const res = await bapi(emulator, 'POST', `/v1/sessions/${session.id}/tokens`, {
      body: { expires_in_seconds: 3600 },
    });
    const payload = decodeJwt(obj(res.body).jwt);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
    for (const expires_in_seconds of [10, 1.5, 'soon']) {
      const bad = await bapi(emulator, 'POST', `/v1/sessions/${session.id}/tokens`, { body: { expires_in_seconds } });
      expect(bad.status).toBe(422);
      expect(obj(bad.body).errors[0].code).toBe('form_param_value_invalid');
    }
  });

  it('mints JWT-template tokens with the template category and name', async () => {
    const { session } = await emulator.createSession({ userId: 'user_tpl' });
    const res = await bapi(emulator, 'POST', `/v1/sessions/${session.id}/tokens/supabase`, {
      body: { expires_in_seconds: 120 },
    });
    expect(res.status).toBe(200);
    expectMatchesSpec('POST', '/v1/sessions/:session_id/tokens/:template_name', 200, res.body);
    const { payload, protectedHeader } = await verify(obj(res.body).jwt);
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: emulator.kid, typ: 'JWT', cat: 'cl_B7d4PD222AAA' });
    const iat = Math.floor(clock / 1000);
    expect(payload).toEqual({
      exp: iat + 120,
      iat,
      iss: emulator.issuer,
      jti: expect.any(String),
      nbf: iat - 10,
      sid: session.id,
      sub: 'user_tpl',
      tpl: 'supabase',
    });
    const direct = decodeJwt(await emulator.createSessionToken(session.id, { template: 'other' }));
    expect(direct.tpl).toBe('other');
  });

  it('encodes v2 organization claims with per/fpm bitmasks', async () => {
    const { session } = await emulator.createSession({
      userId: 'user_org',
      orgId: 'org_1',
      orgRole: 'org:admin',
      orgSlug: 'acme',
      // features in order: reports (o), dashboard (u), billing (o); permissions: read, write, manage
      features: ['o:reports', 'u:dashboard', 'o:billing'],
      plans: ['o:pro', 'u:free'],
      orgPermissions: [
        'org:reports:read',
        'org:billing:write',
        'org:reports:manage',
        'org:billing:read',
        'org:reports:write',
      ],
    });
    const { payload } = await verify(await emulator.createSessionToken(session.id));
    // reports: read(1) + manage(4) + write(2) = 7; billing: write(2) + read(1) = 3
    expect(payload.o).toEqual({ id: 'org_1', rol: 'admin', slg: 'acme', per: 'read,write,manage', fpm: '7,3' });
    expect(payload.fea).toBe('o:reports,u:dashboard,o:billing');
    expect(payload.pla).toBe('o:pro,u:free');
    expect(payload.v).toBe(2);
    expect(payload).not.toHaveProperty('org_id');
  });

  it('gives a zero mask to org features without permissions and adds features only permissions mention', async () => {
    const { session } = await emulator.createSession({
      orgId: 'org_2',
      orgRole: 'member',
      features: ['o:empty', 'o:docs'],
      orgPermissions: ['org:docs:edit', 'org:admin_tools:view'],
    });
    const { payload } = await verify(await emulator.createSessionToken(session.id));
    // features: empty, docs, admin_tools (added); permissions: edit (bit 0), view (bit 1)
    expect(payload.fea).toBe('o:empty,o:docs,o:admin_tools');
    expect(payload.o).toEqual({ id: 'org_2', rol: 'member', per: 'edit,view', fpm: '0,1,2' });
  });

  it('omits organization claims and org-scoped features without an active organization', async () => {
    const { session } = await emulator.createSession({
      features: ['o:reports', 'u:dashboard', 'ou:both'],
      plans: ['u:free', 'o:pro'],
    });
    const { payload } = await verify(await emulator.createSessionToken(session.id));
    expect(payload).not.toHaveProperty('o');
    expect(payload.fea).toBe('u:dashboard,ou:both');
    expect(payload.pla).toBe('u:free');
  });

  it('encodes v1 organization claims when asked', async () => {
    const { session } = await emulator.createSession({
      orgId: 'org_v1',
      orgRole: 'admin',
      orgSlug: 'v1co',
      orgPermissions: ['org:reports:read', 'org:sys_memberships:manage'],
      claimsVersion: 1,
    });
    const { payload } = await verify(await emulator.createSessionToken(session.id));
    expect(payload).toMatchObject({
      org_id: 'org_v1',
      org_role: 'org:admin',
      org_slug: 'v1co',
      org_permissions: ['org:reports:read', 'org:sys_memberships:manage'],
    });
    expect(payload).not.toHaveProperty('v');
    expect(payload).not.toHaveProperty('o');
  });

  it('refuses v2 permissions that are not org:<feature>:<permission>', async () => {
    await expect(emulator.createSession({ orgId: 'org_x', orgPermissions: ['org:flat'] })).rejects.toThrow(
      /org:<feature>:<permission>/,
    );
    await expect(
      emulator.createSession({ orgId: 'org_x', orgPermissions: ['org:flat'], claimsVersion: 1 }),
    ).resolves.toBeDefined();
  });

  it('carries azp, act, sts and a factor verification age that grows with the clock', async () => {
    const { session } = await emulator.createSession({
      azp: 'http://localhost:3000',
      actor: { sub: 'user_admin', iss: 'impersonation' },
      status: 'pending',
      factorVerificationAge: [5, 2],
    });
    expect(session.actor).toEqual({ sub: 'user_admin', iss: 'impersonation' });
    expect(session.tasks).toEqual([{ key: 'choose-organization' }]);
    const first = decodeJwt(await emulator.createSessionToken(session.id));
    expect(first).toMatchObject({
      azp: 'http://localhost:3000',
      act: { sub: 'user_admin', iss: 'impersonation' },
      sts: 'pending',
      fva: [5, 2],
    });
    clock += 3 * 60_000;
    try {
      const later = decodeJwt(await emulator.createSessionToken(session.id));
      expect(later.fva).toEqual([8, 5]);
    } finally {
      clock = START;
    }
  });

  it('lets tests choose iat, lifetime and extra claims', async () => {
    const { session } = await emulator.createSession();
    const token = await emulator.createSessionToken(session.id, {
      issuedAt: 1_700_000_000,
      expiresInSeconds: 30,
      extraClaims: { iss: 'https://evil.example', custom: 1 },
    });
    expect(decodeJwt(token)).toMatchObject({
      iat: 1_700_000_000,
      nbf: 1_699_999_990,
      exp: 1_700_000_030,
      iss: 'https://evil.example',
      custom: 1,
    });
    expect(decodeProtectedHeader(token).cat).toBe('cl_B7d4PD111AAA');
    await expect(emulator.createSessionToken('sess_unknown')).rejects.toThrow(/no session/);
  });
});

describe('session refresh', () => {
  async function signedIn() {
    const { session, refreshToken } = await emulator.createSession({ userId: 'user_refresh' });
    const token = await emulator.createSessionToken(session.id);
    return { session, refreshToken, token };
  }
  const refresh = (sessionId: string, body: Record<string, unknown>) =>
    bapi(emulator, 'POST', `/v1/sessions/${sessionId}/refresh`, {
      body: { request_origin: 'https://app.example', ...body },
    });

  it('answers a new token for an expired token of the session (format token, the default)', async () => {
    const { session, refreshToken, token } = await signedIn();
    clock += 5 * 60_000; // the token has expired
    try {
      const res = await refresh(session.id, { expired_token: token, refresh_token: refreshToken });
      expect(res.status).toBe(200);
      expectMatchesSpec('POST', '/v1/sessions/:session_id/refresh', 200, res.body);
      const { object, jwt } = obj(res.body);
      expect(object).toBe('token');
      const { payload } = await verify(jwt);
      expect(payload).toMatchObject({ sid: session.id, sub: 'user_refresh', iat: Math.floor(clock / 1000) });
    } finally {
      clock = START;
    }
  });

  it('answers Set-Cookie directives with format cookie', async () => {
    const { session, refreshToken, token } = await signedIn();
    const res = await refresh(session.id, {
      expired_token: token,
      refresh_token: refreshToken,
      format: 'cookie',
      request_originating_ip: '127.0.0.1',
      request_headers: { 'user-agent': ['vitest'] },
    });
    expect(res.status).toBe(200);
    expectMatchesSpec('POST', '/v1/sessions/:session_id/refresh', 200, res.body);
    const { object, cookies } = obj(res.body) as { object: string; cookies: string[] };
    expect(object).toBe('cookies');
    const names = cookies.map((cookie) => cookie.slice(0, cookie.indexOf('=')));
    expect(names).toEqual([
      '__session',
      `__session_${emulator.cookieSuffix}`,
      '__client_uat',
      `__client_uat_${emulator.cookieSuffix}`,
    ]);
    const jwt = /^__session=([^;]+);/.exec(cookies[0] ?? '')?.[1] ?? '';
    expect((await verify(jwt)).payload.sid).toBe(session.id);
    expect(cookies[0]).toMatch(/; Path=\/; SameSite=Lax; Secure$/);
    expect(cookies[2]).toBe(
      `__client_uat=${Math.floor(session.created_at / 1000)}; Path=/; Max-Age=315360000; SameSite=Lax; Secure`,
    );

    const plain = await refresh(session.id, {
      expired_token: token,
      refresh_token: refreshToken,
      format: 'cookie',
      request_origin: 'http://localhost:3000',
    });
    expect(obj(plain.body).cookies[0]).not.toContain('Secure');
  });

  it('answers 401 for a wrong refresh token', async () => {
    const { session, token } = await signedIn();
    const res = await refresh(session.id, { expired_token: token, refresh_token: 'not-it' });
    expect(res.status).toBe(401);
    expectMatchesSpec('POST', '/v1/sessions/:session_id/refresh', 401, res.body);
    expect(obj(res.body).errors[0].code).toBe('authentication_invalid');
  });

  it('answers 401 for a token of another session', async () => {
    const a = await signedIn();
    const b = await signedIn();
    const res = await refresh(a.session.id, { expired_token: b.token, refresh_token: a.refreshToken });
    expect(res.status).toBe(401);
    expectMatchesSpec('POST', '/v1/sessions/:session_id/refresh', 401, res.body);
  });

  it('answers 401 for a revoked session', async () => {
    const { session, refreshToken, token } = await signedIn();
    emulator.revokeSession(session.id);
    const res = await refresh(session.id, { expired_token: token, refresh_token: refreshToken });
    expect(res.status).toBe(401);
    expect(obj(res.body).errors[0].long_message).toMatch(/revoked/);
  });

  it('answers 401 for tokens this instance did not sign as session tokens', async () => {
    const { session, refreshToken } = await signedIn();
    const claims = { sid: session.id, sub: 'user_refresh', exp: 1, iat: 0 };
    const forged = await emulator.signToken({ key: 'foreign', claims, header: { cat: 'cl_B7d4PD111AAA' } });
    const template = await emulator.createSessionToken(session.id, { template: 'tpl' });
    const uncategorised = await emulator.signToken({ claims });
    for (const expired_token of [forged, template, uncategorised, 'not.a.jwt']) {
      const res = await refresh(session.id, { expired_token, refresh_token: refreshToken });
      expect(res.status).toBe(401);
    }
    const unknown = await refresh('sess_unknown', { expired_token: forged, refresh_token: refreshToken });
    expect(unknown.status).toBe(401);
  });

  it('answers 400 for parameters the spec does not allow', async () => {
    const { session, refreshToken, token } = await signedIn();
    const res = await refresh(session.id, {
      expired_token: token,
      refresh_token: refreshToken,
      cookie: '__session=leak',
    });
    expect(res.status).toBe(400);
    expectMatchesSpec('POST', '/v1/sessions/:session_id/refresh', 400, res.body);
    expect(obj(res.body).errors[0]).toMatchObject({ code: 'form_param_unknown', meta: { param_name: 'cookie' } });
  });

  it('answers 400 when a required parameter is missing', async () => {
    const { session, refreshToken, token } = await signedIn();
    const res = await bapi(emulator, 'POST', `/v1/sessions/${session.id}/refresh`, {
      body: { expired_token: token, refresh_token: refreshToken },
    });
    expect(res.status).toBe(400);
    expectMatchesSpec('POST', '/v1/sessions/:session_id/refresh', 400, res.body);
    expect(obj(res.body).errors[0]).toMatchObject({
      code: 'form_param_missing',
      meta: { param_name: 'request_origin' },
    });
  });
});

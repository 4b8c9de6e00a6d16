import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CLERK_EMULATOR_ROUTES, createClerkEmulator, createTestKeyPair } from '../../src/testing/index.js';
import type { ClerkEmulator, ClerkEmulatorRoute } from '../../src/testing/index.js';
import { bapi, obj } from './http.js';
import { expectMatchesSpec } from './spec-schema.js';

let emulator: ClerkEmulator;

beforeAll(async () => {
  emulator = await createClerkEmulator();
});
afterAll(() => emulator.close());
afterEach(() => {
  emulator.clearFaults();
  emulator.resetCounts();
});

const jwks = (path = '/v1/jwks') =>
  fetch(`${emulator.url}${path}`, { headers: { authorization: `Bearer ${emulator.secretKey}` } });

describe('fault injection', () => {
  it('answers an injected status with a ClerkErrors body by default, on /v1 and legacy paths alike', async () => {
    emulator.fault('GET /v1/jwks', { status: 503 });
    for (const path of ['/v1/jwks', '/jwks']) {
      const res = await jwks(path);
      expect(res.status).toBe(503);
      expect(obj(await res.json()).errors[0].code).toBe('internal_clerk_error');
    }
    emulator.fault('GET /v1/sessions/:session_id', { status: 404 });
    const res = await bapi(emulator, 'GET', '/v1/sessions/sess_x');
    expectMatchesSpec('GET', '/v1/sessions/:session_id', 404, res.body);
  });

  it('answers an injected status with the given body and headers, before checking auth', async () => {
    emulator.fault('POST /v1/api_keys/verify', {
      status: 429,
      body: { errors: [{ message: 'slow down', long_message: 'slow down', code: 'too_many_requests' }] },
      headers: { 'Retry-After': '7' },
    });
    const res = await bapi(emulator, 'POST', '/v1/api_keys/verify', { bearer: null, body: { secret: 'ak_x' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(obj(res.body).errors[0].message).toBe('slow down');

    emulator.fault('GET /.well-known/jwks.json', { status: 500, body: 'upstream exploded' });
    const text = await fetch(`${emulator.url}/.well-known/jwks.json`);
    expect(text.status).toBe(500);
    expect(await text.text()).toBe('upstream exploded');
  });

  it('applies a fault the given number of times, then answers normally', async () => {
    emulator.fault('GET /v1/jwks', { status: 502, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await jwks(i % 2 === 0 ? '/v1/jwks' : '/jwks')).status);
    expect(statuses).toEqual([502, 502, 200]);
    expect(emulator.requestCount('GET /v1/jwks')).toBe(3);
  });

  it('delays the normal answer', async () => {
    emulator.fault('GET /v1/jwks', { delayMs: 150, times: 1 });
    const started = performance.now();
    const res = await jwks();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(emulator.jwks());
  });

  it('delays, then answers the injected status', async () => {
    emulator.fault('POST /v1/m2m_tokens/verify', { delayMs: 100, status: 504 });
    const started = performance.now();
    const res = await bapi(emulator, 'POST', '/v1/m2m_tokens/verify', { body: { token: 'mt_x' } });
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(res.status).toBe(504);
  });

  it('answers 200 with a body that is not JSON when malformed', async () => {
    emulator.fault('GET /v1/jwks', { malformed: true });
    const res = await jwks();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });

  it('drops the connection without answering', async () => {
    emulator.fault('GET /v1/jwks', { drop: true, times: 1 });
    await expect(jwks()).rejects.toThrow(/fetch failed/);
    expect(emulator.requestCount('GET /v1/jwks')).toBe(1);
    expect((await jwks()).status).toBe(200);
  });

  it('clears one route or all faults', async () => {
    emulator.fault('GET /v1/jwks', { status: 500 });
    emulator.fault('GET /.well-known/jwks.json', { status: 500 });
    emulator.clearFaults('GET /v1/jwks');
    expect((await jwks()).status).toBe(200);
    expect((await fetch(`${emulator.url}/.well-known/jwks.json`)).status).toBe(500);
    emulator.clearFaults();
    expect((await fetch(`${emulator.url}/.well-known/jwks.json`)).status).toBe(200);
    emulator.fault('GET /v1/jwks', { status: 500, times: 0 });
    expect((await jwks()).status).toBe(200);
  });

  it('injects faults on every route id', async () => {
    const samples: Record<ClerkEmulatorRoute, string> = {
      'GET /v1/jwks': '/v1/jwks',
      'GET /.well-known/jwks.json': '/.well-known/jwks.json',
      'POST /v1/sessions': '/sessions',
      'GET /v1/sessions/:session_id': '/sessions/sess_1',
      'POST /v1/sessions/:session_id/revoke': '/v1/sessions/sess_1/revoke',
      'POST /v1/sessions/:session_id/tokens': '/v1/sessions/sess_1/tokens',
      'POST /v1/sessions/:session_id/tokens/:template_name': '/v1/sessions/sess_1/tokens/tpl',
      'POST /v1/sessions/:session_id/refresh': '/sessions/sess_1/refresh',
      'POST /v1/api_keys': '/v1/api_keys',
      'POST /v1/api_keys/verify': '/api_keys/verify',
      'POST /v1/api_keys/:apiKeyID/revoke': '/v1/api_keys/ak_1/revoke',
      'POST /v1/m2m_tokens': '/m2m_tokens',
      'POST /v1/m2m_tokens/verify': '/v1/m2m_tokens/verify',
      'POST /v1/m2m_tokens/:m2m_token_id/revoke': '/m2m_tokens/mt_1/revoke',
      'POST /v1/oauth_applications/access_tokens/verify': '/oauth_applications/access_tokens/verify',
      'GET /v1/clients/handshake_payload': '/clients/handshake_payload?nonce=n',
      'GET /v1/client/handshake': '/v1/client/handshake?redirect_url=http%3A%2F%2Flocalhost%2F',
      'POST /v1/dev_browser': '/v1/dev_browser',
      'GET /__emulator/sign-in': '/__emulator/sign-in?user_id=user_1',
      'GET /__emulator/sign-out': '/__emulator/sign-out',
    };
    expect(Object.keys(samples).sort()).toEqual([...CLERK_EMULATOR_ROUTES].sort());
    for (const route of CLERK_EMULATOR_ROUTES) {
      emulator.fault(route, { status: 418, times: 1 });
      const method = route.split(' ')[0] as string;
      const res = await fetch(`${emulator.url}${samples[route]}`, { method });
      expect(res.status, route).toBe(418);
      expect(emulator.requestCount(route), route).toBe(1);
    }
  });
});

describe('request log', () => {
  it('records route, method, path, headers and the parsed JSON body', async () => {
    await bapi(emulator, 'POST', '/api_keys/verify', { body: { secret: 'ak_logged' }, headers: { 'x-trace': 'abc' } });
    await bapi(emulator, 'GET', '/v1/jwks');
    expect(emulator.requests).toHaveLength(2);
    const [first] = emulator.requests;
    expect(first).toMatchObject({
      route: 'POST /v1/api_keys/verify',
      method: 'POST',
      path: '/api_keys/verify',
      body: { secret: 'ak_logged' },
    });
    expect(first?.headers).toMatchObject({
      authorization: `Bearer ${emulator.secretKey}`,
      'x-trace': 'abc',
      'content-type': 'application/json',
    });
    expect(first?.headers).not.toHaveProperty('cookie');
    expect(emulator.requestCount('POST /v1/api_keys/verify')).toBe(1);
    expect(emulator.requestCount('GET /v1/jwks')).toBe(1);
    expect(emulator.requestCount('POST /v1/sessions')).toBe(0);
  });

  it('counts rejected and unmatched requests too', async () => {
    await bapi(emulator, 'GET', '/v1/jwks', { bearer: null });
    const missing = await bapi(emulator, 'GET', '/v1/no_such_resource');
    expect(missing.status).toBe(404);
    expect(obj(missing.body).errors[0].code).toBe('resource_not_found');
    expect(emulator.requestCount('GET /v1/jwks')).toBe(1);
    expect(emulator.requests.map((r) => r.route)).toEqual(['GET /v1/jwks', null]);
    emulator.resetCounts();
    expect(emulator.requests).toEqual([]);
    expect(emulator.requestCount('GET /v1/jwks')).toBe(0);
  });

  it('answers 404 in the ClerkErrors shape for unknown routes and methods', async () => {
    for (const [method, path] of [
      ['GET', '/v2/jwks'],
      ['DELETE', '/v1/sessions/sess_1'],
      ['POST', '/v1/jwks'],
      ['GET', '/'],
    ] as const) {
      const res = await bapi(emulator, method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expectMatchesSpec('GET', '/v1/sessions/:session_id', 404, res.body);
    }
  });
});

describe('keys', () => {
  it('rotates keys, keeping the previous one by default', async () => {
    const { session } = await emulator.createSession();
    const oldKid = emulator.kid;
    const oldToken = await emulator.createSessionToken(session.id);
    const newKid = await emulator.rotateKeys();
    expect(newKid).not.toBe(oldKid);
    expect(emulator.kid).toBe(newKid);
    expect(emulator.jwks().keys.map((k) => k.kid)).toEqual([newKid, oldKid]);
    const served = await bapi(emulator, 'GET', '/v1/jwks');
    expectMatchesSpec('GET', '/v1/jwks', 200, served.body);
    expect(obj(served.body).keys.map((k: { kid: string }) => k.kid)).toEqual([newKid, oldKid]);

    const newToken = await emulator.createSessionToken(session.id);
    expect(decodeProtectedHeader(newToken).kid).toBe(newKid);
    const set = createLocalJWKSet(emulator.jwks());
    await jwtVerify(oldToken, set);
    await jwtVerify(newToken, set);

    const latest = await emulator.rotateKeys({ keepPrevious: false });
    expect(emulator.jwks().keys.map((k) => k.kid)).toEqual([latest]);
    await expect(jwtVerify(newToken, createLocalJWKSet(emulator.jwks()))).rejects.toBeInstanceOf(
      errors.JWKSNoMatchingKey,
    );
  });

  it('signs arbitrary tokens with the instance key, a foreign key, a given key or none', async () => {
    const claims = { sub: 'user_1', exp: 4_102_444_800 };
    const set = createLocalJWKSet(emulator.jwks());

    const current = await emulator.signToken({
      claims,
      header: { cat: 'cl_B7d4PD111AAA', jku: 'https://evil.example/jwks' },
    });
    expect(decodeProtectedHeader(current)).toEqual({
      alg: 'RS256',
      kid: emulator.kid,
      typ: 'JWT',
      cat: 'cl_B7d4PD111AAA',
      jku: 'https://evil.example/jwks',
    });
    expect((await jwtVerify(current, set)).payload).toEqual(claims);

    const foreign = await emulator.signToken({ key: 'foreign', claims });
    expect(decodeProtectedHeader(foreign).kid).toBe(emulator.kid);
    await expect(jwtVerify(foreign, set)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);

    const other = await createTestKeyPair({ alg: 'ES256' });
    const es = await emulator.signToken({ key: other.privateKey, alg: 'ES256', claims });
    expect(decodeProtectedHeader(es).alg).toBe('ES256');

    const hmac = await emulator.signToken({ key: new TextEncoder().encode('x'.repeat(32)), alg: 'HS256', claims });
    expect(decodeProtectedHeader(hmac)).toMatchObject({ alg: 'HS256', kid: emulator.kid });

    const unsecured = await emulator.signToken({ alg: 'none', claims });
    expect(decodeProtectedHeader(unsecured)).toEqual({ alg: 'none' });
    expect(unsecured.endsWith('.')).toBe(true);

    const crit = await emulator.signToken({ claims, header: { crit: ['exp_policy'], exp_policy: 'strict' } });
    expect(decodeProtectedHeader(crit).crit).toEqual(['exp_policy']);
  });
});

describe('lifecycle', () => {
  it('listens on 127.0.0.1 only, and close() frees the port and keep-alive connections', async () => {
    const local = await createClerkEmulator();
    expect(new URL(local.url).hostname).toBe('127.0.0.1');
    // a keep-alive connection is open when closing
    expect((await fetch(`${local.url}/.well-known/jwks.json`)).status).toBe(200);
    local.fault('GET /v1/jwks', { delayMs: 10_000 });
    const pending = fetch(`${local.url}/v1/jwks`, { headers: { authorization: `Bearer ${local.secretKey}` } }).catch(
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await local.close();
    await local.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await pending;
    await expect(fetch(`${local.url}/.well-known/jwks.json`)).rejects.toThrow();
  });

  it('listens on a requested port', async () => {
    const probe = await createClerkEmulator();
    const { port } = new URL(probe.url);
    await probe.close();
    const fixed = await createClerkEmulator({ port: Number(port) });
    try {
      expect(fixed.url).toBe(`http://127.0.0.1:${port}`);
    } finally {
      await fixed.close();
    }
  });
});

import { createLocalJWKSet, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';

import { cookieSuffix, createPublishableKey, createTestKeyPair, signTestToken } from '../../src/testing/index.js';

describe('createTestKeyPair', () => {
  it('generates an RS256 key pair whose PEM and JWK verify tokens it signs', async () => {
    const keyPair = await createTestKeyPair();
    expect(keyPair.alg).toBe('RS256');
    expect(keyPair.publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n?$/);
    expect(keyPair.publicJwk).toMatchObject({ kty: 'RSA', kid: keyPair.kid, alg: 'RS256', use: 'sig', e: 'AQAB' });
    expect(keyPair.publicJwk).not.toHaveProperty('d');
    expect(Buffer.from(keyPair.publicJwk.n as string, 'base64url').length).toBe(256);

    const token = await signTestToken({ keyPair, claims: { sub: 'user_1', exp: 4_102_444_800 } });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: keyPair.kid, typ: 'JWT' });
    const fromPem = await jwtVerify(token, await importSPKI(keyPair.publicPem, 'RS256'));
    expect(fromPem.payload).toEqual({ sub: 'user_1', exp: 4_102_444_800 });
    await jwtVerify(token, createLocalJWKSet({ keys: [keyPair.publicJwk] }));
  });

  it('honours kid, algorithm and modulus length', async () => {
    const ec = await createTestKeyPair({ alg: 'ES256', kid: 'ec-key' });
    expect(ec.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'ec-key', alg: 'ES256' });
    const token = await signTestToken({ keyPair: ec, claims: { sub: 'x' }, header: { cat: 'cl_B7d4PD111AAA' } });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: 'ec-key', typ: 'JWT', cat: 'cl_B7d4PD111AAA' });

    const big = await createTestKeyPair({ modulusLength: 3072 });
    expect(Buffer.from(big.publicJwk.n as string, 'base64url').length).toBe(384);
  });

  it('uses the RFC 7638 thumbprint as the default kid', async () => {
    const a = await createTestKeyPair();
    const b = await createTestKeyPair();
    expect(a.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.kid).not.toBe(b.kid);
  });
});

describe('publishable keys and cookie suffixes', () => {
  it('encodes the Frontend API host with a trailing $ in standard base64', () => {
    expect(createPublishableKey('clerk.clerk.dev', 'live')).toBe('pk_live_Y2xlcmsuY2xlcmsuZGV2JA==');
    expect(createPublishableKey('127.0.0.1:8080')).toBe(`pk_test_${btoa('127.0.0.1:8080$')}`);
    expect(atob(createPublishableKey('127.0.0.1:54321').slice('pk_test_'.length))).toBe('127.0.0.1:54321$');
  });

  it('derives the cookie suffix from SHA-1 of the publishable key (Clerk vectors)', async () => {
    expect(await cookieSuffix('pk_live_Y2xlcmsuY2xlcmsuZGV2JA')).toBe('1Z8AzTQD');
    expect(await cookieSuffix('pk_test_Y2xlcmsuY2xlcmsuZGV2JA')).toBe('QvfNY2dr');
  });
});

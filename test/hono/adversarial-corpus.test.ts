/**
 * A corpus of signed and malformed tokens replayed over real HTTP against a Hono app built with
 * clerkMiddleware + requireAuth, pointed by apiUrl at a minimal fake Backend API that is not the
 * emulator (keys without alg/use, a 4096-bit key, its own issuer host): verdicts must not depend
 * on emulator specifics. Each entry is sent as a Bearer header and as a __session cookie.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { CompactSign, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clerkMiddleware, getAuth, requireAuth } from '../../src/hono/index.js';
import { TEST_ENV } from '../support/fixtures.js';

const ISSUER = 'https://clerk.corpus.test';
const PUBLISHABLE_KEY = `pk_test_${btoa('clerk.corpus.test$')}`;
const SECRET_KEY = 'sk_test_corpus_secret';
/** Seconds now, read when a token is made (key generation alone takes seconds). */
const nowSeconds = () => Math.floor(Date.now() / 1000);

let backend: Server;
let app: ReturnType<typeof serve>;
let appUrl: string;
let jwksCalls = 0;
const keys: Record<'a' | 'b' | 'foreign', { privateKey: CryptoKey; jwk: JWK }> = {} as never;

const b64 = (value: string) => btoa(value).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const claims = (overrides: Record<string, unknown> = {}) => {
  const now = nowSeconds();
  return {
    sub: 'user_corpus',
    sid: 'sess_corpus',
    iss: ISSUER,
    iat: now - 5,
    nbf: now - 10,
    exp: now + 120,
    v: 2,
    ...overrides,
  };
};

/** Signs by hand with WebCrypto, for headers jose's signer itself refuses to produce (unknown crit, alg/key mismatch). */
async function signRaw(header: Record<string, unknown>, payload: string, key: CryptoKey): Promise<string> {
  const input = `${b64(JSON.stringify(header))}.${b64(payload)}`;
  const signature = new Uint8Array(await crypto.subtle.sign(key.algorithm, key, new TextEncoder().encode(input)));
  return `${input}.${b64(String.fromCharCode(...signature))}`;
}

async function sign(
  overrides: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  key: 'a' | 'b' | 'foreign' = 'a',
) {
  const kid = key === 'foreign' ? 'kid_a' : `kid_${key}`;
  return new SignJWT(claims(overrides))
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT', ...header } as never)
    .sign(keys[key].privateKey);
}

beforeAll(async () => {
  for (const [name, modulusLength] of [
    ['a', 2048],
    ['b', 4096],
    ['foreign', 2048],
  ] as const) {
    const pair = await generateKeyPair('RS256', { modulusLength, extractable: true });
    keys[name] = { privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid: `kid_${name}` } };
  }
  // The fake Backend API: only GET /v1/jwks, with the bearer check real Clerk does. No alg, no use.
  backend = createServer((request, response) => {
    if (request.url === '/v1/jwks' && request.headers.authorization === `Bearer ${SECRET_KEY}`) {
      jwksCalls++;
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [keys.a.jwk, keys.b.jwk] }));
    } else
      response
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"errors":[{"code":"authentication_invalid"}]}');
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;

  const hono = new Hono();
  hono.use(clerkMiddleware({ secretKey: SECRET_KEY, publishableKey: PUBLISHABLE_KEY, apiUrl, env: TEST_ENV }));
  hono.get('/protected', requireAuth(), (c) => c.json({ userId: getAuth(c).userId }));
  // Node refuses headers over 16 KB with 431 before any app code; raise it so oversized tokens reach clerk-edge.
  app = serve({ fetch: hono.fetch, hostname: '127.0.0.1', port: 0, serverOptions: { maxHeaderSize: 64 * 1024 } });
  await new Promise((resolve) => app.once('listening', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/protected`;
});

afterAll(async () => {
  await new Promise((resolve) => app.close(resolve));
  await new Promise((resolve) => backend.close(resolve));
});

type Entry = [name: string, token: () => Promise<string>, accepted: boolean];

const corpus: Entry[] = [
  ['a valid token (2048-bit key)', () => sign(), true],
  ['a valid token (4096-bit key)', () => sign({}, { kid: 'kid_b' }, 'b'), true],
  ['typ jwt in lower case', () => sign({}, { typ: 'jwt' }), true],
  ['no typ', () => sign({}, { typ: undefined }), true],
  ['expired 3 s ago (within skew)', () => sign({ exp: nowSeconds() - 3 }), true],
  ['expired a minute ago', () => sign({ exp: nowSeconds() - 60 }), false],
  ['nbf a minute ahead', () => sign({ nbf: nowSeconds() + 60 }), false],
  ['iat a minute ahead', () => sign({ iat: nowSeconds() + 60 }), false],
  ['no exp', () => sign({ exp: undefined }), false],
  ['no sub', () => sign({ sub: undefined }), false],
  ['empty sub', () => sign({ sub: '' }), false],
  ['object sub', () => sign({ sub: { id: 1 } }), false],
  ['string exp', () => sign({ exp: String(nowSeconds() + 60) }), false],
  ['wrong issuer', () => sign({ iss: 'https://evil.example' }), false],
  ['issuer with a trailing slash', () => sign({ iss: `${ISSUER}/` }), false],
  ['no issuer', () => sign({ iss: undefined }), false],
  ['signed by a foreign key under a known kid', () => sign({}, {}, 'foreign'), false],
  ['unknown kid', () => sign({}, { kid: 'kid_unknown' }), false],
  ['no kid', () => sign({}, { kid: undefined }), false],
  ['numeric kid', () => sign({}, { kid: 7 }), false],
  ['kid of key b but signed by key a', () => sign({}, { kid: 'kid_b' }, 'a'), false],
  ['an embedded jwk of the attacker', async () => sign({}, { jwk: keys.foreign.jwk, kid: 'kid_a' }, 'foreign'), false],
  ['jku pointing elsewhere', () => sign({}, { jku: 'http://127.0.0.1:1/jwks', kid: 'kid_a' }, 'foreign'), false],
  ['template category', () => sign({}, { cat: 'cl_B7d4PD222AAA' }), false],
  ['M2M category', () => sign({}, { cat: 'cl_B7d4PD333AAA' }), false],
  ['machine subject', () => sign({ sub: 'mch_2xyz' }), false],
  ['typ at+jwt', () => sign({}, { typ: 'at+jwt' }), false],
  ['typ JOSE', () => sign({}, { typ: 'JOSE' }), false],
  [
    'crit exp',
    () => signRaw({ alg: 'RS256', kid: 'kid_a', crit: ['exp'], exp: 1 }, JSON.stringify(claims()), keys.a.privateKey),
    false,
  ],
  ['pending session', () => sign({ sts: 'pending' }), false],
  [
    'alg none',
    async () => `${b64(JSON.stringify({ alg: 'none', kid: 'kid_a', typ: 'JWT' }))}.${b64(JSON.stringify(claims()))}.`,
    false,
  ],
  [
    'alg HS256 keyed with the public key',
    async () => {
      const secret = new TextEncoder().encode(JSON.stringify(keys.a.jwk));
      return new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'kid_a' }).sign(secret);
    },
    false,
  ],
  [
    'alg RS512 naming a known kid',
    async () =>
      new SignJWT(claims())
        .setProtectedHeader({ alg: 'RS512', kid: 'kid_a' })
        .sign((await generateKeyPair('RS512')).privateKey),
    false,
  ],
  [
    'alg PS256 naming a known kid',
    async () =>
      new SignJWT(claims())
        .setProtectedHeader({ alg: 'PS256', kid: 'kid_a' })
        .sign((await generateKeyPair('PS256')).privateKey),
    false,
  ],
  [
    'header alg RS512 over an RS256 signature by the right key',
    () => signRaw({ alg: 'RS512', kid: 'kid_a', typ: 'JWT' }, JSON.stringify(claims()), keys.a.privateKey),
    false,
  ],
  [
    'payload swapped after signing',
    async () => {
      const [header, , signature] = (await sign()).split('.');
      return `${header}.${b64(JSON.stringify(claims({ sub: 'user_admin' })))}.${signature}`;
    },
    false,
  ],
  ['signature stripped', async () => (await sign()).replace(/\.[^.]+$/, '.'), false],
  ['signature truncated', async () => (await sign()).slice(0, -10), false],
  ['a JWE-shaped token', async () => 'a.b.c.d.e', false],
  ['four segments', async () => `${await sign()}.extra`, false],
  [
    'non-JSON payload',
    async () =>
      new CompactSign(new TextEncoder().encode('not json'))
        .setProtectedHeader({ alg: 'RS256', kid: 'kid_a' })
        .sign(keys.a.privateKey),
    false,
  ],
  [
    'array payload',
    async () =>
      new CompactSign(new TextEncoder().encode('[1,2]'))
        .setProtectedHeader({ alg: 'RS256', kid: 'kid_a' })
        .sign(keys.a.privateKey),
    false,
  ],
  [
    'infinite exp',
    async () =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(claims()).replace(/"exp":\d+/, '"exp":1e400')))
        .setProtectedHeader({ alg: 'RS256', kid: 'kid_a' })
        .sign(keys.a.privateKey),
    false,
  ],
  ['garbage', async () => 'not-a-token', false],
  ['a large token under the 16 KB cap', () => sign({ pad: 'x'.repeat(10_000) }), true],
  ['an oversized token', () => sign({ pad: 'x'.repeat(13_000) }), false],
];

describe('adversarial corpus over HTTP against a separate fake Backend API', () => {
  it.each(corpus)('%s', async (_, makeToken, accepted) => {
    const token = await makeToken();
    const viaHeader = await fetch(appUrl, { headers: { authorization: `Bearer ${token}` } });
    const viaCookie = await fetch(appUrl, {
      headers: { cookie: `__session=${token}; __client_uat=${nowSeconds() - 60}` },
    });
    for (const response of [viaHeader, viaCookie]) {
      const body = await response.text();
      expect(response.status).toBe(accepted ? 200 : 401);
      if (accepted) expect(JSON.parse(body)).toEqual({ userId: 'user_corpus' });
      else expect(body).not.toContain(token.slice(0, 40));
    }
  });

  it('fetched the keys once for the whole corpus (plus one refetch for unknown kids per cooldown)', () => {
    expect(jwksCalls).toBeLessThanOrEqual(2);
  });
});

import { CompactSign, exportSPKI, generateKeyPair } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { createTestKeyPair, signTestToken } from '../../src/testing/index.js';
import { bearer, clerkFor, sessionClaims, withEmulator } from '../support/fixtures.js';

const ctx = withEmulator();
const NOW = 1_900_000_000; // a fixed clock, in seconds, for boundary tests

async function verdict(token: string, options: Parameters<typeof clerkFor>[1] = {}) {
  const state = await clerkFor(ctx.emulator, options).authenticateRequest(bearer(token));
  expect(state.message ?? '').not.toContain(token);
  return state;
}

async function sign(
  overrides: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  nowSeconds?: number,
) {
  return ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator, overrides, nowSeconds), header });
}

describe('session token verification against the emulator JWKS', () => {
  it('accepts a session token minted by the emulator and maps its claims', async () => {
    const { session } = await ctx.emulator.createSession({
      userId: 'user_42',
      orgId: 'org_1',
      orgRole: 'org:admin',
      orgPermissions: ['org:reports:read'],
    });
    const token = await ctx.emulator.createSessionToken(session.id);
    const state = await verdict(token);
    expect(state.status).toBe('signed-in');
    expect(state.reason).toBeNull();
    const auth = state.toAuth();
    expect(auth).toMatchObject({
      userId: 'user_42',
      sessionId: session.id,
      orgId: 'org_1',
      orgRole: 'org:admin',
      tokenType: 'session_token',
    });
    expect(auth.has({ permission: 'org:reports:read' })).toBe(true);
    expect(auth.has({ role: 'org:member' })).toBe(false);
  });

  it('rejects an expired token', async () => {
    const state = await verdict(await sign({ exp: NOW - 6, iat: NOW - 70, nbf: NOW - 80 }, {}, NOW), {
      now: () => NOW * 1000,
    });
    expect(state).toMatchObject({ status: 'signed-out', reason: 'token-expired' });
  });

  it('accepts a token expired by less than the clock skew, and rejects at the boundary', async () => {
    const clock = { now: () => NOW * 1000 };
    expect((await verdict(await sign({ exp: NOW - 4 }, {}, NOW - 60), clock)).status).toBe('signed-in');
    expect((await verdict(await sign({ exp: NOW - 5 }, {}, NOW - 60), clock)).reason).toBe('token-expired');
    expect(
      (await verdict(await sign({ exp: NOW - 5 }, {}, NOW - 60), { ...clock, clockSkewInMs: 10_000 })).status,
    ).toBe('signed-in');
  });

  it('rejects nbf beyond the skew and accepts it within', async () => {
    const clock = { now: () => NOW * 1000 };
    expect((await verdict(await sign({ nbf: NOW + 4 }, {}, NOW), clock)).status).toBe('signed-in');
    expect((await verdict(await sign({ nbf: NOW + 30 }, {}, NOW), clock)).reason).toBe('token-not-active-yet');
  });

  it('rejects iat in the future beyond the skew and accepts it within', async () => {
    const clock = { now: () => NOW * 1000 };
    expect((await verdict(await sign({ iat: NOW + 4, nbf: NOW - 1 }, {}, NOW), clock)).status).toBe('signed-in');
    expect((await verdict(await sign({ iat: NOW + 30, nbf: NOW - 1 }, {}, NOW), clock)).reason).toBe(
      'token-iat-in-the-future',
    );
  });

  it.each([
    ['no sub', { sub: undefined }],
    ['an empty sub', { sub: '' }],
    ['a numeric sub', { sub: 42 }],
    ['no exp', { exp: undefined }],
    ['a string exp', { exp: 'tomorrow' }],
  ])('rejects a token with %s', async (_, overrides) => {
    expect((await verdict(await sign(overrides))).reason).toBe('token-invalid-claims');
  });

  it.each([
    ['exp', 'token-invalid-claims'],
    ['iat', 'token-invalid-claims'],
    ['nbf', 'token-not-active-yet'],
  ])('rejects an infinite %s (1e400 in the signed JSON)', async (claim, reason) => {
    const keyPair = await createTestKeyPair({ kid: 'local' });
    const payload = JSON.stringify(sessionClaims(ctx.emulator, { [claim]: 1 })).replace(
      `"${claim}":1`,
      `"${claim}":1e400`,
    );
    const token = await new CompactSign(new TextEncoder().encode(payload))
      .setProtectedHeader({ alg: 'RS256', kid: 'local', typ: 'JWT' })
      .sign(keyPair.privateKey);
    const state = await verdict(token, { secretKey: undefined, jwtKey: keyPair.publicPem });
    expect(state.reason).toBe(reason);
  });

  it('rejects a tampered payload', async () => {
    const token = await sign();
    const [header, , signature] = token.split('.');
    const payload = btoa(JSON.stringify(sessionClaims(ctx.emulator, { sub: 'user_admin' })))
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
    expect((await verdict(`${header}.${payload}.${signature}`)).reason).toBe('token-invalid-signature');
  });

  it('rejects a token signed by a foreign key that names the instance kid', async () => {
    const token = await ctx.emulator.signToken({ key: 'foreign', claims: sessionClaims(ctx.emulator) });
    expect((await verdict(token)).reason).toBe('token-invalid-signature');
  });

  it('ignores embedded keys: a jwk header with its own kid is an unknown kid', async () => {
    const attacker = await createTestKeyPair({ kid: 'attacker' });
    const token = await signTestToken({
      keyPair: attacker,
      claims: sessionClaims(ctx.emulator),
      header: { jwk: attacker.publicJwk, jku: 'http://127.0.0.1:1/jwks', x5u: 'http://127.0.0.1:1/x' },
    });
    expect((await verdict(token)).reason).toBe('jwk-kid-mismatch');
  });

  it('ignores embedded keys: a jwk header naming the instance kid still fails the signature', async () => {
    const attacker = await createTestKeyPair({ kid: ctx.emulator.kid });
    const token = await signTestToken({
      keyPair: attacker,
      claims: sessionClaims(ctx.emulator),
      header: { jwk: attacker.publicJwk },
    });
    expect((await verdict(token)).reason).toBe('token-invalid-signature');
  });

  it('rejects a token without kid', async () => {
    const token = await ctx.emulator.signToken({ claims: sessionClaims(ctx.emulator), header: { kid: undefined } });
    expect((await verdict(token)).reason).toBe('jwk-kid-missing');
  });

  it('rejects alg none', async () => {
    const token = await ctx.emulator.signToken({ alg: 'none', claims: sessionClaims(ctx.emulator) });
    expect((await verdict(token)).reason).toBe('token-invalid-algorithm');
  });

  it('rejects HMAC algorithm confusion with the public key as the secret', async () => {
    const jwk = ctx.emulator.jwks().keys[0]!;
    const token = await ctx.emulator.signToken({
      alg: 'HS256',
      key: new TextEncoder().encode(JSON.stringify(jwk)),
      claims: sessionClaims(ctx.emulator),
    });
    expect((await verdict(token)).reason).toBe('token-invalid-algorithm');
  });

  it('rejects an algorithm outside the allowlist', async () => {
    const { privateKey } = await generateKeyPair('RS512');
    const token = await ctx.emulator.signToken({ alg: 'RS512', key: privateKey, claims: sessionClaims(ctx.emulator) });
    expect((await verdict(token)).reason).toBe('token-invalid-algorithm');
  });

  it('rejects a key whose type does not match the algorithm', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await ctx.emulator.signToken({ alg: 'ES256', key: privateKey, claims: sessionClaims(ctx.emulator) });
    expect((await verdict(token, { algorithms: ['RS256', 'ES256'] })).reason).toBe('jwk-alg-mismatch');
  });

  it.each([
    ['at+jwt', 'token-type-mismatch'],
    ['JOSE+JSON', 'token-invalid-type'],
  ])('rejects typ %s', async (typ, reason) => {
    expect((await verdict(await sign({}, { typ }))).reason).toBe(reason);
  });

  it('accepts typ JWT and an absent typ', async () => {
    expect((await verdict(await sign({}, { typ: 'JWT' }))).status).toBe('signed-in');
    expect((await verdict(await sign({}, { typ: undefined }))).status).toBe('signed-in');
  });

  it.each([
    ['a JWT template token', 'cl_B7d4PD222AAA'],
    ['an M2M token', 'cl_B7d4PD333AAA'],
  ])('never accepts %s as a session', async (_, cat) => {
    expect((await verdict(await sign({}, { cat }))).reason).toBe('token-type-mismatch');
  });

  it('refuses a template token minted through the sessions endpoint', async () => {
    const { session } = await ctx.emulator.createSession();
    const token = await ctx.emulator.createSessionToken(session.id, { template: 'supabase' });
    expect((await verdict(token)).reason).toBe('token-type-mismatch');
  });

  it('refuses critical headers it does not understand', async () => {
    expect((await verdict(await sign({}, { crit: ['exp'], exp: 1 }))).reason).toBe('token-unsupported-critical-header');
  });

  it('refuses tokens larger than 16 KB before any crypto', async () => {
    ctx.emulator.resetCounts();
    const state = await clerkFor(ctx.emulator).authenticateRequest(bearer(await sign({ padding: 'x'.repeat(17_000) })));
    expect(state.reason).toBe('token-too-large');
    expect(ctx.emulator.requests).toHaveLength(0);
  });

  it('refuses an oversized token before decoding anything, by header and by cookie', async () => {
    const decode = vi.spyOn(JSON, 'parse');
    const huge = `${'e'.repeat(20_000)}.e30.sig`;
    expect((await verdict(huge)).reason).toBe('token-too-large');
    const cookie = new Request('http://app.test/', { headers: { cookie: `__session=${huge}; __client_uat=1` } });
    expect((await clerkFor(ctx.emulator).authenticateRequest(cookie)).reason).toBe('token-too-large');
    expect(decode).not.toHaveBeenCalled();
    decode.mockRestore();
  });

  it.each([
    ['three dots of nothing', '..'],
    ['bad base64 header', '!!!.eyJ9.sig'],
    ['a JSON array header', `${btoa('[1]')}.${btoa('{}')}.c2ln`],
    ['two segments', 'eyJhbGciOiJSUzI1NiJ9.e30'],
  ])('rejects a malformed token: %s', async (_, token) => {
    expect(['token-malformed']).toContain((await verdict(token)).reason);
  });

  it('rejects a wrong or missing issuer', async () => {
    expect((await verdict(await sign({ iss: 'https://evil.example' }))).reason).toBe('token-invalid-issuer');
    expect((await verdict(await sign({ iss: undefined }))).reason).toBe('token-invalid-issuer');
    expect(
      (await verdict(await sign({ iss: 'https://evil.example' }), { issuer: 'https://evil.example' })).status,
    ).toBe('signed-in');
  });

  it('checks azp against authorized parties', async () => {
    const parties = { authorizedParties: ['https://app.example'] };
    expect((await verdict(await sign({ azp: 'https://app.example' }), parties)).status).toBe('signed-in');
    expect((await verdict(await sign({ azp: 'https://evil.example' }), parties)).reason).toBe(
      'token-invalid-authorized-parties',
    );
    expect((await verdict(await sign({ azp: 'https://evil.example' }))).status).toBe('signed-in');
  });

  it('rejects a missing azp when authorized parties are set, unless told to allow it', async () => {
    const parties = { authorizedParties: ['https://app.example'] };
    expect((await verdict(await sign(), parties)).reason).toBe('token-invalid-authorized-parties');
    expect((await verdict(await sign(), { ...parties, missingAuthorizedParty: 'allow' })).status).toBe('signed-in');
  });

  it('checks aud only when an audience is configured', async () => {
    expect((await verdict(await sign({ aud: 'other' }), { audience: 'mine' })).reason).toBe('token-invalid-audience');
    expect((await verdict(await sign({ aud: ['x', 'mine'] }), { audience: 'mine' })).status).toBe('signed-in');
    expect((await verdict(await sign({ aud: 'other' }))).status).toBe('signed-in');
  });

  it('refuses a token without aud when an audience is configured (stricter than Clerk, which skips the check)', async () => {
    expect((await verdict(await sign(), { audience: 'mine' })).reason).toBe('token-invalid-audience');
  });

  it('never turns the azp check off for a list holding only an empty entry: creation throws', async () => {
    expect(() => clerkFor(ctx.emulator, { authorizedParties: [''] })).toThrow(/authorizedParties/);
  });

  it('treats pending sessions as signed out unless told otherwise', async () => {
    const token = await sign({ sts: 'pending' });
    expect((await verdict(token)).reason).toBe('session-pending');
    expect((await verdict(token, { treatPendingAsSignedOut: false })).status).toBe('signed-in');
  });

  it('accepts tokens from every key in the JWKS after a rotation', async () => {
    const oldToken = await sign();
    await ctx.emulator.rotateKeys({ keepPrevious: true });
    const newToken = await sign();
    const clerk = clerkFor(ctx.emulator);
    expect((await clerk.authenticateRequest(bearer(oldToken))).status).toBe('signed-in');
    expect((await clerk.authenticateRequest(bearer(newToken))).status).toBe('signed-in');
  });

  it('never echoes the token or the secret key in messages', async () => {
    const token = await sign({ exp: 1 });
    const state = await verdict(token);
    expect(JSON.stringify({ ...state, headers: [...state.headers] })).not.toContain(token);
    expect(JSON.stringify({ ...state, headers: [...state.headers] })).not.toContain(ctx.emulator.secretKey);
  });
});

describe('networkless verification with jwtKey', () => {
  it('verifies with a PEM SPKI key of any RSA size and makes no request', async () => {
    for (const modulusLength of [2048, 4096]) {
      const keyPair = await createTestKeyPair({ modulusLength, kid: `k${modulusLength}` });
      const token = await signTestToken({ keyPair, claims: sessionClaims(ctx.emulator) });
      ctx.emulator.resetCounts();
      const clerk = clerkFor(ctx.emulator, { secretKey: undefined, jwtKey: keyPair.publicPem });
      expect((await clerk.authenticateRequest(bearer(token))).status).toBe('signed-in');
      expect(ctx.emulator.requests).toHaveLength(0);
    }
  });

  it('verifies with a JWK and checks its kid', async () => {
    const keyPair = await createTestKeyPair({ kid: 'local' });
    const clerk = clerkFor(ctx.emulator, { secretKey: undefined, jwtKey: JSON.stringify(keyPair.publicJwk) });
    expect(
      (await clerk.authenticateRequest(bearer(await signTestToken({ keyPair, claims: sessionClaims(ctx.emulator) }))))
        .status,
    ).toBe('signed-in');
    const other = await createTestKeyPair({ kid: 'other' });
    const wrongKid = await signTestToken({ keyPair: other, claims: sessionClaims(ctx.emulator) });
    expect((await clerk.authenticateRequest(bearer(wrongKid))).reason).toBe('jwk-kid-mismatch');
  });

  it('rejects a token signed by another key', async () => {
    const keyPair = await createTestKeyPair();
    const other = await createTestKeyPair();
    const clerk = clerkFor(ctx.emulator, {
      secretKey: undefined,
      jwtKey: await exportSPKI(keyPair.publicKey as CryptoKey),
    });
    expect(
      (
        await clerk.authenticateRequest(
          bearer(await signTestToken({ keyPair: other, claims: sessionClaims(ctx.emulator) })),
        )
      ).reason,
    ).toBe('token-invalid-signature');
  });
});

describe('Frontend API JWKS when only a publishable key is set', () => {
  it('fetches /.well-known/jwks.json from the Frontend API and verifies', async () => {
    ctx.emulator.resetCounts();
    const clerk = clerkFor(ctx.emulator, { secretKey: undefined, frontendApiUrl: ctx.emulator.frontendApiUrl });
    expect((await clerk.authenticateRequest(bearer(await sign()))).status).toBe('signed-in');
    expect(ctx.emulator.requestCount('GET /.well-known/jwks.json')).toBe(1);
    expect(ctx.emulator.requestCount('GET /v1/jwks')).toBe(0);
  });
});

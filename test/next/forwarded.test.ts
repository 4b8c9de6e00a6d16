import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { createClerkAuth } from '../../src/core/authenticate.js';
import { sessionAuthObject } from '../../src/core/claims.js';
import type { ClerkEdgeOptions } from '../../src/core/config.js';
import { machineAuthObject } from '../../src/core/machine.js';
import { notSignedIn, signedIn, type RequestState } from '../../src/core/state.js';
import {
  credentialHash,
  FORWARDED_AUTH_HEADER,
  FORWARDED_SIGNATURE_HEADER,
  type ForwardingSecret,
  forwardingKey,
  forwardingScope,
  forwardingSecret,
  readForwardedState,
  signForwardedState,
} from '../../src/next/forwarded.js';

const SECRET = 'sk_test_forwardedStateSecretKey0123456789';
const SUFFIX = 'AbCdEfGh';
const NOW = 1_800_000_000_000;
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJl';
const PUBLISHABLE_KEY = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k';

/** The signing material of an app with this configuration (on top of SECRET and PUBLISHABLE_KEY). */
function secretOf(options: ClerkEdgeOptions = {}): ForwardingSecret {
  const { config } = createClerkAuth({ secretKey: SECRET, publishableKey: PUBLISHABLE_KEY, env: {}, ...options });
  return forwardingSecret({ ...config, secretKey: config.secretKey! });
}
const APP = secretOf();

const session = signedIn(
  sessionAuthObject({
    sub: 'user_1',
    sid: 'sess_1',
    iat: 1_799_999_990,
    exp: 1_800_000_060,
    v: 2,
    o: { id: 'org_1', rol: 'admin', slg: 'acme' },
  }),
);

async function signedFor(
  requestHeaders: Headers,
  state: RequestState = session,
  options: { secret?: ForwardingSecret; now?: number; ttlSeconds?: number } = {},
) {
  const signed = await signForwardedState(state, {
    ...(options.secret ?? APP),
    credentialHash: await credentialHash(requestHeaders, SUFFIX),
    now: options.now ?? NOW,
    ttlSeconds: options.ttlSeconds ?? 60,
  });
  const headers = new Headers(requestHeaders);
  for (const [name, value] of Object.entries(signed)) headers.set(name, value);
  return headers;
}

const read = (headers: Headers, overrides: { secret?: ForwardingSecret; now?: number } = {}) =>
  readForwardedState(headers, {
    ...(overrides.secret ?? APP),
    cookieSuffix: SUFFIX,
    now: overrides.now ?? NOW,
  });

describe('forwarded auth state', () => {
  it('round-trips a session: status, token type and the auth object with its has() checks', async () => {
    const forwarded = await read(await signedFor(new Headers({ authorization: `Bearer ${TOKEN}` })));
    expect(forwarded).toMatchObject({ status: 'signed-in', reason: null, tokenType: 'session_token' });
    expect(forwarded!.auth).toMatchObject({
      userId: 'user_1',
      sessionId: 'sess_1',
      orgId: 'org_1',
      orgRole: 'org:admin',
      orgSlug: 'acme',
    });
    expect(forwarded!.auth.has({ role: 'org:admin' })).toBe(true);
    expect(forwarded!.auth.has({ role: 'org:member' })).toBe(false);
  });

  it('round-trips a machine identity with its scope check', async () => {
    const machine = signedIn(
      machineAuthObject({
        tokenType: 'api_key',
        id: 'ak_id_1',
        subject: 'user_1',
        name: 'ci',
        scopes: ['write'],
        claims: null,
        userId: 'user_1',
        orgId: null,
        machineId: null,
        clientId: null,
      }),
    );
    const forwarded = await read(await signedFor(new Headers({ authorization: 'Bearer ak_secret' }), machine));
    expect(forwarded!.auth).toMatchObject({
      tokenType: 'api_key',
      id: 'ak_id_1',
      subject: 'user_1',
      scopes: ['write'],
      isAuthenticated: true,
    });
    expect((forwarded!.auth as { hasScope(scope: string): boolean }).hasScope('write')).toBe(true);
    expect((forwarded!.auth as { hasScope(scope: string): boolean }).hasScope('read')).toBe(false);
  });

  it('round-trips a signed-out state with its reason', async () => {
    const forwarded = await read(
      await signedFor(new Headers(), notSignedIn('signed-out', 'token-expired', 'session_token')),
    );
    expect(forwarded).toMatchObject({ status: 'signed-out', reason: 'token-expired', tokenType: 'session_token' });
    expect(forwarded!.auth.userId).toBeNull();
  });

  it('binds the state to the credential: the suffixed session cookie, the bearer token, or none', async () => {
    const cookie = new Headers({ cookie: `__session_${SUFFIX}=${TOKEN}; __client_uat_${SUFFIX}=1` });
    expect(await read(await signedFor(cookie))).toBeDefined();

    const headers = await signedFor(new Headers({ authorization: `Bearer ${TOKEN}` }));
    headers.set('authorization', 'Bearer another.token.value');
    expect(await read(headers)).toBeUndefined();
    headers.delete('authorization');
    expect(await read(headers)).toBeUndefined();

    const noCredential = await signedFor(new Headers());
    noCredential.set('cookie', `__session_${SUFFIX}=${TOKEN}; __client_uat_${SUFFIX}=1`);
    expect(await read(noCredential)).toBeUndefined();
  });

  it('refuses a state whose payload was altered by one character', async () => {
    const headers = await signedFor(new Headers());
    const value = headers.get(FORWARDED_AUTH_HEADER)!;
    const altered = value.slice(0, 10) + (value[10] === 'A' ? 'B' : 'A') + value.slice(11);
    headers.set(FORWARDED_AUTH_HEADER, altered);
    expect(await read(headers)).toBeUndefined();
  });

  it('refuses a state signed with another secret key, and one with no or a malformed signature', async () => {
    expect(
      await read(await signedFor(new Headers(), session, { secret: { ...APP, secretKey: 'sk_test_someoneElse' } })),
    ).toBeUndefined();
    const headers = await signedFor(new Headers());
    headers.set(FORWARDED_SIGNATURE_HEADER, 'not base64url!');
    expect(await read(headers)).toBeUndefined();
    headers.set(FORWARDED_SIGNATURE_HEADER, 'AAAA');
    expect(await read(headers)).toBeUndefined();
    headers.delete(FORWARDED_SIGNATURE_HEADER);
    expect(await read(headers)).toBeUndefined();
  });

  it("expires with the token: never later than the session's exp, whatever the TTL", async () => {
    // The session's exp is NOW + 60 s.
    const headers = await signedFor(new Headers(), session, { ttlSeconds: 600 });
    expect(await read(headers, { now: NOW + 59_999 })).toBeDefined();
    expect(await read(headers, { now: NOW + 60_000 })).toBeUndefined();
  });

  it("expires with a machine token's exp claim too", async () => {
    const machine = signedIn(
      machineAuthObject({
        tokenType: 'm2m_token',
        id: 'mt_1',
        subject: 'mch_1',
        name: null,
        scopes: [],
        claims: { sub: 'mch_1', exp: NOW / 1000 + 10 },
        userId: null,
        orgId: null,
        machineId: 'mch_1',
        clientId: null,
      }),
    );
    const headers = await signedFor(new Headers({ authorization: `Bearer ${TOKEN}` }), machine, { ttlSeconds: 600 });
    expect(await read(headers, { now: NOW + 9_999 })).toMatchObject({ tokenType: 'm2m_token' });
    expect(await read(headers, { now: NOW + 10_000 })).toBeUndefined();
  });

  it('is refused by an app of the same instance whose verification configuration differs', async () => {
    const app1 = secretOf({ authorizedParties: ['https://app1.example', 'https://www.app1.example'] });
    const headers = await signedFor(new Headers(), session, { secret: app1 });
    expect(await read(headers, { secret: app1 })).toBeDefined();
    // The same configuration written in another order is the same configuration.
    const reordered = secretOf({ authorizedParties: ['https://www.app1.example', 'https://app1.example'] });
    expect(await read(headers, { secret: reordered })).toBeDefined();
    const others: ClerkEdgeOptions[] = [
      {},
      { authorizedParties: ['https://app2.example'] },
      { authorizedParties: ['https://app1.example', 'https://www.app1.example'], missingAuthorizedParty: 'allow' },
      { authorizedParties: ['https://app1.example', 'https://www.app1.example'], audience: 'api' },
      { authorizedParties: ['https://app1.example', 'https://www.app1.example'], algorithms: ['RS256', 'ES256'] },
      { authorizedParties: ['https://app1.example', 'https://www.app1.example'], issuer: 'https://auth.app1.example' },
      { authorizedParties: ['https://app1.example', 'https://www.app1.example'], clockSkewInMs: 60_000 },
      {
        authorizedParties: ['https://app1.example', 'https://www.app1.example'],
        machineSecretKey: 'ak_otherMachineSecret',
      },
    ];
    for (const options of others)
      expect([options, await read(headers, { secret: secretOf(options) })]).toEqual([options, undefined]);
  });

  it('derives its key from a scope that holds no secret', () => {
    const scope = forwardingScope(
      createClerkAuth({ secretKey: SECRET, publishableKey: PUBLISHABLE_KEY, env: {} }).config,
    );
    expect(scope).not.toContain(SECRET);
    expect(JSON.parse(scope)).toMatchObject({ authorizedParties: [], algorithms: ['RS256'], audience: null });
  });

  it('refuses an expired state', async () => {
    const headers = await signedFor(new Headers(), session, { ttlSeconds: 30 });
    expect(await read(headers, { now: NOW + 29_999 })).toBeDefined();
    expect(await read(headers, { now: NOW + 30_000 })).toBeUndefined();
  });

  it('does not use the raw secret key as the MAC key', async () => {
    const headers = await signedFor(new Headers());
    const rawKey = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(SECRET),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const input = new TextEncoder().encode(`clerk-edge/next forwarded-auth v2.${headers.get(FORWARDED_AUTH_HEADER)}`);
    const withRaw = base64url.encode(new Uint8Array(await crypto.subtle.sign('HMAC', rawKey, input)));
    expect(withRaw).not.toBe(headers.get(FORWARDED_SIGNATURE_HEADER));
    const derived = await forwardingKey(APP);
    expect(derived.algorithm).toMatchObject({ name: 'HMAC' });
    expect(derived.extractable).toBe(false);
  });

  it('refuses a correctly signed payload of an unknown version or shape', async () => {
    const key = await forwardingKey(APP);
    const forge = async (payload: unknown) => {
      const value = base64url.encode(new TextEncoder().encode(JSON.stringify(payload)));
      const input = new TextEncoder().encode(`clerk-edge/next forwarded-auth v2.${value}`);
      const signature = base64url.encode(new Uint8Array(await crypto.subtle.sign('HMAC', key, input)));
      return new Headers({ [FORWARDED_AUTH_HEADER]: value, [FORWARDED_SIGNATURE_HEADER]: signature });
    };
    const h = await credentialHash(new Headers(), SUFFIX);
    const base = { v: 2, s: 'signed-in', r: null, t: 'session_token', c: { sub: 'user_1' }, h, e: NOW + 60_000 };
    expect((await read(await forge(base)))!.auth.userId).toBe('user_1');
    expect(await read(await forge({ ...base, v: 1 }))).toBeUndefined();
    expect(await read(await forge({ ...base, c: { sub: 'user_1', exp: NOW / 1000 } }))).toBeUndefined();
    expect(await read(await forge({ ...base, s: 'admin' }))).toBeUndefined();
    expect(await read(await forge({ ...base, t: 'root_token' }))).toBeUndefined();
    expect(await read(await forge({ ...base, e: 'tomorrow' }))).toBeUndefined();
    const noClaims = await read(await forge({ ...base, c: { sub: '' } }));
    expect(noClaims).toMatchObject({ status: 'signed-out' });
    expect(noClaims!.auth.isAuthenticated).toBe(false);
  });
});

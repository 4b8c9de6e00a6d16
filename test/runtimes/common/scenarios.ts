/**
 * The core's and the Hono adapter's behaviour, runtime-agnostic: each scenario serves its own app
 * on the runtime's HTTP server and calls it over loopback, against the emulator over real HTTP.
 * The same list runs inside Bun and inside Deno (../bun/main.ts, ../deno/main.ts).
 */
import assert from 'node:assert/strict';
import { createClerkAuth } from 'clerk-edge';
import { createClerkEmulator } from 'clerk-edge/testing';
import {
  bearer,
  createApp,
  nowSeconds,
  optionsFor,
  type Scenario,
  type ScenarioContext,
  signedInUser,
  withServer,
} from './app.js';

const JWKS = 'GET /v1/jwks';
const REFRESH = 'POST /v1/sessions/:session_id/refresh';

async function json(response: Response): Promise<unknown> {
  return JSON.parse(await response.text());
}

async function expectRejection(response: Response, status: number, reason: string): Promise<void> {
  assert.equal(response.status, status, `expected ${status} ${reason}`);
  assert.deepEqual(await json(response), { error: status === 503 ? 'unavailable' : 'unauthorized', reason });
}

const sessionsAndCookies: Scenario[] = [
  {
    name: 'answers 401 with a WWW-Authenticate challenge when no token is sent',
    async run(context) {
      await withServer(context, createApp(optionsFor(context.emulator.info)), async (url) => {
        const response = await fetch(`${url}/me`);
        assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="clerk"');
        await expectRejection(response, 401, 'token-missing');
      });
    },
  },
  {
    name: 'signs in a session token sent as an Authorization bearer header',
    async run(context) {
      const user = await signedInUser(context.emulator, 'user_bearer');
      await withServer(context, createApp(optionsFor(context.emulator.info)), async (url) => {
        const response = await fetch(`${url}/me`, bearer(user.token));
        assert.equal(response.status, 200);
        assert.deepEqual(await json(response), {
          userId: 'user_bearer',
          sessionId: user.sessionId,
          orgId: 'org_rt',
          orgRole: 'org:admin',
        });
      });
    },
  },
  {
    name: 'signs in a session token sent in the suffixed session cookies',
    async run(context) {
      const { cookieSuffix } = context.emulator.info;
      const user = await signedInUser(context.emulator, 'user_cookie');
      const cookie = `__session_${cookieSuffix}=${user.token}; __client_uat_${cookieSuffix}=${nowSeconds() - 60}`;
      await withServer(context, createApp(optionsFor(context.emulator.info)), async (url) => {
        const response = await fetch(`${url}/me`, { headers: { cookie } });
        assert.equal(response.status, 200);
        assert.equal(((await json(response)) as { userId: string }).userId, 'user_cookie');
      });
    },
  },
  {
    name: 'rejects expired, forged and tampered session tokens with their reasons',
    async run(context) {
      const { emulator } = context;
      const user = await signedInUser(emulator, 'user_rejected');
      const now = nowSeconds();
      const expired = await emulator.createSessionToken(user.sessionId, { issuedAt: now - 120, expiresInSeconds: 60 });
      const claims = { sub: 'user_rejected', sid: user.sessionId, sts: 'active', v: 2, iss: emulator.info.issuer };
      const forged = await emulator.signToken({
        claims: { ...claims, iat: now, nbf: now - 10, exp: now + 60 },
        key: 'foreign',
      });
      const [header, , signature] = user.token.split('.');
      const payload = btoa(JSON.stringify({ ...claims, sub: 'user_admin', iat: now, nbf: now - 10, exp: now + 60 }));
      const tampered = `${header}.${payload.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.${signature}`;
      await withServer(context, createApp(optionsFor(emulator.info)), async (url) => {
        await expectRejection(await fetch(`${url}/me`, bearer(expired)), 401, 'token-expired');
        await expectRejection(await fetch(`${url}/me`, bearer(forged)), 401, 'token-invalid-signature');
        await expectRejection(await fetch(`${url}/me`, bearer(tampered)), 401, 'token-invalid-signature');
      });
    },
  },
  {
    name: 'refreshes an expired cookie session on a GET and sends the new session cookie',
    async run(context) {
      const { emulator } = context;
      const { cookieSuffix } = emulator.info;
      const { session, refreshToken } = await emulator.createSession({ userId: 'user_refresh' });
      const now = nowSeconds();
      const expired = await emulator.createSessionToken(session.id, { issuedAt: now - 120, expiresInSeconds: 60 });
      const cookie = `__session_${cookieSuffix}=${expired}; __client_uat_${cookieSuffix}=${now - 600}; __refresh_${cookieSuffix}=${refreshToken}`;
      await emulator.resetCounts();
      await withServer(context, createApp(optionsFor(emulator.info)), async (url) => {
        const response = await fetch(`${url}/me`, { headers: { cookie } });
        assert.equal(response.status, 200);
        assert.equal(((await json(response)) as { userId: string }).userId, 'user_refresh');
        const sessionCookies = response.headers
          .getSetCookie()
          .filter((line) => line.startsWith(`__session_${cookieSuffix}=`) || line.startsWith('__session='));
        assert.ok(sessionCookies.length >= 1, 'a new __session cookie is set');
        assert.ok(!sessionCookies.some((line) => line.includes(expired)), 'the new cookie is not the expired token');
      });
      assert.equal(await emulator.requestCount(REFRESH), 1);
    },
  },
];

const machineTokens: Scenario[] = [
  {
    name: 'accepts an API key with the write scope, refuses one without it and refuses it on a session route',
    async run(context) {
      const { emulator } = context;
      const writer = await emulator.createApiKey({ subject: 'user_ingest', scopes: ['write'] });
      const reader = await emulator.createApiKey({ subject: 'user_ingest', scopes: ['read'] });
      await withServer(context, createApp(optionsFor(emulator.info)), async (url) => {
        const accepted = await fetch(`${url}/ingest`, { method: 'POST', ...bearer(writer.secret) });
        assert.equal(accepted.status, 200);
        assert.deepEqual(await json(accepted), { by: 'user_ingest' });
        const forbidden = await fetch(`${url}/ingest`, { method: 'POST', ...bearer(reader.secret) });
        assert.equal(forbidden.status, 403);
        assert.deepEqual(await json(forbidden), { error: 'forbidden', reason: 'forbidden' });
        await expectRejection(await fetch(`${url}/me`, bearer(writer.secret)), 401, 'token-type-mismatch');
      });
    },
  },
  {
    name: 'accepts opaque and JWT M2M tokens on a route for machines',
    async run(context) {
      const { emulator } = context;
      const opaque = await emulator.createM2MToken();
      const jwt = await emulator.createM2MToken({ format: 'jwt' });
      await withServer(context, createApp(optionsFor(emulator.info)), async (url) => {
        for (const token of [opaque.token, jwt.token]) {
          const response = await fetch(`${url}/jobs`, bearer(token));
          assert.equal(response.status, 200);
          assert.deepEqual(await json(response), { machine: emulator.info.machineId });
        }
      });
    },
  },
];

const outages: Scenario[] = [
  {
    name: 'answers 503 with Retry-After, never 401, while the JWKS endpoint is down',
    async run(context) {
      const { emulator } = context;
      const user = await signedInUser(emulator, 'user_outage');
      await emulator.fault(JWKS, { status: 503 });
      try {
        await withServer(context, createApp(optionsFor(emulator.info)), async (url) => {
          const response = await fetch(`${url}/me`, bearer(user.token));
          assert.equal(response.headers.get('retry-after'), '5');
          await expectRejection(response, 503, 'jwks-unavailable');
        });
      } finally {
        await emulator.clearFaults();
      }
    },
  },
  {
    name: 'answers 503 while the API key verification endpoint is down',
    async run(context) {
      const { emulator } = context;
      const key = await emulator.createApiKey({ scopes: ['write'] });
      await emulator.fault('POST /v1/api_keys/verify', { status: 503 });
      try {
        await withServer(context, createApp(optionsFor(emulator.info)), async (url) => {
          const response = await fetch(`${url}/ingest`, { method: 'POST', ...bearer(key.secret) });
          await expectRejection(response, 503, 'backend-api-unavailable');
        });
      } finally {
        await emulator.clearFaults();
      }
    },
  },
];

const COLD_HERD = 12;

const caching: Scenario[] = [
  {
    name: `fetches the JWKS exactly once for ${COLD_HERD} concurrent requests on a cold cache`,
    async run(context) {
      const { emulator } = context;
      const users = await Promise.all([1, 2, 3].map((n) => signedInUser(emulator, `user_herd_${n}`)));
      await emulator.resetCounts();
      await withServer(context, createApp(optionsFor(emulator.info)), async (url) => {
        const responses = await Promise.all(
          Array.from({ length: COLD_HERD }, (_, i) => fetch(`${url}/me`, bearer(users[i % users.length]!.token))),
        );
        assert.deepEqual(
          responses.map((response) => response.status),
          Array.from({ length: COLD_HERD }, () => 200),
        );
      });
      assert.equal(await emulator.requestCount(JWKS), 1);
    },
  },
  {
    name: 'authenticates a plain Request with createClerkAuth, no framework',
    async run({ emulator }) {
      const user = await signedInUser(emulator, 'user_core');
      const clerk = createClerkAuth(optionsFor(emulator.info));
      const signedIn = await clerk.authenticateRequest(new Request('http://app.test/', bearer(user.token)));
      assert.equal(signedIn.status, 'signed-in');
      assert.equal(signedIn.toAuth().userId, 'user_core');
      const malformed = await clerk.authenticateRequest(
        new Request('http://app.test/', { headers: { authorization: 'Bearer a b' } }),
      );
      assert.equal(malformed.status, 'signed-out');
      assert.equal(malformed.reason, 'authorization-header-malformed');
    },
  },
];

const testingEntry: Scenario[] = [
  {
    name: 'runs clerk-edge/testing inside the runtime: its own emulator mints tokens the Hono app accepts',
    async run() {
      const local = await createClerkEmulator();
      try {
        const { session } = await local.createSession({ userId: 'user_local' });
        const token = await local.createSessionToken(session.id);
        const app = createApp({
          secretKey: local.secretKey,
          publishableKey: local.publishableKey,
          apiUrl: local.url,
          env: {},
        });
        const response = await app.request('/me', bearer(token));
        assert.equal(response.status, 200);
        assert.equal(((await json(response)) as { userId: string }).userId, 'user_local');
        assert.equal(local.requestCount(JWKS), 1);
      } finally {
        await local.close();
      }
    },
  },
];

// ─── The handshake redirect ────────────────────────────────────────────────────────────────
const page = (cookie?: string): RequestInit => ({
  redirect: 'manual',
  headers: { 'sec-fetch-dest': 'document', accept: 'text/html', ...(cookie ? { cookie } : {}) },
});

const handshake: Scenario[] = [
  {
    name: 'sends a page load with __client_uat and no __session through the Frontend API handshake, never an API call',
    async run(context) {
      const { info } = context.emulator;
      const cookie = `__client_uat_${info.cookieSuffix}=${nowSeconds() - 10}; __clerk_db_jwt=dvb_rt`;
      const app = createApp({ ...optionsFor(info), frontendApiUrl: info.url });
      await withServer(context, app, async (url) => {
        const response = await fetch(`${url}/me?x=1`, page(cookie));
        assert.equal(response.status, 307);
        const location = new URL(response.headers.get('location') ?? '');
        assert.equal(`${location.origin}${location.pathname}`, `${info.url}/v1/client/handshake`);
        assert.equal(location.searchParams.get('redirect_url'), `${url}/me?x=1`);
        assert.equal(location.searchParams.get('__clerk_hs_reason'), 'session-token-missing');
        assert.equal(location.searchParams.get('__clerk_db_jwt'), 'dvb_rt');
        assert.equal(response.headers.get('cache-control'), 'no-store');
        const api = await fetch(`${url}/me`, { redirect: 'manual', headers: { cookie, 'sec-fetch-dest': 'empty' } });
        await expectRejection(api, 401, 'session-token-missing');
      });
    },
  },
  {
    name: 'signs the handshake return trip in with the new Set-Cookies and redirects to the clean URL',
    async run(context) {
      const { info } = context.emulator;
      const app = createApp({ ...optionsFor(info), frontendApiUrl: info.url });
      await withServer(context, app, async (url) => {
        const signIn = new URL('/__emulator/sign-in', info.url);
        signIn.searchParams.set('user_id', 'user_handshake');
        signIn.searchParams.set('redirect_url', `${url}/me`);
        const back = (await fetch(signIn, { redirect: 'manual' })).headers.get('location') ?? '';
        assert.ok(back.includes('__clerk_handshake_nonce='), 'the Frontend API sent a nonce back');
        const response = await fetch(back, page());
        assert.equal(response.status, 307);
        assert.equal(response.headers.get('location'), `${url}/me`);
        const cookies = response.headers.getSetCookie().map((directive) => directive.split(';')[0]);
        const session = cookies.find((pair) => pair?.startsWith(`__session_${info.cookieSuffix}=`));
        const uat = cookies.find((pair) => pair?.startsWith(`__client_uat_${info.cookieSuffix}=`));
        assert.ok(session && uat, 'the session cookies were set');
        const me = await fetch(`${url}/me`, { headers: { cookie: `${session}; ${uat}` } });
        assert.equal(((await json(me)) as { userId: string }).userId, 'user_handshake');
      });
    },
  },
];

/** Every runtime-agnostic scenario, in the order they run. */
export const SCENARIOS: readonly Scenario[] = [
  ...sessionsAndCookies,
  ...machineTokens,
  ...outages,
  ...caching,
  ...testingEntry,
  ...handshake,
];

export type { Scenario, ScenarioContext };

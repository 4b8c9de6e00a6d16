// The handshake's return trip (issue 16, item 4): a page load that comes back from the Frontend API
// with `__clerk_handshake_nonce`. The app redeems the nonce at the Backend API
// (`GET /v1/clients/handshake_payload`), verifies the new session token and sets the cookies.
// clerk-edge and @clerk/backend (and their Hono middlewares) redeem nonces minted by the same
// production-instance emulator; the floor is that one Backend API call plus a jose verification.
import { createClerkClient } from '@clerk/backend';
import { importJWK, jwtVerify, type JWK } from 'jose';
import { createClerkAuth } from '../src/core/authenticate.js';
import type { ClerkEmulator } from '../src/testing/index.js';
import { buildPageApp } from './apps.js';
import { pageLoad, returnTripUrls } from './browser.js';
import { log, plural, quietErrors, rows, SETTINGS, timingRow, times, versus } from './context.js';
import { CLERK_SDK_EXTRA, keysOf, type ClerkEdgeVariant } from './fixtures.js';
import { check, measure, type Contender, type Timing } from './harness.js';

const APP = 'http://app.test/dashboard?tab=1';
const PAYLOAD = 'GET /v1/clients/handshake_payload' as const;
/** Requests that arrive with one nonce in the counted rows. */
const SAME_NONCE = 20;

/** A contender that redeems one fresh nonce per op; `trip` must throw unless the page is signed in. */
function tripContender(emulator: ClerkEmulator, id: string, create: () => (url: URL) => Promise<unknown>): Contender {
  const { warmup, batches, batchSize } = SETTINGS.trip;
  return {
    id,
    setup: async () => {
      const trip = create();
      const urls = await returnTripUrls(emulator, APP, warmup + batches * batchSize);
      return { warm: (i) => trip(urls[i]!), op: (i) => trip(urls[warmup + i]!) };
    },
  };
}

/** A new authenticator of `kind` on `emulator` (clerk-edge's memory of spent nonces is per authenticator). */
function authenticator(
  emulator: ClerkEmulator,
  kind: 'clerk-edge' | 'clerk',
  primary: ClerkEdgeVariant,
): (request: Request) => Promise<{ status: string; reason: string | null; headers: Headers }> {
  const keys = keysOf(emulator);
  if (kind === 'clerk-edge') {
    const auth = createClerkAuth({ ...keys, frontendApiUrl: emulator.frontendApiUrl, env: {}, ...primary.options });
    return (request) => auth.authenticateRequest(request);
  }
  const clerk = createClerkClient({ ...keys, ...CLERK_SDK_EXTRA });
  return (request) => clerk.authenticateRequest(request);
}

/** Time per return trip: the floor, both cores, both Hono middlewares. */
async function timeReturnTrips(emulator: ClerkEmulator, primary: ClerkEdgeVariant): Promise<Map<string, Timing>> {
  const keys = keysOf(emulator);
  const suffix = emulator.cookieSuffix;
  const floorKey = (await importJWK(emulator.jwks().keys[0] as JWK, 'RS256')) as CryptoKey;
  const contenders: Contender[] = [
    tripContender(emulator, 'floor', () => async (url) => {
      const nonce = url.searchParams.get('__clerk_handshake_nonce') as string;
      const response = await fetch(`${emulator.url}/v1/clients/handshake_payload?nonce=${nonce}`, {
        headers: { authorization: `Bearer ${keys.secretKey}` },
      });
      const { directives } = (await response.json()) as { directives: string[] };
      const cookie = directives.find((directive) => directive.startsWith(`__session_${suffix}=`)) ?? '';
      const { payload } = await jwtVerify(cookie.split(';')[0]!.split('=')[1]!, floorKey, { algorithms: ['RS256'] });
      check(typeof payload.sub === 'string', 'floor: no session in the payload');
    }),
    ...(['clerk-edge', 'clerk'] as const).map((kind) =>
      tripContender(emulator, kind, () => {
        const authenticate = authenticator(emulator, kind, primary);
        return async (url) => {
          const state = await authenticate(pageLoad(url));
          check(state.status === 'signed-in', `${kind} return trip: ${state.reason}`);
          check(state.headers.getSetCookie().length >= 3, `${kind} return trip: no cookies`);
        };
      }),
    ),
    ...(['clerk-edge', 'clerk-hono'] as const).map((kind) =>
      tripContender(emulator, `hono.${kind}`, () => {
        const app = buildPageApp(kind, keys, emulator.frontendApiUrl, primary.options);
        return async (url) => {
          const response = await app.request(pageLoad(url));
          const body = await response.text();
          check(response.status === 200 && body.startsWith('<p>user_'), `${kind} return trip: ${response.status}`);
          check(response.headers.getSetCookie().length >= 3, `${kind} return trip: no cookies`);
        };
      }),
    ),
  ];
  return measure(contenders, SETTINGS.trip);
}

interface SameNonceResult {
  calls: number;
  signedIn: number;
  wallMs: number;
  errorsLogged: number;
}

/**
 * `SAME_NONCE` requests carrying one nonce, on a new authenticator: all at once (a page opened in
 * several tabs, a prefetch racing the navigation), or one after another as reloads of the return
 * URL that also carry the cookies the first answer set. Backend API payload calls counted.
 */
async function sameNonce(
  emulator: ClerkEmulator,
  kind: 'clerk-edge' | 'clerk',
  shape: 'concurrent' | 'reload',
  primary: ClerkEdgeVariant,
): Promise<SameNonceResult> {
  const authenticate = authenticator(emulator, kind, primary);
  const [url] = await returnTripUrls(emulator, APP, 1);
  let cookie: string | undefined;
  if (shape === 'reload') {
    // The first arrival, not counted: its cookies go with every reload.
    const first = await authenticate(pageLoad(url!));
    check(first.status === 'signed-in', `${kind}: first return trip ${first.reason}`);
    cookie = first.headers
      .getSetCookie()
      .map((directive) => directive.split(';')[0])
      .join('; ');
  }
  const before = emulator.requestCount(PAYLOAD);
  const start = performance.now();
  const { result: states, errorsLogged } = await quietErrors(async () => {
    if (shape === 'concurrent')
      return Promise.all(Array.from({ length: SAME_NONCE }, () => authenticate(pageLoad(url!))));
    const done = [];
    for (let i = 0; i < SAME_NONCE; i++) done.push(await authenticate(pageLoad(url!, cookie)));
    return done;
  });
  return {
    calls: emulator.requestCount(PAYLOAD) - before,
    signedIn: states.filter((state) => state.status === 'signed-in').length,
    wallMs: performance.now() - start,
    errorsLogged,
  };
}

/** The counted rows: one nonce sent many times, Backend API payload calls per contender. */
async function sameNonceRows(emulator: ClerkEmulator, primary: ClerkEdgeVariant): Promise<void> {
  for (const shape of ['concurrent', 'reload'] as const) {
    const counted = {
      'clerk-edge': await sameNonce(emulator, 'clerk-edge', shape, primary),
      clerk: await sameNonce(emulator, 'clerk', shape, primary),
    };
    for (const kind of ['clerk-edge', 'clerk'] as const) {
      const r = counted[kind];
      const anchor = counted.clerk;
      rows.push({
        id: `handshake.calls.${kind}.${shape}`,
        level: 'Handshake return',
        contender: kind === 'clerk-edge' ? 'clerk-edge `authenticateRequest`' : '@clerk/backend `authenticateRequest`',
        token: `1 nonce, ${SAME_NONCE} ${shape === 'concurrent' ? 'concurrent' : 'reloads'}`,
        measures:
          shape === 'concurrent'
            ? `${SAME_NONCE} concurrent return-trip page loads with the same nonce and no cookies, on a new authenticator; GET /v1/clients/handshake_payload calls counted by the emulator (to clerk-edge, a request whose nonce lookup starts after the payload arrived is a reload: the nonce is spent, and without cookies it is signed out).`
            : `${SAME_NONCE} sequential reloads of a return URL already redeemed (the nonce still in its query, where the emulator puts it on production instances too), carrying the cookies its first answer set; payload calls counted by the emulator.`,
        mean: plural(r.calls, 'Backend API call'),
        p50: `${r.signedIn}/${SAME_NONCE} signed in`,
        p99: `${r.wallMs.toFixed(0)} ms wall`,
        vsAnchor:
          kind === 'clerk'
            ? `anchor${r.errorsLogged ? `; ${plural(r.errorsLogged, 'console.error')}` : ''}`
            : r.calls === anchor.calls
              ? 'as many calls as @clerk/backend'
              : `${anchor.calls - r.calls} fewer calls than @clerk/backend (${r.calls}/${anchor.calls})`,
        data: { ...r, requests: SAME_NONCE },
      });
    }
  }
}

/** The handshake-return section: timed rows, then the Backend API calls of one nonce sent many times. */
export async function handshakeReturn(emulator: ClerkEmulator, primary: ClerkEdgeVariant): Promise<void> {
  const { warmup, batches, batchSize, rounds } = SETTINGS.trip;
  const result = await timeReturnTrips(emulator, primary);
  log('handshake return trips timed');
  const floor = result.get('floor')!;
  const edge = result.get('clerk-edge')!;
  const clerk = result.get('clerk')!;
  const honoEdge = result.get('hono.clerk-edge')!;
  const honoClerk = result.get('hono.clerk-hono')!;
  const token = 'new nonce each';
  const setting = `${rounds} rounds × ${batches * batchSize} return trips after ${warmup} warm-up ones, each with a nonce never redeemed before`;
  timingRow(
    'Handshake return',
    'handshake.floor',
    'fetch + jose `jwtVerify` (floor)',
    token,
    `One GET /v1/clients/handshake_payload with fetch, then jose.jwtVerify of the __session directive with a pre-imported key (${setting}).`,
    floor,
    'floor (anchor)',
  );
  timingRow(
    'Handshake return',
    'handshake.clerk-edge',
    'clerk-edge `authenticateRequest`',
    token,
    `createClerkAuth().authenticateRequest(page load with ?__clerk_handshake_nonce) on a production instance: payload fetched, session token verified, Set-Cookie headers (${setting}).`,
    edge,
    `${times(edge.meanUs / floor.meanUs)} floor; ${versus(edge, clerk, '@clerk/backend')}`,
  );
  timingRow(
    'Handshake return',
    'handshake.clerk',
    '@clerk/backend `authenticateRequest`',
    token,
    `createClerkClient().authenticateRequest(the same page load): its HandshakeService fetches the payload, verifies the token and returns the Set-Cookie headers (${setting}).`,
    clerk,
    `${times(clerk.meanUs / floor.meanUs)} floor`,
  );
  timingRow(
    'Handshake return',
    'handshake.hono.clerk-edge',
    'clerk-edge/hono',
    token,
    `app.request(the same page load): clerkMiddleware() resolves the return trip and the page renders signed in with the cookies (${setting}).`,
    honoEdge,
    `${times(honoEdge.meanUs / floor.meanUs)} floor; ${versus(honoEdge, honoClerk, '@clerk/hono')}`,
  );
  timingRow(
    'Handshake return',
    'handshake.hono.clerk-hono',
    '@clerk/hono',
    token,
    `app.request(the same page load): @clerk/hono clerkMiddleware() resolves the return trip and the page renders signed in with the cookies (${setting}).`,
    honoClerk,
    `anchor; ${times(honoClerk.meanUs / floor.meanUs)} floor`,
  );
  await sameNonceRows(emulator, primary);
}

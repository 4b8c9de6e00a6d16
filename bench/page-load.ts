// What a handshake costs a page load (issue 16, item 4), over real HTTP with a cookie jar that
// follows redirects like a browser: a page load whose session token expired (and which has no
// refresh cookie, so only the handshake can recover it) goes app 307 -> Frontend API
// /v1/client/handshake -> 307 back with the nonce (or token) -> the app sets the cookies and renders;
// a page load with a valid session renders at once. Both apps listen on 127.0.0.1 in this process
// (@hono/node-server) next to the production-instance emulator.
import { serve, type ServerType } from '@hono/node-server';
import { decodeJwt } from 'jose';
import type { ClerkEmulator } from '../src/testing/index.js';
import { buildPageApp } from './apps.js';
import { CookieJar } from './browser.js';
import { log, ms, plural, SETTINGS, timingRow, times, versus } from './context.js';
import { keysOf, type ClerkEdgeVariant } from './fixtures.js';
import { check, measure, type Contender } from './harness.js';

type Kind = 'clerk-edge' | 'clerk-hono';
type Mode = 'valid' | 'handshake';

const LABELS: Record<Kind, string> = { 'clerk-edge': 'clerk-edge/hono', 'clerk-hono': '@clerk/hono' };
const USER = 'user_bench_page';
const PAYLOAD = 'GET /v1/clients/handshake_payload' as const;
const HANDSHAKE = 'GET /v1/client/handshake' as const;

/** Frontend API handshakes and Backend API payload calls of one page load, per contender. */
const calls = new Map<string, { payload: number; handshake: number }>();

interface RunningApp {
  url: string;
  close(): Promise<void>;
}

async function startPageApp(emulator: ClerkEmulator, kind: Kind, primary: ClerkEdgeVariant): Promise<RunningApp> {
  const app = buildPageApp(kind, keysOf(emulator), emulator.frontendApiUrl, primary.options);
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

/**
 * A browser signed in to `app` through the emulator's test-only sign-in (a return trip through the
 * app, so the app set the cookies), and how to make its session token expired again.
 */
async function signedInBrowser(emulator: ClerkEmulator, app: RunningApp) {
  const jar = new CookieJar();
  const signIn = new URL('/__emulator/sign-in', emulator.frontendApiUrl);
  signIn.searchParams.set('user_id', USER);
  signIn.searchParams.set('redirect_url', `${app.url}/page`);
  const visit = await jar.visit(signIn);
  check(visit.status === 200 && visit.body === `<p>${USER}</p>`, `sign-in through ${app.url}: ${visit.status}`);
  const suffix = emulator.cookieSuffix;
  const sessionCookie = `__session_${suffix}`;
  const { sid } = decodeJwt(jar.get(app.url, sessionCookie) ?? '');
  const now = Math.floor(Date.now() / 1000);
  // Issued two minutes ago, expired one minute ago; the client's last sign-in before both.
  const expired = await emulator.createSessionToken(sid as string, { issuedAt: now - 120, expiresInSeconds: 60 });
  const expire = () => {
    jar.set(app.url, sessionCookie, expired);
    jar.set(app.url, `__client_uat_${suffix}`, String(now - 200));
    jar.delete(app.url, `__refresh_${suffix}`);
    // Each timed page load is a browser's first handshake, not the next step of a loop.
    jar.delete(app.url, '__clerk_redirect_count');
  };
  return { jar, expire };
}

function pageContender(emulator: ClerkEmulator, app: RunningApp, kind: Kind, mode: Mode): Contender {
  const expectedHops = mode === 'valid' ? [200] : [307, 307, 200];
  return {
    id: `${kind}.${mode}`,
    setup: async () => {
      const { jar, expire } = await signedInBrowser(emulator, app);
      const load = async () => {
        if (mode === 'handshake') expire();
        const visit = await jar.visit(`${app.url}/page`);
        const hops = visit.hops.map((hop) => hop.status);
        check(
          visit.body === `<p>${USER}</p>` && hops.join() === expectedHops.join(),
          `${kind} ${mode} page load: ${hops.join(' → ')} ${visit.body.slice(0, 40)}`,
        );
      };
      // One untimed page load first, its Backend and Frontend API requests counted (setups run one at a time).
      const before = { payload: emulator.requestCount(PAYLOAD), handshake: emulator.requestCount(HANDSHAKE) };
      await load();
      calls.set(`${kind}.${mode}`, {
        payload: emulator.requestCount(PAYLOAD) - before.payload,
        handshake: emulator.requestCount(HANDSHAKE) - before.handshake,
      });
      return { warm: load, op: load };
    },
  };
}

/** The requests one page load caused, in words. */
function perLoad(kind: Kind, mode: Mode): string {
  const counted = calls.get(`${kind}.${mode}`);
  if (!counted) return 'requests not counted';
  return `per page load: ${plural(counted.handshake, 'Frontend API handshake')}, ${plural(counted.payload, 'Backend API payload call')}`;
}

/** The page-load section: wall time per page load, with and without a handshake, for both middlewares. */
export async function pageLoads(emulator: ClerkEmulator, primary: ClerkEdgeVariant): Promise<void> {
  const apps = {
    'clerk-edge': await startPageApp(emulator, 'clerk-edge', primary),
    'clerk-hono': await startPageApp(emulator, 'clerk-hono', primary),
  };
  try {
    const contenders: Contender[] = [];
    for (const kind of ['clerk-edge', 'clerk-hono'] as const)
      for (const mode of ['valid', 'handshake'] as const)
        contenders.push(pageContender(emulator, apps[kind], kind, mode));
    const result = await measure(contenders, SETTINGS.trip);
    log('page loads timed');
    const { warmup, batches, batchSize, rounds } = SETTINGS.trip;
    const setting = `${rounds} rounds × ${batches * batchSize} page loads after ${warmup} warm-up ones, one browser (cookie jar) per round`;
    for (const mode of ['valid', 'handshake'] as const) {
      for (const kind of ['clerk-edge', 'clerk-hono'] as const) {
        const timing = result.get(`${kind}.${mode}`)!;
        const valid = result.get(`${kind}.valid`)!;
        const other = result.get(`clerk-hono.${mode}`)!;
        const vsValid = `${times(timing.meanUs / valid.meanUs)} a valid page load (+${ms(timing.meanUs - valid.meanUs)})`;
        timingRow(
          'Page load',
          `pageload.${kind}.${mode}`,
          LABELS[kind],
          mode === 'valid' ? 'valid session' : 'expired, handshake',
          mode === 'valid'
            ? `GET /page over loopback HTTP with a valid session cookie: one response, 200, signed in (${perLoad(kind, mode)}; ${setting}).`
            : `GET /page with an expired session cookie and no refresh cookie, redirects followed with the cookie jar: app 307 → Frontend API /v1/client/handshake 307 → app 200 signed in with the new cookies (${perLoad(kind, mode)}; ${setting}).`,
          { ...timing, ...calls.get(`${kind}.${mode}`) },
          mode === 'valid'
            ? kind === 'clerk-hono'
              ? 'anchor'
              : versus(timing, other, '@clerk/hono')
            : kind === 'clerk-hono'
              ? `anchor; ${vsValid}`
              : `${versus(timing, other, '@clerk/hono')}; ${vsValid}`,
        );
      }
    }
  } finally {
    await Promise.all([apps['clerk-edge'].close(), apps['clerk-hono'].close()]);
  }
}

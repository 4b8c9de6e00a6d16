// `getToken({ template })` across many requests of one session (issue 16, item 4). Each request
// is authenticated (untimed) and its auth object's getToken is timed. clerk-edge's auth object
// mints through `POST /v1/sessions/{id}/tokens/{template}` once and caches the token per
// (instance, session, template) until 10 s before `exp`; @clerk/backend's auth object calls the
// same endpoint (`clerkClient.sessions.getToken`) on every call. Calls counted by the emulator.
import { createClerkClient } from '@clerk/backend';
import { createClerkAuth } from '../src/core/authenticate.js';
import { withGetToken } from '../src/core/template-tokens.js';
import type { ClerkEmulator } from '../src/testing/index.js';
import { bearer, log, ms, plural, rows, SETTINGS, timingRow, versus } from './context.js';
import { CLERK_SDK_EXTRA, keysOf, type ClerkEdgeVariant } from './fixtures.js';
import { check, type Timing } from './harness.js';

const REQUESTS = 100;
const TEMPLATE = 'bench_template';
const MINT = 'POST /v1/sessions/:session_id/tokens/:template_name' as const;

type Kind = 'clerk-edge' | 'clerk';
type GetToken = (options: { template: string }) => Promise<string | null>;

/**
 * A new authenticator (so no cache carries over) and the getToken of each of `REQUESTS` requests
 * bearing `token`, made before timing.
 */
async function getTokens(emulator: ClerkEmulator, kind: Kind, token: string, primary: ClerkEdgeVariant) {
  const keys = keysOf(emulator);
  const requests = Array.from(
    { length: REQUESTS },
    () => new Request('http://app.test/api', { headers: bearer(token) }),
  );
  const found: GetToken[] = [];
  if (kind === 'clerk-edge') {
    const auth = createClerkAuth({ ...keys, env: {}, ...primary.options });
    for (const request of requests) {
      const state = await auth.authenticateRequest(request);
      check(state.status === 'signed-in', `clerk-edge: ${state.reason}`);
      const object = withGetToken(state.toAuth(), auth, request, state.headers);
      found.push((object as { getToken: GetToken }).getToken);
    }
  } else {
    const clerk = createClerkClient({ ...keys, ...CLERK_SDK_EXTRA });
    for (const request of requests) {
      const state = await clerk.authenticateRequest(request);
      check(state.status === 'signed-in', `@clerk/backend: ${state.reason}`);
      found.push((state.toAuth() as unknown as { getToken: GetToken }).getToken);
    }
  }
  return found;
}

const isJwt = (value: string | null) => typeof value === 'string' && value.split('.').length === 3;

interface Sequential {
  samplesUs: number[];
  roundMeansUs: number[];
  callsPerRound: number[];
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function timingOf(run: Sequential): Timing {
  const sorted = [...run.samplesUs].sort((a, b) => a - b);
  const means = [...run.roundMeansUs].sort((a, b) => a - b);
  const mid = means.length >> 1;
  const meanUs = means.length % 2 ? means[mid]! : (means[mid - 1]! + means[mid]!) / 2;
  return {
    meanUs,
    rawMeanUs: run.samplesUs.reduce((sum, value) => sum + value, 0) / run.samplesUs.length,
    p50Us: percentile(sorted, 0.5),
    p99Us: percentile(sorted, 0.99),
    opsPerSecond: 1e6 / meanUs,
    iterations: run.samplesUs.length,
    rounds: run.roundMeansUs.length,
    batches: run.roundMeansUs.length,
  };
}

/** `REQUESTS` getToken calls one after another, per round on new authenticators; rounds alternate contenders. */
async function sequential(emulator: ClerkEmulator, token: string, primary: ClerkEdgeVariant) {
  const runs: Record<Kind, Sequential> = {
    'clerk-edge': { samplesUs: [], roundMeansUs: [], callsPerRound: [] },
    clerk: { samplesUs: [], roundMeansUs: [], callsPerRound: [] },
  };
  for (let round = 0; round < SETTINGS.templateRounds; round++) {
    const order: Kind[] = round % 2 ? ['clerk', 'clerk-edge'] : ['clerk-edge', 'clerk'];
    for (const kind of order) {
      const calls = await getTokens(emulator, kind, token, primary);
      const before = emulator.requestCount(MINT);
      let total = 0;
      for (const getToken of calls) {
        const start = process.hrtime.bigint();
        const jwt = await getToken({ template: TEMPLATE });
        const elapsed = Number(process.hrtime.bigint() - start) / 1000;
        check(isJwt(jwt), `${kind}: getToken gave no JWT`);
        runs[kind].samplesUs.push(elapsed);
        total += elapsed;
      }
      runs[kind].roundMeansUs.push(total / REQUESTS);
      runs[kind].callsPerRound.push(emulator.requestCount(MINT) - before);
    }
  }
  return runs;
}

/** `REQUESTS` getToken calls at once on a new authenticator. */
async function concurrent(emulator: ClerkEmulator, kind: Kind, token: string, primary: ClerkEdgeVariant) {
  const calls = await getTokens(emulator, kind, token, primary);
  const before = emulator.requestCount(MINT);
  const start = performance.now();
  const jwts = await Promise.all(calls.map((getToken) => getToken({ template: TEMPLATE })));
  return {
    calls: emulator.requestCount(MINT) - before,
    ok: jwts.filter(isJwt).length,
    wallMs: performance.now() - start,
  };
}

/** The template-token section: time per getToken call and Backend API calls, sequential and concurrent. */
export async function templateTokens(emulator: ClerkEmulator, primary: ClerkEdgeVariant): Promise<void> {
  const { session } = await emulator.createSession({ userId: 'user_bench_template' });
  const token = await emulator.createSessionToken(session.id, { expiresInSeconds: 7200 });
  const runs = await sequential(emulator, token, primary);
  log('template tokens timed');
  const edge = timingOf(runs['clerk-edge']);
  const clerk = timingOf(runs.clerk);
  const callsOf = (kind: Kind) => Math.max(...runs[kind].callsPerRound);
  const setting = `${SETTINGS.templateRounds} rounds of ${REQUESTS} requests of one session, one after another, each round on a new authenticator; mean = median of the round means, first (minting) call included`;
  timingRow(
    'Template tokens',
    'template.clerk-edge.sequential',
    "clerk-edge auth object's `getToken({ template })`",
    `1 session, ${REQUESTS} requests`,
    `getToken({ template }) on the auth object of each request (${setting}).`,
    edge,
    `${versus(edge, clerk, '@clerk/backend')}; ${callsOf('clerk-edge')} vs ${callsOf('clerk')} Backend API calls per ${REQUESTS} requests`,
  );
  timingRow(
    'Template tokens',
    'template.clerk.sequential',
    "@clerk/backend auth object's `getToken({ template })`",
    `1 session, ${REQUESTS} requests`,
    `authenticateRequest(request).toAuth().getToken({ template }): clerkClient.sessions.getToken(sessionId, template) per call (${setting}).`,
    clerk,
    `anchor; ${ms(clerk.meanUs)} per call is one Backend API round trip`,
  );
  const counted = {
    'clerk-edge': await concurrent(emulator, 'clerk-edge', token, primary),
    clerk: await concurrent(emulator, 'clerk', token, primary),
  };
  for (const kind of ['clerk-edge', 'clerk'] as const) {
    const sequentialCalls = callsOf(kind);
    for (const shape of ['sequential', 'concurrent'] as const) {
      const calls = shape === 'sequential' ? sequentialCalls : counted[kind].calls;
      const anchor = shape === 'sequential' ? callsOf('clerk') : counted.clerk.calls;
      rows.push({
        id: `template.calls.${kind}.${shape}`,
        level: 'Template tokens',
        contender:
          kind === 'clerk-edge' ? 'clerk-edge `getToken({ template })`' : '@clerk/backend `getToken({ template })`',
        token: `1 session, ${REQUESTS} ${shape}`,
        measures: `POST /v1/sessions/{id}/tokens/{template} calls counted by the emulator for ${REQUESTS} ${shape} getToken({ template }) calls of one session on a new authenticator${shape === 'sequential' ? ' (the most in any timed round)' : ''}.`,
        mean: plural(calls, 'Backend API call'),
        p50: shape === 'sequential' ? `${REQUESTS}/${REQUESTS} tokens` : `${counted[kind].ok}/${REQUESTS} tokens`,
        p99:
          shape === 'sequential'
            ? `${ms((kind === 'clerk-edge' ? edge : clerk).rawMeanUs)}/call`
            : `${counted[kind].wallMs.toFixed(0)} ms wall`,
        vsAnchor: kind === 'clerk' ? 'anchor' : `${calls}/${anchor} of @clerk/backend's calls`,
        data:
          shape === 'sequential'
            ? { calls, ok: REQUESTS, requests: REQUESTS, callsPerRound: runs[kind].callsPerRound }
            : { ...counted[kind], requests: REQUESTS },
      });
    }
  }
}

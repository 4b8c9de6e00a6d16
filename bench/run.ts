// `npm run bench [-- --quick] [-- --profile] [-- --sections=token,request,hono,http,herd,machine,bundle]`
//
// Measures clerk-edge against the anchors (bare jose with a pre-imported key: the floor;
// Clerk's @clerk/backend and @clerk/hono; Hono with no middleware) in one run, against one
// loopback fake Backend API (the Clerk emulator), with the same tokens and the same request
// shape for every contender. Prints a markdown table (stdout; progress goes to stderr) and
// writes the numbers as JSON under bench/results/.
import { verifyToken as clerkVerifyToken, createClerkClient } from '@clerk/backend';
import { importJWK, jwtVerify, type JWK } from 'jose';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createClerkAuth } from '../src/core/authenticate.js';
import { APP_LABELS, buildApp, type AppKind } from './apps.js';
import { workerBundleSize } from './bundle-size.mjs';
import {
  CLERK_SDK_EXTRA,
  clerkEdgeVariants,
  jwksFetches,
  keysOf,
  mintTokens,
  sessionCacheSupport,
  startEmulator,
  type BenchKeys,
  type ClerkEdgeVariant,
} from './fixtures.js';
import { check, measure, type Contender, type Round, type Timing } from './harness.js';
import { load, profileServer, startServer, type HttpResult } from './http.js';
import { formatProfile, profileLoop, type ProfileSummary } from './profile.js';

// ---------------------------------------------------------------------------------------------
// Settings

const SECTIONS = ['token', 'request', 'hono', 'http', 'herd', 'machine', 'bundle'] as const;
type Section = (typeof SECTIONS)[number];

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const forceProfile = argv.includes('--profile');
const sectionsArg = argv.find((arg) => arg.startsWith('--sections='));
const sections = new Set<Section>(
  sectionsArg ? (sectionsArg.slice('--sections='.length).split(',') as Section[]) : SECTIONS,
);

const SETTINGS = quick
  ? {
      warmup: 500,
      batches: 8,
      batchSize: 50,
      rounds: 3,
      httpWarmupS: 1,
      httpRounds: 3,
      httpSliceS: 1,
      httpFreshWarm: 500,
      httpFreshTimed: 4500,
      connections: 10,
      profileMs: 1500,
    }
  : {
      warmup: 500,
      batches: 20,
      batchSize: 50,
      rounds: 5,
      httpWarmupS: 2,
      httpRounds: 5,
      httpSliceS: 2,
      httpFreshWarm: 1000,
      httpFreshTimed: 15000,
      connections: 10,
      profileMs: 4000,
    };

const ITERATIONS = SETTINGS.batches * SETTINGS.batchSize;
const HERD = 100;
const MACHINE_REQUESTS = 200;

// ---------------------------------------------------------------------------------------------
// Rows

type Level = 'Token' | 'Request' | 'Hono' | 'HTTP' | 'Cold herd' | 'Machine tokens' | 'Bundle';
type TokenMode = 'fresh' | 'repeated';

interface Row {
  id: string;
  level: Level;
  contender: string;
  token: string;
  /** What the row measures, in one sentence (also in docs/performance.md). */
  measures: string;
  mean: string;
  p50: string;
  p99: string;
  vsAnchor: string;
  data: Record<string, unknown>;
}

const rows: Row[] = [];
const profiles: ProfileSummary[] = [];
const startedAt = Date.now();
const loadAtStart = loadavg()[0]!;

const log = (message: string) =>
  process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}\n`);
const ms = (us: number) => `${(us / 1000).toFixed(3)} ms`;
const times = (ratio: number) => `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

function timingRow(
  level: Level,
  id: string,
  contender: string,
  token: string,
  measures: string,
  timing: Timing,
  vsAnchor: string,
): Row {
  const row: Row = {
    id,
    level,
    contender,
    token,
    measures,
    mean: ms(timing.meanUs),
    p50: ms(timing.p50Us),
    p99: ms(timing.p99Us),
    vsAnchor,
    data: { ...timing },
  };
  rows.push(row);
  return row;
}

const variantName = (base: string, variant: ClerkEdgeVariant) => (variant.label ? `${base} (${variant.label})` : base);

// ---------------------------------------------------------------------------------------------
// Setup

const emulator = await startEmulator();
const keys: BenchKeys = keysOf(emulator);
const cacheSupport = sessionCacheSupport(keys);
const variants = clerkEdgeVariants(cacheSupport);
const primary = variants.find((variant) => variant.primary)!;
log(
  cacheSupport.supported
    ? `session cache: supported (on by default: ${cacheSupport.enabledByDefault}); measuring cache off and cache on`
    : 'session cache: not in this build of the core; measuring the one configuration there is',
);

const poolSize = Math.max(SETTINGS.warmup + ITERATIONS, SETTINGS.httpFreshWarm + SETTINGS.httpFreshTimed);
const tokens = await mintTokens(emulator, poolSize);
log(`minted ${tokens.pool.length + 1} distinct session tokens`);

const warmTokens = tokens.pool.slice(0, SETTINGS.warmup);
const timedTokens = tokens.pool.slice(SETTINGS.warmup, SETTINGS.warmup + ITERATIONS);
/** The tokens of iteration `i` of the warm-up and of the timed loop, per mode. */
const tokenFor = (mode: TokenMode, phase: 'warm' | 'op', i: number) =>
  mode === 'repeated' ? tokens.repeated : phase === 'warm' ? warmTokens[i]! : timedTokens[i]!;

// The floor: jose with the key imported once, before timing.
const instanceJwk = emulator.jwks().keys[0] as JWK;
const floorKey = (await importJWK(instanceJwk, 'RS256')) as CryptoKey;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

// ---------------------------------------------------------------------------------------------
// Token level: one token in, claims out. No Request, no framework.

function joseFloor(mode: TokenMode): Contender {
  return {
    id: 'jose',
    setup: () => ({
      warm: (i) => jwtVerify(tokenFor(mode, 'warm', i), floorKey, { algorithms: ['RS256'] }),
      op: async (i) => {
        const { payload } = await jwtVerify(tokenFor(mode, 'op', i), floorKey, { algorithms: ['RS256'] });
        check(typeof payload.sub === 'string', 'jose did not verify');
      },
    }),
  };
}

async function tokenLevel(): Promise<void> {
  for (const mode of ['fresh', 'repeated'] as const) {
    const contenders: Contender[] = [joseFloor(mode)];
    for (const variant of variants) {
      contenders.push({
        id: `clerk-edge.${variant.key}`,
        setup: (): Round => {
          const auth = createClerkAuth({ ...keys, env: {}, ...variant.options });
          return {
            warm: (i) => auth.verifySessionToken(tokenFor(mode, 'warm', i)),
            op: async (i) => {
              const state = await auth.verifySessionToken(tokenFor(mode, 'op', i));
              check(state.status === 'signed-in', `clerk-edge verifySessionToken: ${state.reason}`);
            },
          };
        },
      });
    }
    contenders.push({
      id: 'clerk',
      setup: () => {
        const options = { secretKey: keys.secretKey, apiUrl: keys.apiUrl };
        return {
          warm: (i) => clerkVerifyToken(tokenFor(mode, 'warm', i), options),
          op: async (i) => {
            const payload = await clerkVerifyToken(tokenFor(mode, 'op', i), options);
            check(typeof payload.sub === 'string', 'Clerk verifyToken did not verify');
          },
        };
      },
    });
    const result = await measure(contenders, SETTINGS);
    const floor = result.get('jose')!;
    const clerk = result.get('clerk')!;
    timingRow(
      'Token',
      `token.jose.${mode}`,
      'jose `jwtVerify`, key pre-imported (floor)',
      mode,
      'jose.jwtVerify(token, importedKey, { algorithms: ["RS256"] }): signature and exp/nbf, nothing else.',
      floor,
      'floor (anchor)',
    );
    for (const variant of variants) {
      const timing = result.get(`clerk-edge.${variant.key}`)!;
      timingRow(
        'Token',
        `token.clerk-edge.${variant.key}.${mode}`,
        variantName('clerk-edge `verifySessionToken`', variant),
        mode,
        'createClerkAuth().verifySessionToken(token): header checks, key by kid from the cached JWKS, signature, exp/nbf/iat/iss/sub.',
        timing,
        `${times(timing.meanUs / floor.meanUs)} floor; ${times(clerk.meanUs / timing.meanUs)} faster than Clerk \`verifyToken\``,
      );
    }
    timingRow(
      'Token',
      `token.clerk.${mode}`,
      '@clerk/backend `verifyToken`',
      mode,
      'verifyToken(token, { secretKey, apiUrl }) from @clerk/backend: JWKS from its module cache, key imported per call, signature and claims.',
      clerk,
      `${times(clerk.meanUs / floor.meanUs)} floor`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Request level: a Request with `Authorization: Bearer <token>` in, a request state out.

const request = (token: string) => new Request('http://localhost/me', { headers: bearer(token) });
// Built once before timing and shared by every contender; neither reads the body.
const requests = {
  fresh: { warm: warmTokens.map(request), op: timedTokens.map(request) },
  repeated: {
    warm: warmTokens.map(() => request(tokens.repeated)),
    op: timedTokens.map(() => request(tokens.repeated)),
  },
};

async function requestLevel(): Promise<void> {
  for (const mode of ['fresh', 'repeated'] as const) {
    const contenders: Contender[] = [joseFloor(mode)];
    for (const variant of variants) {
      contenders.push({
        id: `clerk-edge.${variant.key}`,
        setup: () => {
          const auth = createClerkAuth({ ...keys, env: {}, ...variant.options });
          return {
            warm: (i) => auth.authenticateRequest(requests[mode].warm[i]!),
            op: async (i) => {
              const state = await auth.authenticateRequest(requests[mode].op[i]!);
              check(state.status === 'signed-in', `clerk-edge authenticateRequest: ${state.reason}`);
            },
          };
        },
      });
    }
    contenders.push({
      id: 'clerk',
      setup: () => {
        const clerk = createClerkClient({ ...keys, ...CLERK_SDK_EXTRA });
        return {
          warm: (i) => clerk.authenticateRequest(requests[mode].warm[i]!),
          op: async (i) => {
            const state = await clerk.authenticateRequest(requests[mode].op[i]!);
            check(state.status === 'signed-in', `Clerk authenticateRequest: ${state.reason} ${state.message}`);
          },
        };
      },
    });
    const result = await measure(contenders, SETTINGS);
    const floor = result.get('jose')!;
    const clerk = result.get('clerk')!;
    timingRow(
      'Request',
      `request.jose.${mode}`,
      'jose `jwtVerify` (floor, same round)',
      mode,
      "The floor again, interleaved with this level's contenders (the ratio base for the 1.1× target).",
      floor,
      'floor (anchor)',
    );
    for (const variant of variants) {
      const timing = result.get(`clerk-edge.${variant.key}`)!;
      timingRow(
        'Request',
        `request.clerk-edge.${variant.key}.${mode}`,
        variantName('clerk-edge `authenticateRequest`', variant),
        mode,
        'createClerkAuth().authenticateRequest(request): credential extraction (header, cookies) and session verification.',
        timing,
        `${times(timing.meanUs / floor.meanUs)} floor; ${times(clerk.meanUs / timing.meanUs)} faster than Clerk`,
      );
    }
    timingRow(
      'Request',
      `request.clerk.${mode}`,
      '@clerk/backend `authenticateRequest`',
      mode,
      'createClerkClient({ secretKey, publishableKey, apiUrl }).authenticateRequest(request), client created once.',
      clerk,
      `${times(clerk.meanUs / floor.meanUs)} floor`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Hono level: app.request('/me') through the middleware and a route that requires a user.

function honoContender(id: string, kind: AppKind, mode: TokenMode, variant?: ClerkEdgeVariant): Contender {
  return {
    id,
    setup: () => {
      const app = buildApp(kind, keys, variant?.options);
      return {
        warm: async (i) => app.request('/me', { headers: bearer(tokenFor(mode, 'warm', i)) }),
        op: async (i) => {
          const response = await app.request('/me', { headers: bearer(tokenFor(mode, 'op', i)) });
          check(response.status === 200, `${id}: status ${response.status}`);
        },
      };
    },
  };
}

async function honoLevel(): Promise<void> {
  for (const mode of ['fresh', 'repeated'] as const) {
    const contenders = [
      honoContender('none', 'none', mode),
      ...variants.map((variant) => honoContender(`clerk-edge.${variant.key}`, 'clerk-edge', mode, variant)),
      honoContender('clerk-hono', 'clerk-hono', mode),
    ];
    const result = await measure(contenders, SETTINGS);
    const none = result.get('none')!;
    const clerk = result.get('clerk-hono')!;
    timingRow(
      'Hono',
      `hono.none.${mode}`,
      APP_LABELS.none,
      mode,
      'app.request("/me") with a handler that returns JSON: what Hono itself costs.',
      none,
      `${times(clerk.meanUs / none.meanUs)} faster than @clerk/hono`,
    );
    for (const variant of variants) {
      const timing = result.get(`clerk-edge.${variant.key}`)!;
      timingRow(
        'Hono',
        `hono.clerk-edge.${variant.key}.${mode}`,
        variantName(APP_LABELS['clerk-edge'], variant),
        mode,
        'app.request("/me"): clerkMiddleware() + requireAuth() + getAuth(c).',
        timing,
        `${times(clerk.meanUs / timing.meanUs)} faster than @clerk/hono; +${ms(timing.meanUs - none.meanUs)} over no middleware`,
      );
    }
    timingRow(
      'Hono',
      `hono.clerk-hono.${mode}`,
      APP_LABELS['clerk-hono'],
      mode,
      'app.request("/me"): @clerk/hono clerkMiddleware() + getAuth(c) check in the route.',
      clerk,
      `anchor; +${ms(clerk.meanUs - none.meanUs)} over no middleware`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP: @hono/node-server on 127.0.0.1 in a child process, autocannon in this one.

const httpResults = new Map<string, HttpResult & { slices: HttpResult[] }>();

/** Median of each field over the slices (rps, p50, p99); counts are summed. */
function combineSlices(slices: HttpResult[]): HttpResult & { slices: HttpResult[] } {
  const mid = (pick: (r: HttpResult) => number) => {
    const sorted = slices.map(pick).sort((a, b) => a - b);
    const m = sorted.length >> 1;
    return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
  };
  return {
    requestsPerSecond: mid((r) => r.requestsPerSecond),
    p50Ms: mid((r) => r.p50Ms),
    p99Ms: mid((r) => r.p99Ms),
    meanMs: mid((r) => r.meanMs),
    requests: slices.reduce((sum, r) => sum + r.requests, 0),
    durationS: slices.reduce((sum, r) => sum + r.durationS, 0),
    connections: slices[0]!.connections,
    slices,
  };
}

async function httpLevel(): Promise<void> {
  const freshWarm = tokens.pool.slice(0, SETTINGS.httpFreshWarm);
  const perSlice = Math.floor(SETTINGS.httpFreshTimed / SETTINGS.httpRounds);
  const freshSlice = (round: number) =>
    tokens.pool.slice(SETTINGS.httpFreshWarm + round * perSlice, SETTINGS.httpFreshWarm + (round + 1) * perSlice);
  const defs: Array<{ id: string; kind: AppKind; label: string; variant?: ClerkEdgeVariant }> = [
    { id: 'none', kind: 'none', label: APP_LABELS.none },
    ...variants.map((variant) => ({
      id: `clerk-edge.${variant.key}`,
      kind: 'clerk-edge' as const,
      label: variantName(APP_LABELS['clerk-edge'], variant),
      variant,
    })),
    { id: 'clerk-hono', kind: 'clerk-hono', label: APP_LABELS['clerk-hono'] },
  ];
  // Every server runs for the whole section (each in its own process, idle when not driven) so
  // their measurement slices can alternate: outside load then lands on all of them alike.
  const servers = await Promise.all(
    defs.map(async (def) => ({ ...def, running: await startServer(def.kind, keys, def.variant?.options ?? {}) })),
  );
  try {
    const slices = new Map<string, HttpResult[]>();
    for (const server of servers) {
      const base = { port: server.running.port, path: '/me', connections: SETTINGS.connections };
      // Warm-up: fresh tokens other than the timed ones, then the repeated token.
      await load({ ...base, tokens: freshWarm });
      await load({ ...base, token: tokens.repeated, durationS: SETTINGS.httpWarmupS });
      slices.set(`${server.id}.fresh`, []);
      slices.set(`${server.id}.repeated`, []);
    }
    log('HTTP warm-up done');
    for (let round = 0; round < SETTINGS.httpRounds; round++) {
      for (let s = 0; s < servers.length; s++) {
        const server = servers[(s + round) % servers.length]!;
        const base = { port: server.running.port, path: '/me', connections: SETTINGS.connections };
        // Fresh: every request carries a token this server has not seen.
        slices.get(`${server.id}.fresh`)!.push(await load({ ...base, tokens: freshSlice(round) }));
        // Repeated: one token for every request, for a fixed time.
        slices
          .get(`${server.id}.repeated`)!
          .push(await load({ ...base, token: tokens.repeated, durationS: SETTINGS.httpSliceS }));
      }
    }
    for (const [key, list] of slices) httpResults.set(key, combineSlices(list));
  } finally {
    await Promise.all(servers.map((server) => server.running.close()));
  }
  for (const mode of ['fresh', 'repeated'] as const) {
    const clerk = httpResults.get(`clerk-hono.${mode}`)!;
    for (const server of defs) {
      const result = httpResults.get(`${server.id}.${mode}`)!;
      rows.push({
        id: `http.${server.id}.${mode}`,
        level: 'HTTP',
        contender: server.label,
        token: mode,
        measures:
          mode === 'fresh'
            ? `GET /me over loopback, ${SETTINGS.connections} connections; ${SETTINGS.httpRounds} slices of ${perSlice} requests, each request with a token the server has not seen; median slice.`
            : `GET /me over loopback, ${SETTINGS.connections} connections; ${SETTINGS.httpRounds} slices of ${SETTINGS.httpSliceS} s with one token; median slice.`,
        mean: `${Math.round(result.requestsPerSecond).toLocaleString('en-US')} req/s`,
        // autocannon records latency in whole milliseconds.
        p50: result.p50Ms === 0 ? '<1 ms' : `${result.p50Ms} ms`,
        p99: result.p99Ms === 0 ? '<1 ms' : `${result.p99Ms} ms`,
        vsAnchor:
          server.kind === 'clerk-hono'
            ? 'anchor'
            : `${times(result.requestsPerSecond / clerk.requestsPerSecond)} @clerk/hono req/s`,
        data: { ...result },
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Cold herd: 100 concurrent requests reach a new app whose key cache is empty.

const herdResults = new Map<string, { jwksFetches: number; signedIn: number; wallMs: number }>();

async function coldHerd(): Promise<void> {
  const contenders: Array<{ id: string; kind: AppKind; label: string; variant?: ClerkEdgeVariant }> = [
    { id: 'clerk-edge', kind: 'clerk-edge', label: APP_LABELS['clerk-edge'], variant: primary },
    { id: 'clerk-hono', kind: 'clerk-hono', label: APP_LABELS['clerk-hono'] },
  ];
  for (const contender of contenders) {
    // A new emulator per contender: new keys and URL, so no JWKS cache (ours per instance,
    // Clerk's per process and secret key) can already hold its keys.
    const herdEmulator = await startEmulator();
    try {
      const herdTokens = (await mintTokens(herdEmulator, HERD)).pool;
      const app = buildApp(contender.kind, keysOf(herdEmulator), contender.variant?.options);
      herdEmulator.resetCounts();
      const start = performance.now();
      const responses = await Promise.all(herdTokens.map((token) => app.request('/me', { headers: bearer(token) })));
      const wallMs = performance.now() - start;
      const result = {
        jwksFetches: jwksFetches(herdEmulator),
        signedIn: responses.filter((r) => r.status === 200).length,
        wallMs,
      };
      herdResults.set(contender.id, result);
      rows.push({
        id: `herd.${contender.id}`,
        level: 'Cold herd',
        contender: contender.label,
        token: `${HERD} fresh, concurrent`,
        measures: `${HERD} concurrent app.request("/me") on a new app with an empty key cache; JWKS requests counted by the fake Backend API.`,
        mean: `${result.jwksFetches} JWKS fetch${result.jwksFetches === 1 ? '' : 'es'}`,
        p50: `${result.signedIn}/${HERD} signed in`,
        p99: `${result.wallMs.toFixed(0)} ms wall`,
        vsAnchor:
          contender.kind === 'clerk-edge' ? `target 1: ${result.jwksFetches === 1 ? 'met' : 'missed'}` : 'anchor',
        data: result,
      });
    } finally {
      await herdEmulator.close();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Machine tokens: 200 requests with one API key; Backend API verify calls counted.

const machineResults = new Map<string, { calls: number; ok: number; wallMs: number }>();

async function machineTokens(): Promise<void> {
  const apiKey = await emulator.createApiKey({ subject: 'user_bench_machine', name: 'bench', scopes: ['read'] });
  const contenders: Array<{ id: string; kind: AppKind; label: string; variant?: ClerkEdgeVariant }> = [
    { id: 'clerk-edge', kind: 'clerk-edge', label: APP_LABELS['clerk-edge'], variant: primary },
    { id: 'clerk-hono', kind: 'clerk-hono', label: APP_LABELS['clerk-hono'] },
  ];
  for (const contender of contenders) {
    for (const shape of ['concurrent', 'sequential'] as const) {
      const app = buildApp(contender.kind, keys, contender.variant?.options);
      const send = () => app.request('/api', { headers: bearer(apiKey.secret) });
      emulator.resetCounts();
      const start = performance.now();
      const responses: Response[] = [];
      if (shape === 'concurrent')
        responses.push(...(await Promise.all(Array.from({ length: MACHINE_REQUESTS }, send))));
      else for (let i = 0; i < MACHINE_REQUESTS; i++) responses.push(await send());
      const wallMs = performance.now() - start;
      const result = {
        calls: emulator.requestCount('POST /v1/api_keys/verify'),
        ok: responses.filter((r) => r.status === 200).length,
        wallMs,
      };
      machineResults.set(`${contender.id}.${shape}`, result);
      rows.push({
        id: `machine.${contender.id}.${shape}`,
        level: 'Machine tokens',
        contender: contender.label,
        token: `1 API key, ${MACHINE_REQUESTS} ${shape}`,
        measures: `${MACHINE_REQUESTS} ${shape} app.request("/api") with one API key on a new app; POST /v1/api_keys/verify calls counted.`,
        mean: `${result.calls} Backend API call${result.calls === 1 ? '' : 's'}`,
        p50: `${result.ok}/${MACHINE_REQUESTS} ok`,
        p99:
          shape === 'sequential'
            ? `${(result.wallMs / MACHINE_REQUESTS).toFixed(3)} ms/req`
            : `${result.wallMs.toFixed(0)} ms wall`,
        vsAnchor: contender.kind === 'clerk-edge' ? `target 1: ${result.calls === 1 ? 'met' : 'missed'}` : 'anchor',
        data: result,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bundle: a minimal Worker protecting one route, minified, gzipped.

const bundleResults = new Map<string, { bytes: number; gzipBytes: number; byPackage: Record<string, number> }>();

async function bundles(): Promise<void> {
  // The same minimal Workers `npm run size` measures (examples/worker/size/), measured the same way.
  const entries = [
    { id: 'hono-only', label: 'Hono alone (route unprotected)', file: 'examples/worker/size/hono-only.ts' },
    { id: 'clerk-edge', label: 'clerk-edge/hono + Hono', file: 'examples/worker/size/clerk-edge-hono.ts' },
    { id: 'clerk-hono', label: '@clerk/hono + Hono', file: 'examples/worker/size/clerk-hono.ts' },
  ];
  for (const entry of entries) bundleResults.set(entry.id, await workerBundleSize(entry.file));
  const hono = bundleResults.get('hono-only')!;
  const clerk = bundleResults.get('clerk-hono')!;
  for (const entry of entries) {
    const result = bundleResults.get(entry.id)!;
    rows.push({
      id: `bundle.${entry.id}`,
      level: 'Bundle',
      contender: entry.label,
      token: '—',
      measures: `${entry.file} bundled by esbuild (ESM, browser platform, workerd/worker conditions, minified), gzip level 9; 1 KB = 1000 bytes.`,
      mean: `${kb(result.gzipBytes)} gzip`,
      p50: `${kb(result.bytes)} min`,
      p99: '—',
      vsAnchor:
        entry.id === 'hono-only'
          ? 'anchor'
          : `+${kb(result.gzipBytes - hono.gzipBytes)} over Hono alone; ${times(result.gzipBytes / clerk.gzipBytes)} @clerk/hono`,
      data: { ...result },
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Targets (issue 6, item 3; issue 16: the no-auth floor and the jose floor), judged on the primary
// clerk-edge configuration.

interface Target {
  id: string;
  target: string;
  measured: string;
  met: boolean;
  /** How far off, when missed. */
  shortfall?: string;
  value: number;
  required: number;
  /** Shown for context, not one of the issue's targets. */
  informational?: boolean;
}

function timing(id: string): Timing | undefined {
  return rows.find((row) => row.id === id)?.data as Timing | undefined;
}

function evaluateTargets(): Target[] {
  const targets: Target[] = [];
  const v = primary.key;
  for (const [mode, required] of [
    ['fresh', 3],
    ['repeated', 10],
  ] as const) {
    const edge = timing(`hono.clerk-edge.${v}.${mode}`);
    const clerk = timing(`hono.clerk-hono.${mode}`);
    if (!edge || !clerk) continue;
    const speedup = clerk.meanUs / edge.meanUs;
    targets.push({
      id: `hono-${mode}`,
      target: `Hono request, ${mode === 'fresh' ? 'fresh token' : 'repeated token'}: ≥ ${required}× faster than @clerk/hono`,
      measured: `${times(speedup)} (${ms(edge.meanUs)} vs ${ms(clerk.meanUs)}; by p50: ${times(clerk.p50Us / edge.p50Us)})`,
      met: speedup >= required,
      shortfall: `needs ${ms(clerk.meanUs / required)} per request or less: ${ms(edge.meanUs - clerk.meanUs / required)} (${((100 * (edge.meanUs * required - clerk.meanUs)) / clerk.meanUs).toFixed(0)}% of the anchor) too slow`,
      value: speedup,
      required,
    });
  }
  const edgeRequest = timing(`request.clerk-edge.${v}.fresh`);
  const floor = timing('request.jose.fresh');
  if (edgeRequest && floor) {
    const ratio = edgeRequest.meanUs / floor.meanUs;
    targets.push({
      id: 'request-floor',
      target: '`authenticateRequest`, fresh token: ≤ 1.1× the jose floor',
      measured: `${times(ratio)} (${ms(edgeRequest.meanUs)} vs ${ms(floor.meanUs)}; by p50: ${times(edgeRequest.p50Us / floor.p50Us)})`,
      met: ratio <= 1.1,
      shortfall: `${ms(edgeRequest.meanUs - 1.1 * floor.meanUs)} per request over the 1.1× budget (${ms(1.1 * floor.meanUs)})`,
      value: ratio,
      required: 1.1,
    });
  }
  const honoEdge = timing(`hono.clerk-edge.${v}.repeated`);
  const honoNone = timing('hono.none.repeated');
  if (honoEdge && honoNone) {
    const ratio = honoEdge.p50Us / honoNone.p50Us;
    targets.push({
      id: 'hono-floor',
      target: 'Hono request p50, repeated token: ≤ 1.3× Hono without middleware',
      measured: `${times(ratio)} (${ms(honoEdge.p50Us)} vs ${ms(honoNone.p50Us)})`,
      met: ratio <= 1.3,
      shortfall: `${ms(honoEdge.p50Us - 1.3 * honoNone.p50Us)} per request over the 1.3× budget (${ms(1.3 * honoNone.p50Us)})`,
      value: ratio,
      required: 1.3,
    });
  }
  const httpEdge = httpResults.get(`clerk-edge.${v}.repeated`);
  const httpNone = httpResults.get('none.repeated');
  if (httpEdge && httpNone) {
    const ratio = httpEdge.requestsPerSecond / httpNone.requestsPerSecond;
    targets.push({
      id: 'http-floor',
      target: 'HTTP req/s (one token repeated): ≥ 0.8× no auth',
      measured: `${times(ratio)} (${Math.round(httpEdge.requestsPerSecond)} vs ${Math.round(httpNone.requestsPerSecond)} req/s)`,
      met: ratio >= 0.8,
      shortfall: `needs ${Math.round(0.8 * httpNone.requestsPerSecond)} req/s: ${Math.round(0.8 * httpNone.requestsPerSecond - httpEdge.requestsPerSecond)} req/s short`,
      value: ratio,
      required: 0.8,
    });
  }
  for (const mode of ['repeated', 'fresh'] as const) {
    const edge = httpResults.get(`clerk-edge.${v}.${mode}`);
    const clerk = httpResults.get(`clerk-hono.${mode}`);
    if (!edge || !clerk) continue;
    const ratio = edge.requestsPerSecond / clerk.requestsPerSecond;
    targets.push({
      id: `http-${mode}`,
      informational: mode === 'fresh',
      target:
        mode === 'fresh'
          ? 'HTTP req/s with a fresh token per request vs @clerk/hono (context; the target is judged on the repeated-token run)'
          : 'HTTP req/s (one token repeated): ≥ 5× @clerk/hono',
      measured: `${times(ratio)} (${Math.round(edge.requestsPerSecond)} vs ${Math.round(clerk.requestsPerSecond)} req/s)`,
      met: ratio >= 5,
      shortfall: `needs ${Math.round(5 * clerk.requestsPerSecond)} req/s: ${Math.round(5 * clerk.requestsPerSecond - edge.requestsPerSecond)} req/s short`,
      value: ratio,
      required: 5,
    });
  }
  const herd = herdResults.get('clerk-edge');
  if (herd) {
    targets.push({
      id: 'cold-herd',
      target: `Cold herd: 1 JWKS fetch for ${HERD} concurrent requests`,
      measured: `${herd.jwksFetches} (${herd.signedIn}/${HERD} signed in)`,
      met: herd.jwksFetches === 1 && herd.signedIn === HERD,
      shortfall: `${herd.jwksFetches - 1} extra fetches`,
      value: herd.jwksFetches,
      required: 1,
    });
  }
  for (const shape of ['concurrent', 'sequential'] as const) {
    const machine = machineResults.get(`clerk-edge.${shape}`);
    if (!machine) continue;
    targets.push({
      id: `machine-${shape}`,
      target: `Machine tokens: 1 Backend API call for ${MACHINE_REQUESTS} same-key requests (${shape})`,
      measured: `${machine.calls} (${machine.ok}/${MACHINE_REQUESTS} ok)`,
      met: machine.calls === 1 && machine.ok === MACHINE_REQUESTS,
      shortfall: `${machine.calls - 1} extra calls`,
      value: machine.calls,
      required: 1,
    });
  }
  return targets;
}

// ---------------------------------------------------------------------------------------------
// Profiles for missed targets (or all, with --profile): where clerk-edge's time goes.

/**
 * Runs `use` over `pool`. With more than one token, the instance is replaced each time the pool
 * wraps, so every token stays unseen by the instance that verifies it.
 */
function cycling<T>(
  pool: readonly string[],
  create: () => T,
  use: (instance: T, token: string) => Promise<unknown>,
): (i: number) => Promise<unknown> {
  let instance = create();
  return (i) => {
    if (pool.length > 1 && i > 0 && i % pool.length === 0) instance = create();
    return use(instance, pool[i % pool.length]!);
  };
}

async function profileFor(target: Target): Promise<ProfileSummary | undefined> {
  const options = primary.options;
  const duration = SETTINGS.profileMs;
  const honoOp = (mode: TokenMode) => {
    const pool = mode === 'fresh' ? tokens.pool : [tokens.repeated];
    return cycling(
      pool,
      () => buildApp('clerk-edge', keys, options),
      async (app, token) => {
        const response = await app.request('/me', { headers: bearer(token) });
        check(response.status === 200, `profile: status ${response.status}`);
      },
    );
  };
  switch (target.id) {
    case 'hono-fresh':
      return profileLoop('clerk-edge/hono, app.request, fresh tokens', duration, honoOp('fresh'));
    case 'hono-repeated':
    case 'hono-floor':
      return profileLoop('clerk-edge/hono, app.request, one token repeated', duration, honoOp('repeated'));
    case 'request-floor': {
      // The floor first, profiled the same way, so the two can be compared area by area.
      profiles.push(
        await profileLoop('reference: jose jwtVerify floor, fresh tokens [request-floor]', duration, async (i) => {
          await jwtVerify(tokens.pool[i % tokens.pool.length]!, floorKey, { algorithms: ['RS256'] });
        }),
      );
      const reqs = tokens.pool.map(request);
      let auth = createClerkAuth({ ...keys, env: {}, ...options });
      return profileLoop('clerk-edge authenticateRequest, fresh tokens', duration, async (i) => {
        if (i > 0 && i % reqs.length === 0) auth = createClerkAuth({ ...keys, env: {}, ...options });
        const state = await auth.authenticateRequest(reqs[i % reqs.length]!);
        check(state.status === 'signed-in', `profile: ${state.reason}`);
      });
    }
    case 'http-repeated':
    case 'http-floor': {
      // The server without middleware first, profiled the same way, as the reference.
      const profileServerKind = async (kind: AppKind, label: string) => {
        const server = await startServer(kind, keys, kind === 'clerk-edge' ? options : {});
        try {
          const base = { port: server.port, path: '/me', connections: SETTINGS.connections };
          await load({ ...base, token: tokens.repeated, durationS: 1 });
          return await profileServer(server, label, () =>
            load({ ...base, token: tokens.repeated, durationS: Math.max(2, duration / 1000) }),
          );
        } finally {
          await server.close();
        }
      };
      profiles.push(
        await profileServerKind(
          'none',
          'reference: Hono without middleware, HTTP server process, one token repeated [http-repeated]',
        ),
      );
      return profileServerKind('clerk-edge', 'clerk-edge/hono HTTP server process, one token repeated');
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Run

function versionOf(name: string): string {
  try {
    const path = fileURLToPath(new URL(`../node_modules/${name}/package.json`, import.meta.url));
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const steps: Array<[Section, string, () => Promise<void>]> = [
  ['token', 'token level', tokenLevel],
  ['request', 'request level', requestLevel],
  ['hono', 'Hono level', honoLevel],
  ['http', 'HTTP', httpLevel],
  ['herd', 'cold herd', coldHerd],
  ['machine', 'machine tokens', machineTokens],
  ['bundle', 'bundle sizes', bundles],
];

try {
  for (const [section, label, step] of steps) {
    if (!sections.has(section)) continue;
    const start = Date.now();
    await step();
    log(`${label} done in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  }

  const targets = evaluateTargets();
  for (const target of targets) {
    if (target.informational) continue;
    if (!target.met || forceProfile) {
      const summary = await profileFor(target);
      if (summary)
        profiles.push(summary.label.includes('[') ? summary : { ...summary, label: `${summary.label} [${target.id}]` });
    }
  }
  if (profiles.length) log(`profiled ${profiles.length} scenario(s)`);

  const environment = {
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    /** One-minute load average before and after the run: other processes make every row noisier. */
    loadAverage: { start: loadAtStart, end: loadavg()[0]! },
    mode: quick ? 'quick' : 'full',
    settings: SETTINGS,
    sessionCache: cacheSupport,
    versions: Object.fromEntries(
      ['@clerk/backend', '@clerk/hono', 'hono', '@hono/node-server', 'jose', 'autocannon', 'esbuild'].map((name) => [
        name,
        versionOf(name),
      ]),
    ),
  };

  const out: string[] = [];
  out.push(`## clerk-edge bench (${environment.mode}) — ${new Date().toISOString()}`);
  out.push('');
  out.push(
    `Node ${environment.node}, ${environment.cpus}, load average ${environment.loadAverage.start.toFixed(2)} at start and ${environment.loadAverage.end.toFixed(2)} at end` +
      (Math.max(environment.loadAverage.start, environment.loadAverage.end) > cpus().length / 2
        ? ' (other processes were busy: expect noisier rows)'
        : '') +
      `. @clerk/backend ${environment.versions['@clerk/backend']}, @clerk/hono ${environment.versions['@clerk/hono']}, hono ${environment.versions.hono}, jose ${environment.versions.jose}. ` +
      `In-process rows: ${SETTINGS.rounds} rounds (fresh instances) × ${ITERATIONS} timed ops after ${SETTINGS.warmup} warm-up ops, one at a time, in batches of ${SETTINGS.batchSize} alternating between contenders; mean = median of the batch means. ` +
      (cacheSupport.supported
        ? `Session cache: measured off and on (on by default: ${cacheSupport.enabledByDefault}); targets judged with it on.`
        : 'Session cache: not in this build (rows show the only configuration).'),
  );
  out.push('');
  out.push('| Level | Contender | Token | Mean / result | p50 | p99 | vs anchor |');
  out.push('| --- | --- | --- | ---: | ---: | ---: | --- |');
  for (const row of rows)
    out.push(
      `| ${row.level} | ${row.contender} | ${row.token} | ${row.mean} | ${row.p50} | ${row.p99} | ${row.vsAnchor} |`,
    );
  out.push('');
  if (targets.length) {
    out.push('| Target | Measured | Met |');
    out.push('| --- | --- | --- |');
    for (const target of targets) {
      const verdict = target.informational ? '(not a target)' : target.met ? 'yes' : `**no**: ${target.shortfall}`;
      out.push(`| ${target.target} | ${target.measured} | ${verdict} |`);
    }
    out.push('');
  }
  const missed = targets.filter((target) => !target.met && !target.informational);
  out.push(
    missed.length === 0
      ? targets.length
        ? 'All targets met in this run.'
        : ''
      : `Missed: ${missed.map((target) => `${target.id} (${target.measured}; ${target.shortfall})`).join('; ')}.`,
  );
  for (const summary of profiles) {
    out.push('');
    out.push(...formatProfile(summary));
  }

  const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const file = `${resultsDir}bench-${environment.mode}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify({ environment, rows, targets, profiles }, null, 2)}\n`);
  out.push('');
  out.push(
    `JSON: ${fileURLToPath(new URL('..', import.meta.url)) === `${process.cwd()}/` ? file.slice(process.cwd().length + 1) : file}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
  log(`finished in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
} finally {
  await emulator.close();
}

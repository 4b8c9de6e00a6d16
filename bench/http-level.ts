// HTTP rows: each app on @hono/node-server in its own process, driven by autocannon over loopback.
import { APP_LABELS, type AppKind } from './apps.js';
import { log, rows, SETTINGS, times, variantName } from './context.js';
import type { ClerkEdgeVariant } from './fixtures.js';
import { load, startServer, type HttpResult } from './http.js';
import type { TokenBench } from './setup.js';

// ---------------------------------------------------------------------------------------------
// HTTP: @hono/node-server on 127.0.0.1 in a child process, autocannon in this one.

export const httpResults = new Map<string, HttpResult & { slices: HttpResult[] }>();

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

export async function httpLevel(bench: TokenBench): Promise<void> {
  const { keys, variants, tokens } = bench;
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

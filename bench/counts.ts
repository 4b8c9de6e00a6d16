// Rows that count rather than time: JWKS fetches of a cold herd, Backend API calls for repeated
// machine tokens, and the bytes of a minimal Worker.
import { APP_LABELS, buildApp, type AppKind } from './apps.js';
import { workerBundleSize } from './bundle-size.mjs';
import { bearer, HERD, kb, MACHINE_REQUESTS, rows, times } from './context.js';
import { jwksFetches, keysOf, mintTokens, startEmulator, type ClerkEdgeVariant } from './fixtures.js';
import type { Bench } from './setup.js';

// ---------------------------------------------------------------------------------------------
// Cold herd: 100 concurrent requests reach a new app whose key cache is empty.

export const herdResults = new Map<string, { jwksFetches: number; signedIn: number; wallMs: number }>();

export async function coldHerd({ primary }: Bench): Promise<void> {
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

export const machineResults = new Map<string, { calls: number; ok: number; wallMs: number }>();

export async function machineTokens({ emulator, keys, primary }: Bench): Promise<void> {
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

export async function bundles(): Promise<void> {
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

// `node --expose-gc --import tsx bench/adapter-overhead.ts`
//
// Where clerk-edge/hono spends time beyond the core, on the cache-hit path (one token repeated,
// so no signature check and no thread-pool hop blurs the numbers). Each contender is the same
// app with one adapter cost taken away from the outside, without touching src/:
//   - `env: {}` passed as an option: the adapter skips its per-request fingerprint of the
//     CLERK_* variables read from `env(c)` (process.env on Node; src/core/instance.ts);
//   - an `executionCtx` defined on the context before the middleware runs: Hono's getter no
//     longer throws "This context has no ExecutionContext" (src/hono/index.ts `waitUntilOf`).
// The differences between rows are what each of those costs per request.
import { Hono } from 'hono';
import { createClerkAuth } from '../src/core/authenticate.js';
import { clerkMiddleware, getAuth, requireAuth } from '../src/hono/index.js';
import { keysOf, mintTokens, startEmulator } from './fixtures.js';
import { measure, type Contender, type Round } from './harness.js';

const emulator = await startEmulator();
try {
  const keys = keysOf(emulator);
  const { repeated } = await mintTokens(emulator, 1);
  const init = { headers: { authorization: `Bearer ${repeated}` } };

  const round = (app: Hono): Round => ({
    warm: async () => app.request('/me', init),
    op: async () => {
      const response = await app.request('/me', init);
      if (response.status !== 200) throw new Error(`bench: status ${response.status}`);
    },
  });

  const clerkEdge = (extra: { env?: Record<string, string> }, defineExecutionContext: boolean) => (): Round => {
    const app = new Hono();
    if (defineExecutionContext) {
      app.use(async (c, next) => {
        Object.defineProperty(c, 'executionCtx', { value: { waitUntil() {}, passThroughOnException() {}, props: {} } });
        await next();
      });
    }
    app.use(clerkMiddleware({ ...keys, ...extra }));
    app.get('/me', requireAuth(), (c) => c.json({ userId: getAuth(c).userId }));
    return round(app);
  };

  const contenders: Contender[] = [
    {
      id: 'Hono, no middleware',
      setup: () => {
        const app = new Hono();
        app.get('/me', (c) => c.json({ userId: 'user_none' }));
        return round(app);
      },
    },
    {
      id: 'authenticateRequest in a bare middleware',
      setup: () => {
        const auth = createClerkAuth({ ...keys, env: {} });
        const app = new Hono();
        app.use(async (c, next) => {
          const state = await auth.authenticateRequest(c.req.raw);
          if (state.status !== 'signed-in') return c.json({ error: 'unauthorized' }, 401);
          await next();
        });
        app.get('/me', (c) => c.json({ userId: 'user_none' }));
        return round(app);
      },
    },
    { id: 'clerk-edge/hono as shipped', setup: clerkEdge({}, false) },
    { id: 'clerk-edge/hono, env: {}', setup: clerkEdge({ env: {} }, false) },
    { id: 'clerk-edge/hono, executionCtx defined', setup: clerkEdge({}, true) },
    { id: 'clerk-edge/hono, both', setup: clerkEdge({ env: {} }, true) },
  ];

  const result = await measure(contenders, { warmup: 500, batches: 40, batchSize: 100, rounds: 2 });
  const shipped = result.get('clerk-edge/hono as shipped')!.meanUs;
  console.log('| Contender | Mean µs | p50 µs | p99 µs | vs as shipped |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [id, timing] of result) {
    console.log(
      `| ${id} | ${timing.meanUs.toFixed(1)} | ${timing.p50Us.toFixed(1)} | ${timing.p99Us.toFixed(1)} | ${(timing.meanUs - shipped).toFixed(1)} |`,
    );
  }
} finally {
  await emulator.close();
}

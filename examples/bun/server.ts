/**
 * The Hono example (../hono-node/app.ts) on Bun, with Bun's own server:
 *
 *   CLERK_SECRET_KEY=sk_… CLERK_PUBLISHABLE_KEY=pk_… bun run examples/bun/server.ts
 *
 * Keys come from Bun.env through Hono's env(c); PORT (default 3000). Bun resolves `clerk-edge`
 * to ../../src through tsconfig.json's paths; an app of your own imports it from node_modules.
 */
import { createApp } from '../hono-node/app.js';

const server = Bun.serve({ hostname: '127.0.0.1', port: Number(Bun.env.PORT ?? 3000), fetch: createApp().fetch });
console.log(`listening on http://127.0.0.1:${server.port}`);

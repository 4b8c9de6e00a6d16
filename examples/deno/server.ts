/**
 * The Hono example (../hono-node/app.ts) on Deno, with Deno's own server:
 *
 *   CLERK_SECRET_KEY=sk_… CLERK_PUBLISHABLE_KEY=pk_… deno run -c examples/deno/deno.json \
 *     --allow-net --allow-env=CLERK_*,PORT examples/deno/server.ts
 *
 * Keys come from Deno.env; PORT (default 3000). deno.json maps `clerk-edge` to ../../src the way
 * jsr.json publishes it; an app of your own maps it to `jsr:@clerk-edge/clerk-edge` or `npm:clerk-edge`.
 */
import { createApp } from '../hono-node/app.ts';

Deno.serve(
  {
    hostname: '127.0.0.1',
    port: Number(Deno.env.get('PORT') ?? 3000),
    onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`),
  },
  createApp().fetch,
);

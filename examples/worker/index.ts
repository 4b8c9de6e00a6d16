import type { ExecutionContext } from 'hono';
import hono from './hono.js';
import plain, { type Env } from './plain.js';

/**
 * The example Worker (`main` in wrangler.toml): `/hono/*` is served by the Hono app, every other
 * path by the plain `withClerk` handler. Each half works on its own as a Worker's default export.
 */
export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> | Response {
    const { pathname } = new URL(request.url);
    if (pathname === '/hono' || pathname.startsWith('/hono/')) return hono.fetch(request, env, ctx);
    return plain.fetch(request, env, ctx);
  },
};

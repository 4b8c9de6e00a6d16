import { Hono } from 'hono';
import type { ClerkEdgeOptions } from 'clerk-edge';
import { clerkMiddleware, getAuth, requireAuth } from 'clerk-edge/hono';

/**
 * A small API: one public route, one for any signed-in user, one for organization admins,
 * and one for API keys with the `write` scope. Keys come from `options`, then from
 * CLERK_SECRET_KEY / CLERK_PUBLISHABLE_KEY / ... in the environment.
 */
export function createApp(options: ClerkEdgeOptions = {}) {
  const app = new Hono();
  app.use(clerkMiddleware(options));

  app.get('/', (c) => c.json({ hello: 'world', signedIn: getAuth(c).isAuthenticated }));

  app.get('/me', requireAuth(), (c) => {
    const auth = getAuth(c);
    return c.json({ userId: auth.userId, sessionId: auth.sessionId, orgId: auth.orgId, orgRole: auth.orgRole });
  });

  app.get('/admin', requireAuth({ has: { role: 'org:admin' } }), (c) => c.json({ admin: getAuth(c).userId }));

  app.post('/ingest', requireAuth({ acceptsToken: 'api_key', scopes: ['write'] }), (c) => {
    const auth = getAuth(c, { acceptsToken: 'api_key' });
    return c.json({ acceptedFor: auth.isAuthenticated ? auth.subject : null });
  });

  return app;
}

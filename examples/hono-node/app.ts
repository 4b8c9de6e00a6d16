import { Hono } from 'hono';
import type { ClerkEdgeOptions } from 'clerk-edge';
import { createClerkClient } from 'clerk-edge/api';
import { clerkMiddleware, currentUser, getAuth, requireAuth, type ClerkVariables } from 'clerk-edge/hono';

/**
 * A small API: one public route, one for any signed-in user, one for organization admins, one for
 * API keys with the `write` scope, and the Backend API: the signed-in user's name, their metadata,
 * and a JWT-template token. Keys come from `options`, then from CLERK_SECRET_KEY /
 * CLERK_PUBLISHABLE_KEY / ... in the environment.
 */
export function createApp(options: ClerkEdgeOptions = {}) {
  // `Variables` types c.get('clerk') on every runtime (JSR has no module augmentation).
  const app = new Hono<{ Variables: ClerkVariables }>();
  app.use(clerkMiddleware({ ...options, clerkClient: createClerkClient }));

  app.get('/', (c) => c.json({ hello: 'world', signedIn: getAuth(c).isAuthenticated }));

  app.get('/me', requireAuth(), (c) => {
    const auth = getAuth(c);
    return c.json({ userId: auth.userId, sessionId: auth.sessionId, orgId: auth.orgId, orgRole: auth.orgRole });
  });

  // One Backend API call per request, however often currentUser(c) is called.
  app.get('/hello', requireAuth(), async (c) => {
    const user = await currentUser(c);
    return c.json({ greeting: `Hello, ${[user?.first_name, user?.last_name].filter(Boolean).join(' ') || 'you'}!` });
  });

  // Merges the JSON body into the user's public metadata (PATCH /users/{user_id}/metadata).
  app.post('/me/metadata', requireAuth(), async (c) => {
    const body = await c.req.json().catch(() => null);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return c.json({ error: 'json object' }, 400);
    const user = await c.get('clerk').users.updateMetadata({
      path: { user_id: getAuth(c).userId as string },
      body: { public_metadata: body as Record<string, unknown> },
    });
    return c.json({ publicMetadata: user.public_metadata });
  });

  // A token from a JWT template of the instance, minted once and reused until shortly before it expires.
  app.get('/token/:template', requireAuth(), async (c) => {
    const token = await getAuth(c).getToken({ template: c.req.param('template') });
    return c.json({ token });
  });

  app.get('/admin', requireAuth({ has: { role: 'org:admin' } }), (c) => c.json({ admin: getAuth(c).userId }));

  app.post('/ingest', requireAuth({ acceptsToken: 'api_key', scopes: ['write'] }), (c) => {
    const auth = getAuth(c, { acceptsToken: 'api_key' });
    return c.json({ acceptedFor: auth.isAuthenticated ? auth.subject : null });
  });

  return app;
}

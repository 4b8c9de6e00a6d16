import { Hono } from 'hono';
import { clerkMiddleware, getAuth, requireAuth } from 'clerk-edge/hono';
import { CacheApiStore } from 'clerk-edge/workers';

/**
 * The same routes as a Hono app, under `/hono`. Hono hands the Worker's bindings to the
 * middleware, so the keys come from the same `.dev.vars` / secrets.
 */
const app = new Hono().basePath('/hono');

app.use(clerkMiddleware({ store: new CacheApiStore() }));

app.get('/me', (c) => {
  const auth = getAuth(c);
  return c.json({ signedIn: auth.isAuthenticated, userId: auth.userId, tokenType: auth.tokenType });
});

app.get('/protected', requireAuth(), (c) => {
  const auth = getAuth(c);
  return c.json({ userId: auth.userId, sessionId: auth.sessionId });
});

app.get('/admin', requireAuth({ has: { role: 'org:admin' } }), (c) => c.json({ admin: getAuth(c).userId }));

app.get('/api/data', requireAuth({ acceptsToken: 'api_key', scopes: ['read'] }), (c) => {
  const key = getAuth(c, { acceptsToken: 'api_key' });
  return c.json({ data: [1, 2, 3], for: key.isAuthenticated ? key.subject : null });
});

export default app;

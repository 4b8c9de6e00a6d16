// `npm run size`: the smallest useful Worker, a Hono app protecting one route with clerk-edge/hono.
import { Hono } from 'hono';
import { clerkMiddleware, getAuth, requireAuth } from 'clerk-edge/hono';

const app = new Hono();
app.use(clerkMiddleware());
app.get('/me', requireAuth(), (c) => c.json({ userId: getAuth(c).userId }));

export default app;

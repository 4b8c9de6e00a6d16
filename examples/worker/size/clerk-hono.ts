// `npm run size` comparison: the same route protected with the official @clerk/hono.
import { clerkMiddleware, getAuth } from '@clerk/hono';
import { Hono } from 'hono';

const app = new Hono();
app.use('*', clerkMiddleware());
app.get('/me', (c) => {
  const { userId } = getAuth(c);
  return userId ? c.json({ userId }) : c.json({ error: 'unauthorized' }, 401);
});

export default app;

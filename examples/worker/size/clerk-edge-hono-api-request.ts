// The minimal middleware Worker plus one Backend API call through the lower-level client
// (`createClerkRequestClient`: transport only, no operation table).
import { Hono } from 'hono';
import { clerkMiddleware, getAuth, requireAuth } from 'clerk-edge/hono';
import { createClerkRequestClient } from 'clerk-edge/api';

const clerk = createClerkRequestClient();
const app = new Hono();
app.use(clerkMiddleware());
app.get('/me', requireAuth(), async (c) => {
  const user = await clerk.request('get', '/users/{user_id}', { path: { user_id: getAuth(c).userId ?? '' } });
  return c.json({ name: user.first_name });
});

export default app;

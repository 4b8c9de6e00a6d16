// The minimal middleware Worker plus one Backend API call through the grouped client
// (`createClerkClient`: transport and the 239-row operation table).
import { Hono } from 'hono';
import { clerkMiddleware, getAuth, requireAuth } from 'clerk-edge/hono';
import { createClerkClient } from 'clerk-edge/api';

const clerk = createClerkClient();
const app = new Hono();
app.use(clerkMiddleware());
app.get('/me', requireAuth(), async (c) => {
  const user = await clerk.users.get({ path: { user_id: getAuth(c).userId ?? '' } });
  return c.json({ name: user.first_name });
});

export default app;

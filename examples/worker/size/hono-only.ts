// `npm run size` baseline: the same route with Hono alone, unprotected.
import { Hono } from 'hono';

const app = new Hono();
app.get('/me', (c) => c.json({ userId: null }));

export default app;

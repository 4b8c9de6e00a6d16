import { serve } from '@hono/node-server';
import { createApp } from './app.js';

// Production-style entry: keys come from the environment (CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY, ...).
const port = Number(process.env.PORT ?? 3000);
serve({ fetch: createApp().fetch, hostname: '127.0.0.1', port }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});

// A Hono app that serves HTML pages on localhost with clerkMiddleware, for the browser suite.
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { ClerkEdgeOptions } from '../../src/index.js';
import { clerkMiddleware, getAuth } from '../../src/hono/index.js';

export interface RunningApp {
  /** `http://localhost:<port>`: the app's host, apart from the Frontend API's 127.0.0.1. */
  url: string;
  /** Paths the routes were reached with, in order. */
  reached: string[];
  close(): Promise<void>;
}

/** Starts the app; `options` configure clerkMiddleware (keys, Frontend API URL, handshake). */
export async function startHonoApp(options: ClerkEdgeOptions): Promise<RunningApp> {
  const reached: string[] = [];
  const app = new Hono();
  app.use(clerkMiddleware({ env: {}, ...options }));
  app.get('/api/me', (c) => {
    reached.push('/api/me');
    return c.json({ userId: getAuth(c).userId });
  });
  app.post('/form', async (c) => {
    reached.push('/form');
    return c.html(`<p id="result">posted as ${getAuth(c).userId ?? 'signed out'}</p>`);
  });
  app.get('*', (c) => {
    reached.push(c.req.path);
    const userId = getAuth(c).userId;
    return c.html(
      `<!doctype html><title>app</title><p id="who">${userId ? `signed in as ${userId}` : 'signed out'}</p>` +
        '<form method="post" action="/form"><button id="post">post</button></form>',
    );
  });
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://localhost:${port}`,
    reached,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

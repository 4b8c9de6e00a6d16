/**
 * The Hono app every runtime scenario drives, and the scenario plumbing. Imports clerk-edge by its
 * public names: the runtime suites resolve them to the built package (npm) or to the sources
 * through jsr.json (JSR).
 */
import type { ClerkEdgeOptions } from 'clerk-edge';
import { clerkMiddleware, getAuth, requireAuth } from 'clerk-edge/hono';
import { Hono } from 'hono';
import type { EmulatorInfo, RemoteEmulator } from './remote.js';

/** A server the runtime started (Bun.serve, Deno.serve, node:http) on 127.0.0.1. */
export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

export interface ScenarioContext {
  readonly emulator: RemoteEmulator;
  /** Serves a fetch handler on the runtime's own HTTP server. */
  serve(handler: (request: Request) => Response | Promise<Response>): Promise<Served>;
}

/** One behaviour, named as a sentence; throws (node:assert) when it does not hold. */
export interface Scenario {
  readonly name: string;
  run(context: ScenarioContext): Promise<void>;
}

/** Explicit options for the emulator, with no environment read at all. */
export const optionsFor = (info: EmulatorInfo): ClerkEdgeOptions => ({
  secretKey: info.secretKey,
  publishableKey: info.publishableKey,
  apiUrl: info.url,
  env: {},
});

/** A session route, an API-key route (scope `write`) and an M2M route. */
export function createApp(options: ClerkEdgeOptions): Hono {
  const app = new Hono();
  app.use(clerkMiddleware(options));
  app.get('/me', requireAuth(), (c) => {
    const auth = getAuth(c);
    return c.json({ userId: auth.userId, sessionId: auth.sessionId, orgId: auth.orgId, orgRole: auth.orgRole });
  });
  app.post('/ingest', requireAuth({ acceptsToken: 'api_key', scopes: ['write'] }), (c) => {
    const auth = getAuth(c, { acceptsToken: 'api_key' });
    return c.json({ by: auth.isAuthenticated ? auth.subject : null });
  });
  app.get('/jobs', requireAuth({ acceptsToken: 'm2m_token' }), (c) => {
    const auth = getAuth(c, { acceptsToken: 'm2m_token' });
    return c.json({ machine: auth.isAuthenticated ? auth.subject : null });
  });
  return app;
}

/** Serves `app` for the duration of `use`, then stops the server. */
export async function withServer<T>(context: ScenarioContext, app: Hono, use: (url: string) => Promise<T>): Promise<T> {
  const served = await context.serve((request) => app.fetch(request));
  try {
    return await use(served.url);
  } finally {
    await served.close();
  }
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export const bearer = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });

/** A fresh session for `userId` and a valid session token for it. */
export async function signedInUser(
  emulator: RemoteEmulator,
  userId: string,
): Promise<{ sessionId: string; token: string; refreshToken: string }> {
  const { session, refreshToken } = await emulator.createSession({ userId, orgId: 'org_rt', orgRole: 'org:admin' });
  return { sessionId: session.id, token: await emulator.createSessionToken(session.id), refreshToken };
}

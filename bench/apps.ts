// The three Hono apps compared at the Hono and HTTP levels. Each protects the same two routes
// the way its documentation shows, and answers the same JSON:
//   GET /me   a session-token route: 200 { userId } when signed in, 401 otherwise;
//   GET /api  an API-key route:      200 { userId } for a valid key, 401 otherwise.
// `none` has no middleware: it answers 200 { userId: 'user_none' } and shows what Hono itself costs.
// `buildPageApp` serves browser pages instead (the handshake rows): every GET renders
// `<p>{userId or "signed out"}</p>` as HTML.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { clerkMiddleware, getAuth, requireAuth } from '../src/hono/index.js';
import { CLERK_SDK_EXTRA, type BenchKeys, type SessionCacheOption } from './fixtures.js';

/** The part of @clerk/hono used here. */
interface ClerkHonoModule {
  clerkMiddleware(options: Record<string, unknown>): MiddlewareHandler;
  getAuth(c: Context, options?: { acceptsToken?: string }): { userId: string | null; isAuthenticated: boolean };
}

// Imported by a non-literal specifier so the type checker does not load @clerk/hono's
// `ContextVariableMap` augmentation, which claims the same `clerkAuth` key as clerk-edge's.
const CLERK_HONO: string = '@clerk/hono';
const { clerkMiddleware: clerkHonoMiddleware, getAuth: clerkHonoGetAuth } = (await import(
  CLERK_HONO
)) as ClerkHonoModule;

export type AppKind = 'none' | 'clerk-edge' | 'clerk-hono';

export const APP_LABELS: Record<AppKind, string> = {
  none: 'Hono, no middleware',
  'clerk-edge': 'clerk-edge/hono',
  'clerk-hono': '@clerk/hono',
};

/**
 * Builds a fresh app (a new middleware instance, so no cache carries over from another app).
 * `extra` is merged into clerk-edge's options (e.g. the session-cache setting).
 */
export function buildApp(kind: AppKind, keys: BenchKeys, extra: SessionCacheOption = {}): Hono {
  const app = new Hono();
  if (kind === 'none') {
    app.get('/me', (c) => c.json({ userId: 'user_none' }));
    app.get('/api', (c) => c.json({ userId: 'user_none' }));
    return app;
  }
  if (kind === 'clerk-edge') {
    app.use(clerkMiddleware({ ...keys, ...extra }));
    app.get('/me', requireAuth(), (c) => c.json({ userId: getAuth(c).userId }));
    app.get('/api', requireAuth({ acceptsToken: 'api_key' }), (c) =>
      c.json({ userId: getAuth(c, { acceptsToken: 'api_key' }).userId }),
    );
    return app;
  }
  // @clerk/hono authenticates every request with acceptsToken 'any' and leaves the decision to the route.
  app.use('*', clerkHonoMiddleware({ ...keys, ...CLERK_SDK_EXTRA }));
  app.get('/me', (c) => {
    const { userId } = clerkHonoGetAuth(c);
    return userId ? c.json({ userId }) : c.json({ error: 'unauthorized' }, 401);
  });
  app.get('/api', (c) => {
    const auth = clerkHonoGetAuth(c, { acceptsToken: 'api_key' });
    return auth.isAuthenticated ? c.json({ userId: auth.userId }) : c.json({ error: 'unauthorized' }, 401);
  });
  return app;
}

/**
 * A fresh app serving browser pages, for the handshake rows: every GET renders
 * `<p>{userId or "signed out"}</p>`. Both middlewares redirect a page load that needs a handshake
 * and set the return trip's cookies on the page. `frontendApiUrl` is the emulator's Frontend API:
 * clerk-edge takes it as `frontendApiUrl`; @clerk/backend derives `https://<host>` from the
 * publishable key, so it gets the emulator's plain-HTTP origin as `proxyUrl` (its handshake URL is
 * then `<proxyUrl>/v1/client/handshake`, the same endpoint).
 */
export function buildPageApp(
  kind: 'clerk-edge' | 'clerk-hono',
  keys: BenchKeys,
  frontendApiUrl: string,
  extra: SessionCacheOption = {},
): Hono {
  const app = new Hono();
  if (kind === 'clerk-edge') {
    app.use(clerkMiddleware({ ...keys, frontendApiUrl, env: {}, ...extra }));
    app.get('*', (c) => c.html(`<p>${getAuth(c).userId ?? 'signed out'}</p>`));
    return app;
  }
  app.use('*', clerkHonoMiddleware({ ...keys, ...CLERK_SDK_EXTRA, proxyUrl: frontendApiUrl }));
  app.get('*', (c) => c.html(`<p>${clerkHonoGetAuth(c).userId ?? 'signed out'}</p>`));
  return app;
}

import { withClerk } from 'clerk-edge/workers';

/** The bindings this Worker reads (set them in `.dev.vars` locally, `wrangler secret put` in production). */
export interface Env {
  CLERK_SECRET_KEY?: string;
  CLERK_PUBLISHABLE_KEY?: string;
  CLERK_JWT_KEY?: string;
  CLERK_AUTHORIZED_PARTIES?: string;
  CLERK_API_URL?: string;
}

/**
 * A Worker without a framework. `withClerk` authenticates every request (session token from
 * the Authorization header or Clerk's cookies) and hands the verdict to the handler, which
 * decides per route. Keys come from the bindings; keys and API-key verdicts are shared with the
 * Worker's other isolates through the Cache API.
 */
export default withClerk<Env>(async (request, _env, _ctx, clerk) => {
  const { pathname } = new URL(request.url);

  // Public: says who is calling, if anyone.
  if (pathname === '/' || pathname === '/me') {
    const { auth } = clerk;
    return Response.json({ signedIn: auth.isAuthenticated, userId: auth.userId, tokenType: auth.tokenType });
  }

  // Any signed-in user: 401 (or 503 if Clerk is unreachable and no keys are cached) otherwise.
  if (pathname === '/protected') {
    const denied = await clerk.protect();
    if (denied) return denied;
    const auth = clerk.state.toAuth();
    return Response.json({ userId: auth.userId, sessionId: 'sessionId' in auth ? auth.sessionId : null });
  }

  // Organization admins only: 403 for other signed-in users.
  if (pathname === '/admin') {
    const denied = await clerk.protect({ has: { role: 'org:admin' } });
    if (denied) return denied;
    return Response.json({ admin: clerk.auth.userId });
  }

  // Machines: an API key with the `read` scope (verified once, then cached).
  if (pathname === '/api/data') {
    const denied = await clerk.protect({ acceptsToken: 'api_key', scopes: ['read'] });
    if (denied) return denied;
    const key = (await clerk.authenticate('api_key')).toAuth();
    return Response.json({ data: [1, 2, 3], for: 'subject' in key ? key.subject : null });
  }

  return Response.json({ error: 'not_found' }, { status: 404 });
});

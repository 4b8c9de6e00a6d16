import type { Context } from 'hono';
import { createClerkClient, type ClerkClient } from '../api/client.js';
import type { components } from '../api/generated/bapi.js';
import { createClerkRequestClient } from '../api/request.js';
import { instanceClient } from '../core/api-client.js';
import { instanceOf } from './binding.js';
import { getAuth } from './middleware.js';

/** The Backend API's `User`. */
export type User = components['schemas']['User'];

/**
 * The Backend API client of the instance that authenticated this request: `c.get('clerk')` when the
 * middleware was given `clerkClient: createClerkClient`, else the same client created on first use.
 * One per instance, never per request; it shares the middleware's rate-limit back-off.
 *
 * @example
 * ```ts
 * app.get('/orgs', requireAuth(), async (c) => {
 *   const { userId } = getAuth(c)
 *   return c.json(await clerkClient(c).users.getOrganizationMemberships({ path: { user_id: userId as string } }))
 * })
 * ```
 */
export function clerkClient(c: Context): ClerkClient {
  return (c.get('clerk') as ClerkClient | undefined) ?? instanceClient(instanceOf(c).config, createClerkClient);
}

const users = new WeakMap<Context, Promise<User | null>>();

/**
 * The signed-in user (`GET /users/{user_id}`), or null when the request has no session. One
 * Backend API call per request however often it is called; failures reject with a `ClerkApiError`.
 *
 * @example
 * ```ts
 * app.get('/hello', async (c) => {
 *   const user = await currentUser(c)
 *   return c.text(user ? `Hello, ${user.first_name ?? user.id}` : 'Hello, stranger')
 * })
 * ```
 */
export function currentUser(c: Context): Promise<User | null> {
  let user = users.get(c);
  if (!user) {
    const { userId } = getAuth(c);
    const client = instanceClient(instanceOf(c).config, createClerkRequestClient);
    user =
      userId === null
        ? Promise.resolve(null)
        : client.request('get', '/users/{user_id}', { path: { user_id: userId } });
    users.set(c, user);
  }
  return user;
}

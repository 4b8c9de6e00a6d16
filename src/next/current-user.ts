import { headers as nextHeaders } from 'next/headers.js';
import type { components } from '../api/generated/bapi.js';
import { createClerkRequestClient } from '../api/request.js';
import type { ClerkAuth } from '../core/authenticate.js';
import { instanceClient } from '../core/api-client.js';
import { authFromHeaders } from './auth.js';
import { serverInstance } from './instance.js';

/** The Backend API's `User`. */
export type User = components['schemas']['User'];

// Next hands every `headers()` call of one request the same object: one answer per request.
const perRequest = new WeakMap<object, Promise<User | null>>();

/**
 * The signed-in user of these request headers (`GET /users/{user_id}`), or null without a session.
 * Internal: `currentUser()` reads the headers from Next; tests pass them.
 */
export async function currentUserFromHeaders(requestHeaders: Headers, clerk: ClerkAuth): Promise<User | null> {
  const { userId } = (await authFromHeaders(requestHeaders, clerk)) as { userId: string | null };
  if (userId === null) return null;
  const client = instanceClient(clerk.config, createClerkRequestClient);
  return client.request('get', '/users/{user_id}', { path: { user_id: userId } });
}

/**
 * The signed-in user, from the Backend API, or null when the request has no session. In server
 * components, server actions and route handlers; one Backend API call per request however often it
 * is called. Failures reject with a `ClerkApiError` from `clerk-edge/api`.
 *
 * @example
 * ```tsx
 * import { currentUser } from 'clerk-edge/next'
 *
 * export default async function Page() {
 *   const user = await currentUser()
 *   return <p>{user ? `Hello, ${user.first_name ?? user.id}` : 'Signed out'}</p>
 * }
 * ```
 */
export async function currentUser(): Promise<User | null> {
  const requestHeaders = await nextHeaders();
  let user = perRequest.get(requestHeaders);
  if (!user) {
    user = currentUserFromHeaders(new Headers(requestHeaders), serverInstance());
    perRequest.set(requestHeaders, user);
  }
  return user;
}

import { createClerkClient, type ClerkClient } from '../api/client.js';
import { instanceClient } from '../core/api-client.js';
import { serverInstance } from './instance.js';

/**
 * The Backend API client of the app's Clerk instance (`CLERK_SECRET_KEY`, `CLERK_API_URL`), created
 * on first use and reused by every request; it shares the rate-limit back-off of `auth()`.
 * Asynchronous like Clerk's own `clerkClient()`.
 *
 * @example
 * ```ts
 * import { auth, clerkClient } from 'clerk-edge/next'
 *
 * export async function POST() {
 *   const { userId } = await auth()
 *   if (!userId) return new Response(null, { status: 401 })
 *   const client = await clerkClient()
 *   await client.users.updateMetadata({ path: { user_id: userId }, body: { public_metadata: { plan: 'pro' } } })
 *   return new Response(null, { status: 204 })
 * }
 * ```
 */
export async function clerkClient(): Promise<ClerkClient> {
  return instanceClient(serverInstance().config, createClerkClient);
}

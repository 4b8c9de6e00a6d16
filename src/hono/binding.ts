// What the Hono adapter keeps per request besides the verdicts: the instance that authenticated it.
// No `clerk-edge/api` code here: the client is only bundled by apps that pass a factory or call currentUser.
import type { Context } from 'hono';
import type { ClerkClient } from '../api/client.js';
import type { ClerkAuth } from '../core/authenticate.js';
import { instanceClient, type ClerkClientFactory } from '../core/api-client.js';
import { ClerkEdgeError } from '../core/errors.js';
import type { ClerkRequestContext } from './middleware.js';

/** Where the request's `clerkAuth` context keeps its authenticator: a symbol, outside the public shape. */
export const INSTANCE: unique symbol = Symbol('clerk-edge.instance');

/** The part of the request's `clerkAuth` context that names its authenticator. Internal. */
export interface InstanceBinding {
  readonly [INSTANCE]: ClerkAuth;
}

/**
 * When the app passed a client factory (`clerkMiddleware({ clerkClient: createClerkClient })`),
 * sets `c.get('clerk')` to the instance's client, created once per instance. The authenticator
 * itself travels on the `clerkAuth` context ({@link INSTANCE}). Internal: called by the middleware.
 */
export function bindClerk(c: Context, auth: ClerkAuth, factory: ClerkClientFactory<ClerkClient> | undefined): void {
  if (factory) c.set('clerk', instanceClient(auth.config, factory));
}

/** The request's `clerkAuth` context; throws (a developer error) without the middleware. Internal. */
export function clerkContext(c: Context): ClerkRequestContext & InstanceBinding {
  const context = c.get('clerkAuth') as (ClerkRequestContext & InstanceBinding) | undefined;
  if (!context)
    throw new ClerkEdgeError(
      'middleware-missing',
      'clerk-edge: no auth state on this context.',
      'Add app.use(clerkMiddleware()).',
    );
  return context;
}

/** The authenticator that ran for this context; throws (a developer error) without the middleware. */
export function instanceOf(c: Context): ClerkAuth {
  return clerkContext(c)[INSTANCE];
}
